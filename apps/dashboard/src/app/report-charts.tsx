import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import { colourOf } from '../lib/status-colours';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);


/** A bar chart: one bar group per label, one dataset per series (stacked when asked), a status's series in its colour. */
export function BarChart({ title, labels, series, stacked = false }: { title: string; labels: string[]; series: { label: string; values: number[] }[]; stacked?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, {
      type: 'bar',
      data: { labels, datasets: series.map((one, index) => ({ label: one.label, data: one.values, backgroundColor: colourOf(one.label, index) })) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [labels, series, stacked]);
  return (
    <div className="chart" role="img" aria-label={title}>
      <canvas ref={canvas} />
    </div>
  );
}
