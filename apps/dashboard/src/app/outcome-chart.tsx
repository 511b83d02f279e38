import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import type { OutcomePoint } from '../lib/campaign-progress';
import { colourOf } from '../lib/status-colours';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

/** Outcomes so far (cumulative, per status) against seconds since the page opened, from the event stream. */
export function OutcomeChart({ points }: { points: OutcomePoint[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line', { x: number; y: number }[]> | null>(null);

  useEffect(() => {
    chart.current = new Chart(canvas.current!, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'seconds' }, min: 0 },
          y: { beginAtZero: true, title: { display: true, text: 'rows' }, ticks: { precision: 0 } },
        },
      },
    });
    return () => chart.current?.destroy();
  }, []);

  useEffect(() => {
    const current = chart.current;
    if (!current) return;
    const start = points[0]?.atMs ?? 0;
    const statuses = [...new Set(points.flatMap((point) => Object.keys(point.counts)))];
    current.data.datasets = statuses.map((status, index) => ({
      label: status,
      data: points.map((point) => ({ x: Math.round((point.atMs - start) / 100) / 10, y: point.counts[status] ?? 0 })),
      borderColor: colourOf(status, index),
      backgroundColor: colourOf(status, index),
      stepped: true,
      pointRadius: 0,
    }));
    current.update();
  }, [points]);

  return (
    <div className="chart" role="img" aria-label="Outcomes over time">
      <canvas ref={canvas} />
    </div>
  );
}
