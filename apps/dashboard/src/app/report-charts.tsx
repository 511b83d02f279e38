import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const PALETTE = ['#1a7f37', '#b42318', '#2463eb', '#7c3aed', '#0e7490', '#a16207', '#c2410c', '#6b7280', '#9f1239', '#be185d', '#111827'];

/** A bar chart: one bar group per label, one dataset per series (stacked when asked). */
export function BarChart({ title, labels, series, stacked = false }: { title: string; labels: string[]; series: { label: string; values: number[] }[]; stacked?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, {
      type: 'bar',
      data: { labels, datasets: series.map((one, index) => ({ label: one.label, data: one.values, backgroundColor: PALETTE[index % PALETTE.length] })) },
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
