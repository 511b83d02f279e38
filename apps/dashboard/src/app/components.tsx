import { useEffect, useState, type DependencyList, type ReactNode } from 'react';
import { ApiError, KeyRefusedError } from '../lib/dashboard-api';

/** An error as the operator reads it: the service's own message, never a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (HTTP ${error.status})`;
  if (error instanceof Error) return error.message === 'Failed to fetch' ? 'The service could not be reached.' : error.message;
  return String(error);
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error || error instanceof KeyRefusedError) return null;
  return (
    <p className="error" role="alert">
      {messageOf(error)}
    </p>
  );
}

export interface Loaded<T> {
  value?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads something from the API when `deps` change, and on `reload()`. */
export function useLoaded<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((before) => ({ ...before, loading: true }));
    load().then(
      (value) => current && setState({ value, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((n) => n + 1) };
}

export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const percent = total ? Math.round((done / total) * 100) : 0;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-valuetext={`${done} of ${total} rows done`}>
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

export function StatusCounts({ byStatus }: { byStatus: Record<string, number> }) {
  const entries = Object.entries(byStatus).filter(([, count]) => count > 0);
  if (entries.length === 0) return <span className="muted">no outcomes yet</span>;
  return (
    <ul className="counts" aria-label="Rows per status">
      {entries.map(([status, count]) => (
        <li key={status} className={`status status-${status || 'none'}`}>
          {status || 'not called'}: <strong>{count}</strong>
        </li>
      ))}
    </ul>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <div className="card-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 1000) / 10}%`;
}
