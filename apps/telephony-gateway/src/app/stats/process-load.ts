import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** One gateway process's load, as `GET /stats` reports it (field names are read by the benchmarks). */
export interface ProcessLoad {
  pid: number;
  calls_live: number;
  event_loop_delay_p50_ms: number;
  event_loop_delay_p99_ms: number;
  /** CPU time since the process started; a reader takes differences between two reads. */
  cpu_user_ms: number;
  cpu_system_ms: number;
  rss_bytes: number;
}

export interface GatewayStats {
  workers: ProcessLoad[];
  /** The process that routes to the workers, when there are several (it holds no call). */
  primary?: Omit<ProcessLoad, 'calls_live'>;
  /** Sums over every process (the primary included), and the worst event-loop delay p99. */
  totals: { workers: number; calls_live: number; cpu_user_ms: number; cpu_system_ms: number; rss_bytes: number; event_loop_delay_p99_ms: number };
}

/** 10 ms sampling: fine enough for stalls that matter on a call, cheap enough to leave on. */
const RESOLUTION_MS = 10;

/** Measures this process: event-loop delay since the last reset, CPU and memory. */
export class ProcessLoadMeter {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  constructor() {
    this.delay.enable();
  }

  read(options: { reset?: boolean; callsLive?: number } = {}): ProcessLoad {
    const cpu = process.cpuUsage();
    const load: ProcessLoad = {
      pid: process.pid,
      calls_live: options.callsLive ?? 0,
      event_loop_delay_p50_ms: this.percentileMs(50),
      event_loop_delay_p99_ms: this.percentileMs(99),
      cpu_user_ms: Math.round(cpu.user / 1000),
      cpu_system_ms: Math.round(cpu.system / 1000),
      rss_bytes: process.memoryUsage.rss(),
    };
    if (options.reset) this.delay.reset();
    return load;
  }

  stop(): void {
    this.delay.disable();
  }

  private percentileMs(percentile: number): number {
    // The histogram is empty until its first sample; NaN would not survive JSON.
    if (this.delay.count === 0) return 0;
    // Each sample is the time between two timer turns, so it includes the sampling interval itself.
    const delayMs = this.delay.percentile(percentile) / 1e6 - RESOLUTION_MS;
    return Math.max(0, Math.round(delayMs * 100) / 100);
  }
}

/** The gateway's stats from each process's own report. */
export function combineStats(workers: ProcessLoad[], primary?: Omit<ProcessLoad, 'calls_live'>): GatewayStats {
  const everyone = primary ? [...workers, { ...primary, calls_live: 0 }] : workers;
  const sum = (field: 'calls_live' | 'cpu_user_ms' | 'cpu_system_ms' | 'rss_bytes') => everyone.reduce((total, load) => total + load[field], 0);
  return {
    workers,
    ...(primary ? { primary } : {}),
    totals: {
      workers: workers.length,
      calls_live: sum('calls_live'),
      cpu_user_ms: sum('cpu_user_ms'),
      cpu_system_ms: sum('cpu_system_ms'),
      rss_bytes: sum('rss_bytes'),
      event_loop_delay_p99_ms: Math.max(0, ...everyone.map((load) => load.event_loop_delay_p99_ms)),
    },
  };
}
