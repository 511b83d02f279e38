import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { CalleeProfile, CallViewBody, PlacedCallBody } from '@codcall/gateway-api';
import { signTwilioRequest } from '@codcall/telephony-providers';
import { freePort, MAINS, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';

/**
 * The gateway as one process per core (GATEWAY_WORKERS=2) behind one public port, dialling the
 * carrier simulator: calls are spread over both workers, every webhook and media stream of a call
 * reaches the worker that owns it whichever connection it comes on, and a worker killed with -9
 * is started again by the primary while the other goes on.
 */
const SIM_SECRET = 'cluster-e2e-simulator-secret';
const WORKERS = 2;

interface Stats {
  workers: { pid: number; calls_live: number; event_loop_delay_p99_ms: number; cpu_user_ms: number; rss_bytes: number }[];
  totals: { workers: number; calls_live: number };
}

/** The worker a call id names: its last byte (see call-ownership.ts). */
const ownerOf = (callId: string) => Number.parseInt(callId.slice(-2), 16);

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('a gateway with one worker per core', () => {
  let work: string;
  let agentApi: RunningService;
  let gateway: RunningService;
  let agentId: string;

  beforeAll(async () => {
    for (const main of Object.values(MAINS)) {
      if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    }
    work = mkdtempSync(join(tmpdir(), 'codcall-cluster-'));
    const [agentPort, gatewayPort] = [await freePort(), await freePort()];
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'agents') }, agentPort);
    gateway = await startService(
      MAINS.gateway,
      {
        GATEWAY_WORKERS: String(WORKERS),
        GATEWAY_PORT: String(gatewayPort),
        PUBLIC_BASE_URL: `http://127.0.0.1:${gatewayPort}`,
        AGENT_API_URL: agentApi.url,
        RECORDS_DIR: join(work, 'calls'),
        SIMULATOR_WEBHOOK_SECRET: SIM_SECRET,
        GATEWAY_MAX_CALLS: '40',
      },
      gatewayPort,
    );
    const created = await fetch(`${agentApi.url}/agent`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json' }),
      body: readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json')),
    }).then((response) => response.json() as Promise<{ agent_id: string }>);
    agentId = created.agent_id;
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await agentApi?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  const dial = async (simulation: CalleeProfile, key?: string): Promise<PlacedCallBody> => {
    const response = await fetch(`${gateway.url}/call`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }),
      body: JSON.stringify({ agent_id: agentId, recipient_phone_number: '+15551234567', carrier: 'sim', simulation, context: { name: 'Asha', order_id: 'R1', order_total: '499' } }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as PlacedCallBody;
  };
  const view = async (callId: string, wait = 0): Promise<CallViewBody> => (await fetch(`${gateway.url}/call/${callId}?wait=${wait}`, { headers: withApiKey() })).json() as Promise<CallViewBody>;
  const stats = async (): Promise<Stats> => (await fetch(`${gateway.url}/stats`, { headers: withApiKey() })).json() as Promise<Stats>;
  /** Dials ringing calls until one belongs to `worker`; the others are left to ring out. */
  const ringingCallOf = async (worker: number): Promise<PlacedCallBody> => {
    for (let i = 0; i < 10; i++) {
      const placed = await dial({ answer: 'human', ringSeconds: 60 });
      if (ownerOf(placed.call_id) === worker) return placed;
    }
    throw new Error(`no call landed on worker ${worker}`);
  };

  it('spreads the calls over both workers, and each one ends with its callee\'s outcome', async () => {
    // Two dials at once go to the two workers in turn (both have room).
    const talking = await Promise.all(Array.from({ length: 2 }, () => dial({ answer: 'human', says: ['Yes, speaking.', 'Yes, please deliver it.'] }).then((placed) => ({ placed, expected: 'confirmed' }))));
    const busy = await Promise.all(Array.from({ length: 4 }, () => dial({ answer: 'busy', ringSeconds: 0.2 }).then((placed) => ({ placed, expected: 'busy' }))));
    const calls = [...talking, ...busy];
    const humanOwners = new Set(calls.filter((call) => call.expected === 'confirmed').map((call) => ownerOf(call.placed.call_id)));
    expect([...humanOwners].sort()).toEqual([1, 2]); // the media of calls on either worker reached it through the one public port

    const during = await stats();
    expect(during.workers).toHaveLength(WORKERS);
    expect(new Set(during.workers.map((worker) => worker.pid)).size).toBe(WORKERS);
    expect(during.workers.every((worker) => worker.rss_bytes > 0 && worker.cpu_user_ms > 0)).toBe(true);

    const ended = await Promise.all(calls.map(async (call) => ({ ...call, final: await view(call.placed.call_id, 55) })));
    for (const call of ended) expect({ id: call.placed.call_id, state: call.final.state, status: call.final.outcome?.status }).toEqual({ id: call.placed.call_id, state: 'completed', status: call.expected });
  }, 60_000);

  it('answers a replayed Idempotency-Key with the call it placed, whichever worker holds it', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `cluster-e2e-row-${i}`);
    const first = await Promise.all(keys.map((key) => dial({ answer: 'busy', ringSeconds: 30 }, key)));
    const again = await Promise.all(keys.map((key) => dial({ answer: 'busy', ringSeconds: 30 }, key)));
    expect(again.map((placed) => placed.call_id)).toEqual(first.map((placed) => placed.call_id));
    expect(new Set(first.map((placed) => ownerOf(placed.call_id))).size).toBe(WORKERS);
  });

  it('takes a signed webhook for worker 2\'s call at the public port to worker 2, signature intact, and its media stream too', async () => {
    const call = await ringingCallOf(2);
    const { carrier_call_id: CallSid } = await until('the dial to return a carrier call id', async () => {
      const now = await view(call.call_id);
      return now.carrier_call_id ? now : undefined;
    });
    const signed = (path: string, params: Record<string, string>) =>
      fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(SIM_SECRET, `${gateway.url}${path}`, params) },
        body: new URLSearchParams(params),
      });
    const answer = await signed(`/call/${call.call_id}/answer`, { CallSid: CallSid ?? '' });
    expect(answer.status).toBe(200);
    const twiml = await answer.text();
    const streamUrl = /<Stream url="([^"]+)"/.exec(twiml)?.[1];
    expect(streamUrl).toBe(`${gateway.url.replace('http', 'ws')}/media-stream/sim/${call.call_id}`);
    const token = /name="token" value="([^"]+)"/.exec(twiml)?.[1] ?? '';

    // The stream, opened at the primary, reaches the owner: it knows the token and takes the call in progress.
    const socket = new WebSocket(streamUrl ?? '');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    socket.send(JSON.stringify({ event: 'start', streamSid: 'MZcluster', start: { streamSid: 'MZcluster', callSid: CallSid, customParameters: { call_id: call.call_id, token } } }));
    await until('the call to be in progress', async () => (await view(call.call_id)).state === 'in_progress');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.close();
    await closed;

    // A forged status is refused by the owner; a signed one is applied by it.
    const forged = await fetch(`${gateway.url}/call/${call.call_id}/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm9wZQ==' }, body: new URLSearchParams({ CallSid: CallSid ?? '', CallStatus: 'completed' }) });
    expect(forged.status).toBe(403);
    expect((await signed(`/call/${call.call_id}/status`, { CallSid: CallSid ?? '', CallStatus: 'completed' })).status).toBe(204);
    expect((await view(call.call_id, 20)).state).toBe('completed');
  }, 40_000);

  it('starts a worker killed with -9 again; its call in flight ends as "gateway restarted" and the other worker never stopped', async () => {
    const victim = await ringingCallOf(1);
    const survivor = await ringingCallOf(2);
    const before = await stats();
    const killed = before.workers[0].pid;
    process.kill(killed, 'SIGKILL');

    const after = await until('worker 1 to be back', async () => {
      const now = await stats().catch(() => undefined);
      return now?.workers?.length === WORKERS && !now.workers.some((worker) => worker.pid === killed) && now;
    });
    expect(after.workers.map((worker) => worker.pid)).toContain(before.workers[1].pid);
    expect(gateway.output()).toMatch(/gateway worker died: restarting it/);
    expect(await view(victim.call_id)).toMatchObject({ state: 'completed', outcome: { status: 'failed', reason: 'gateway restarted' } });
    expect((await view(survivor.call_id)).state).not.toBe('completed');
  }, 40_000);

  it('stops every worker when the primary is told to stop (SIGTERM)', async () => {
    const pids = (await stats()).workers.map((worker) => worker.pid);
    await gateway.stop();
    const alive = pids.filter((pid) => {
      try {
        return process.kill(pid, 0);
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(gateway.process.exitCode).toBe(0);
  }, 30_000);
});
