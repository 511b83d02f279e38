/**
 * The benchmarks' child processes: the built apps (dist/) and the vendor fakes, each its own
 * process on loopback, every one of them ended with the benchmark however it ends (Ctrl-C too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const WORKSPACE = join(__dirname, '..');
export const MAINS = {
  agentApi: join(WORKSPACE, 'dist/apps/agent-api/apps/agent-api/src/main.js'),
  gateway: join(WORKSPACE, 'dist/apps/telephony-gateway/apps/telephony-gateway/src/main.js'),
  cli: join(WORKSPACE, 'dist/apps/outbound-cli/apps/outbound-cli/src/main.js'),
};

export interface Service {
  /** As given to startService (its log's name). */
  name: string;
  url: string;
  child: ChildProcess;
  log: string;
}

/** Every process a benchmark starts, killed when it exits. */
export const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves after `ms` without keeping the process alive: for the losing side of a race against a deadline. */
export function deadline(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Starts a built app and waits for its /health; its output goes to `<dir>/<name>.log`. */
export async function startService(name: string, main: string, env: Record<string, string>, port: number, dir: string): Promise<Service> {
  const log = join(dir, `${name}.log`);
  const out = createWriteStream(log);
  // BENCH_GATEWAY_NODE_ARGS (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof): node flags for gateways only ("gateway", "gateway-2"); their workers inherit them.
  const nodeArgs = /^gateway(-\d+)?$/.test(name) ? (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean) : [];
  const child = spawn(process.execPath, [...nodeArgs, main], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const url = `http://127.0.0.1:${port}`;
  // A loaded machine starting a primary and its workers can take a while.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${readFileSync(log, 'utf8').slice(-2000)}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return { name, url, child, log };
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy (log: ${log})`);
    await sleep(100);
  }
}

/** Ends a child and waits for it (SIGKILL after `graceMs`). */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kernel clock ticks a second, for /proc/<pid>/stat's utime and stime (100 on Linux). */
const CLOCK_TICKS = 100;

/** A process and all its descendants (a gateway's workers), read from /proc. */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${pids[i]}/task`)) {
        const kids = readFileSync(`/proc/${pids[i]}/task/${task}/children`, 'utf8').trim();
        if (kids) pids.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // gone between two reads
    }
  }
  return pids;
}

/** CPU time (user + system, ms) a process has used so far; 0 once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * How long a process's main thread (a Node process's event loop) has waited for a core while
 * ready to run, in ms (/proc/<pid>/schedstat, second field, ns): time lost to other work on the
 * machine rather than spent by the process. 0 once it is gone.
 */
export function runQueueWaitMsOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in bytes, as the kernel counts it; 0 once it is gone. */
export function rssBytesOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU and memory of a process tree over a measured window: CPU from utime + stime of every
 * process in it, RSS summed over them, sampled every 250 ms for its peak.
 */
export class ProcessTreeMeter {
  private readonly cpuAtStart = new Map<number, number>();
  private readonly cpuLatest = new Map<number, number>();
  private readonly waitAtStart = new Map<number, number>();
  private readonly waitLatest = new Map<number, number>();
  private peakRss = 0;
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private stoppedAt = 0;

  constructor(private readonly rootPid: number) {}

  /** Resident memory of the whole tree now. */
  rssNow(): number {
    return processTree(this.rootPid).reduce((sum, pid) => sum + rssBytesOf(pid), 0);
  }

  /** Processes in the tree now. */
  pids(): number[] {
    return processTree(this.rootPid);
  }

  start(): void {
    this.startedAt = performance.now();
    for (const pid of processTree(this.rootPid)) {
      this.cpuAtStart.set(pid, cpuMsOf(pid));
      this.waitAtStart.set(pid, runQueueWaitMsOf(pid));
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  /**
   * `runQueueWaitShare`: the share of the window the busiest process's event loop spent waiting
   * for a core (0.3 = its loop stood ready but unscheduled 30% of the time).
   */
  stop(): { cpuMs: number; peakRssBytes: number; wallMs: number; runQueueWaitShare: number } {
    clearInterval(this.timer);
    this.sample();
    this.stoppedAt = performance.now();
    let cpuMs = 0;
    for (const [pid, latest] of this.cpuLatest) cpuMs += latest - (this.cpuAtStart.get(pid) ?? 0);
    const wallMs = this.stoppedAt - this.startedAt;
    let waitMs = 0;
    for (const [pid, latest] of this.waitLatest) waitMs = Math.max(waitMs, latest - (this.waitAtStart.get(pid) ?? latest));
    return { cpuMs, peakRssBytes: this.peakRss, wallMs, runQueueWaitShare: wallMs > 0 ? waitMs / wallMs : 0 };
  }

  private sample(): void {
    let rss = 0;
    for (const pid of processTree(this.rootPid)) {
      const cpu = cpuMsOf(pid);
      if (cpu > 0) this.cpuLatest.set(pid, cpu);
      const wait = runQueueWaitMsOf(pid);
      if (wait > 0) this.waitLatest.set(pid, wait);
      rss += rssBytesOf(pid);
    }
    this.peakRss = Math.max(this.peakRss, rss);
  }
}
