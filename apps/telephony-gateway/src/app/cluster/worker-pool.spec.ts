import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@codcall/logging';
import { WorkerPool, WorkerStartError } from './worker-pool';

/**
 * Workers stood in for by a tiny script with the real IPC protocol: it says it is ready on a
 * port, reports a load, answers the primary's word that the public port is open, and exits on
 * SIGTERM; FAIL_WORKER makes one worker die first.
 */
const WORKER_SCRIPT = `
const index = Number(process.env.WORKER_INDEX);
if (process.env.FAIL_WORKER === String(index)) process.exit(2);
process.send({ type: 'gateway:ready', port: 40000 + index });
process.send({ type: 'gateway:load', callsLive: index * 10 });
// Told that the public port is open, it says so through its load (a stand-in's only other word).
process.on('message', (message) => message.type === 'gateway:public-port-open' && process.send({ type: 'gateway:load', callsLive: 1000 + index }));
process.on('SIGTERM', () => process.exit(0));
setInterval(() => undefined, 1000);
`;

describe('the gateway\'s worker processes', () => {
  let dir: string;
  let script: string;
  let lines: string[];
  const pools: WorkerPool[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'worker-pool-'));
    script = join(dir, 'worker.js');
    writeFileSync(script, WORKER_SCRIPT);
  });

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.stop()));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const poolOf = (count: number, env: Record<string, string> = {}) => {
    lines = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const pool = new WorkerPool({
      count,
      maxCallsOf: (index) => index * 5,
      logger: createLogger({ name: 'worker-pool-spec', destination }),
      restartDelayMs: 10,
      fork: (index) => fork(script, [], { env: { ...process.env, ...env, WORKER_INDEX: String(index) }, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }),
    });
    pools.push(pool);
    return pool;
  };

  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('starts every worker and knows each one\'s port, share of the calls and live calls', async () => {
    const pool = poolOf(2);
    await pool.start();
    await until('both loads', () => pool.slots.every((slot) => slot.callsLive > 0));
    expect(pool.slots.map(({ index, port, maxCalls, callsLive }) => ({ index, port, maxCalls, callsLive }))).toEqual([
      { index: 1, port: 40001, maxCalls: 5, callsLive: 10 },
      { index: 2, port: 40002, maxCalls: 10, callsLive: 20 },
    ]);
  });

  it('starts a worker killed with -9 again, says so, and leaves the other alone', async () => {
    const pool = poolOf(2);
    await pool.start();
    const [first, second] = pool.slots.map((slot) => slot.pid);
    process.kill(first ?? 0, 'SIGKILL');
    await until('worker 1 to be back', () => pool.ready(1) !== undefined && pool.slots[0].pid !== first);
    expect(pool.slots[1].pid).toBe(second);
    expect(lines.join('')).toMatch(/"worker":1.*"signal":"SIGKILL".*gateway worker died: restarting it/);
  });

  it('tells every worker once the public port is open, and a worker started again as soon as it is ready, so none takes queued calls before their webhooks can reach it', async () => {
    const pool = poolOf(2);
    await pool.start();
    await until('both loads', () => pool.slots.every((slot) => slot.callsLive > 0));
    expect(pool.slots.map((slot) => slot.callsLive)).toEqual([10, 20]);
    pool.announcePublicPort();
    await until('both told', () => pool.slots.every((slot) => slot.callsLive > 1000));
    const first = pool.slots[0].pid;
    process.kill(first ?? 0, 'SIGKILL');
    await until('worker 1 back and told', () => pool.slots[0].pid !== first && pool.slots[0].callsLive === 1001);
  });

  it('fails its start when a worker dies before it is ready, with the worker\'s exit code', async () => {
    const pool = poolOf(2, { FAIL_WORKER: '2' });
    const failure = await pool.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkerStartError);
    expect(failure).toMatchObject({ index: 2, exitCode: 2 });
  });

  it('stops every worker together and starts none again', async () => {
    const pool = poolOf(2);
    await pool.start();
    const pids = pool.slots.map((slot) => slot.pid ?? 0);
    await pool.stop();
    expect(pool.readySlots).toEqual([]);
    const alive = pids.filter((pid) => {
      try {
        return process.kill(pid, 0);
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});
