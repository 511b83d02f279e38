import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface RedisServerOptions {
  /** Append-only file on (as docker-compose runs it), so a restart keeps the queue. Default true. */
  appendOnly?: boolean;
  /** Reuse this data folder (for a restart); default a new temporary one, removed by `stop()`. */
  dir?: string;
  port?: number;
}

/**
 * Debian's redis-server (installed by .ci/run), started for one test on a free loopback port with
 * a data folder of its own. `restart()` kills it and starts it again on the same port and folder,
 * for tests that take Redis away mid-campaign.
 */
export class RedisTestServer {
  private child?: ChildProcess;
  private ownDir = false;
  readonly dir: string;
  port = 0;

  constructor(private readonly options: RedisServerOptions = {}) {
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'codcall-redis-'));
    this.ownDir = options.dir === undefined;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= this.options.port ?? (await freePort());
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--protected-mode', 'no', '--loglevel', 'warning'];
    if (this.options.appendOnly !== false) args.push('--appendonly', 'yes', '--appendfsync', 'everysec');
    const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (error) => reject(new Error(`redis-server could not start (is Debian's redis-server installed? .ci/run installs it): ${error.message}`))),
    );
    this.child = child;
    await Promise.race([this.waitForPing(child, () => stderr), spawnError]);
    return this;
  }

  /** SIGKILL, then start again on the same port and data folder (the AOF brings the data back). */
  async restart(downMs = 0): Promise<void> {
    await this.kill();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitForPing(child: ChildProcess, stderr: () => string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr().slice(-500)}`);
      if (await ping(this.port)) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on ${this.port} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** One RESP PING over a raw socket: true when the server answers +PONG (not while it loads its AOF). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
