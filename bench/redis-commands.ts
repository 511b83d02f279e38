/**
 * Where a benchmark's Redis commands go: every command Redis ran in the measured window
 * (INFO commandstats, which counts the commands inside BullMQ's Lua scripts too), and, with
 * MONITOR (redis-cli's: ioredis's own misreads a busy server's first lines), who sent each one
 * (the process that owns the client's socket, from `ss`) and what it was (a BullMQ script by name,
 * or a plain command). MONITOR costs Redis and this process a little per command: worth it for a
 * breakdown run, not for a throughput figure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';

export interface CommandCount {
  /** A command ("hget", "evalsha"), or a BullMQ script a client sent by name ("script moveToFinished"). */
  kind: string;
  calls: number;
}

export interface SenderTally {
  sender: string;
  /** Commands the process sent (one round trip each, or one slot of a pipeline). */
  sent: number;
  /** Commands Redis ran for it, those inside its scripts included. */
  run: number;
  bySent: CommandCount[];
}

export interface RedisCommandReport {
  /** Every command Redis ran (commandstats), inside scripts too. */
  total: number;
  byCommand: CommandCount[];
  bySender?: SenderTally[];
}

/** BullMQ's scripts by the SHA-1 ioredis sends them under (EVALSHA), so a breakdown names them. */
function bullmqScriptsBySha(): Map<string, string> {
  // BullMQ exports no types for its script bodies: read them as the package ships them.
  const bodies = createRequire(__filename)('bullmq/dist/cjs/scripts/index.js') as Record<string, { name: string; content: string }>;
  const scripts = Object.values(bodies).filter((script) => typeof script?.content === 'string');
  return new Map(scripts.map((script) => [createHash('sha1').update(script.content).digest('hex'), script.name]));
}

/** Local address -> pid of every TCP connection to `port` on this machine. */
function socketOwners(port: number): Map<string, number> {
  const owners = new Map<string, number>();
  try {
    const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const match = /^\S+\s+\S+\s+(\S+)\s+\S+.*pid=(\d+)/.exec(line.trim());
      if (match) owners.set(match[1], Number(match[2]));
    }
  } catch {
    // ss missing or refused: senders stay addresses
  }
  return owners;
}

function countsOf(map: Map<string, number>): CommandCount[] {
  return [...map.entries()].map(([kind, calls]) => ({ kind, calls })).sort((a, b) => b.calls - a.calls);
}

const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

export class RedisCommandTally {
  private readonly admin: Redis;
  private monitor?: ChildProcess;
  private readonly marks = new Map<string, () => void>();
  private owners = new Map<string, number>();
  private ownerTimer?: NodeJS.Timeout;
  private readonly sentBy = new Map<string, Map<string, number>>();
  private readonly runBy = new Map<string, number>();
  private lastSender = 'unknown';
  private readonly scripts = bullmqScriptsBySha();

  constructor(private readonly url: string, private readonly options: { bySender: boolean }) {
    this.admin = new Redis(url, { maxRetriesPerRequest: null });
  }

  /** Zeroes Redis's counters and, by sender, starts listening. */
  async start(): Promise<void> {
    await this.admin.config('RESETSTAT');
    if (!this.options.bySender) return;
    const url = new URL(this.url);
    const port = Number(url.port);
    const monitor = spawn('redis-cli', ['-h', url.hostname, '-p', String(port), 'monitor'], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.monitor = monitor;
    const lines = createInterface({ input: monitor.stdout! });
    await new Promise<void>((resolve, reject) => {
      monitor.once('error', reject);
      lines.once('line', () => resolve()); // MONITOR's "OK"
    });
    lines.on('line', (line) => this.seenLine(line));
    // Sockets come and go (a campaign's queue connections close when it ends): who owns each is read every second.
    const readOwners = () => {
      for (const [address, pid] of socketOwners(port)) this.owners.set(address, pid);
    };
    readOwners();
    this.ownerTimer = setInterval(readOwners, 1000);
  }

  /** What ran since start; `names` tells a pid's service (this process's own commands are left out). */
  async stop(names: Map<number, string>): Promise<RedisCommandReport> {
    clearInterval(this.ownerTimer);
    names = new Map([...names, [process.pid, 'bench']]);
    const stats = await this.admin.info('commandstats');
    const byCommand = new Map<string, number>();
    for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (!['info', 'config|resetstat', 'monitor'].includes(match[1])) bump(byCommand, match[1], Number(match[2]));
    const total = [...byCommand.values()].reduce((sum, n) => sum + n, 0);
    const report: RedisCommandReport = { total, byCommand: countsOf(byCommand) };
    if (this.monitor) {
      // Every command sent before now has been read once our own marker has.
      await new Promise<void>((resolve) => {
        const mark = randomUUID();
        this.marks.set(mark, resolve);
        void this.admin.echo(mark);
      });
      this.monitor.kill();
      const bySender = new Map<string, SenderTally>();
      for (const [address, sent] of this.sentBy) {
        const pid = this.owners.get(address);
        const sender = (pid !== undefined ? names.get(pid) : undefined) ?? (pid !== undefined ? `pid ${pid}` : 'closed before its owner was read');
        const tally = bySender.get(sender) ?? { sender, sent: 0, run: 0, bySent: [] };
        const merged = new Map(tally.bySent.map((c) => [c.kind, c.calls]));
        for (const [kind, calls] of sent) {
          bump(merged, kind, calls);
          tally.sent += calls;
        }
        tally.run += this.runBy.get(address) ?? 0;
        tally.bySent = countsOf(merged);
        bySender.set(sender, tally);
      }
      report.bySender = [...bySender.values()].filter((tally) => tally.sender !== 'bench').sort((a, b) => b.run - a.run);
    }
    this.admin.disconnect();
    return report;
  }

  /** `1796161610.330255 [0 127.0.0.1:55000] "evalsha" "<sha>" ...`, or `[0 lua]` for a command a script ran. */
  private seenLine(line: string): void {
    const match = /^\S+ \[\d+ ([^\]]+)\] "((?:[^"\\]|\\.)*)"(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
    if (!match) return;
    const [, source, name, first] = match;
    if (name.toLowerCase() === 'echo' && first && this.marks.has(first)) {
      this.marks.get(first)!();
      return;
    }
    this.seen([name, first ?? ''], source);
  }

  private seen(args: string[], source: string): void {
    if (source === 'lua') {
      // Redis 7 shows a script's EVALSHA first, then the commands it ran, before anything else.
      bump(this.runBy, this.lastSender);
      return;
    }
    this.lastSender = source;
    bump(this.runBy, source);
    const name = args[0]?.toLowerCase() ?? '?';
    const kind = name === 'evalsha' ? `script ${this.scripts.get(args[1]) ?? args[1].slice(0, 8)}` : name;
    const sent = this.sentBy.get(source) ?? new Map<string, number>();
    bump(sent, kind);
    this.sentBy.set(source, sent);
  }
}
