import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CampaignStore } from '@codcall/campaign-store';
import { SpeechSideChannel } from '@codcall/media';
import { FakePlivoServer, FakeTwilioServer } from '@codcall/test-support';
import { freePort, MAINS, runCli, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';

/**
 * The gateway killed with calls in flight, then started again on the same data folder: it
 * answers for every call it placed (failed: gateway restarted), never dials one of them again,
 * and hangs up at the carrier what is still ringing there.
 */
const RINGING = 24;
const BUSY = 2;
const CAMPAIGN = 'restart-e2e';
const HEADER = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes\r\n';
const phone = (i: number) => `+1555010${String(i).padStart(4, '0')}`;

/** Rows 0..23 ring for two minutes, 24..25 are busy at once; one row was settled before; one number is invalid. */
function campaignCsv(outcome: (i: number) => string): string {
  const rows: string[] = [];
  for (let i = 0; i < RINGING + BUSY; i++) rows.push(`"Callee ${i}, Esq.",${phone(i)},R${i},${outcome(i)},,,"ring ""long""\r\nplease"\r\n`);
  rows.push(`Done Before,${phone(90)},R90,confirmed,,,\r\n`);
  rows.push(`Bad Number,12345,R91,${outcome(91)},,,\r\n`);
  return HEADER + rows.join('');
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

async function until<T>(what: string, check: () => T | undefined | false, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Dials per number, from the gateway's own call store (read once the gateway has let go of it). */
function dialsPerNumber(dataDir: string): Map<string, number> {
  const db = new Database(join(dataDir, 'calls.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT to_number AS number, count(*) AS dials FROM calls GROUP BY to_number').all() as { number: string; dials: number }[];
    return new Map(rows.map((row) => [row.number, row.dials]));
  } finally {
    db.close();
  }
}

describe('a gateway killed with calls in flight and started again', () => {
  let work: string;
  let agentApi: RunningService;
  let agentId: string;

  beforeAll(async () => {
    for (const main of Object.values(MAINS)) {
      if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    }
    work = mkdtempSync(join(tmpdir(), 'codcall-restart-'));
    const agentPort = await freePort();
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'agents') }, agentPort);
    const created = await fetch(`${agentApi.url}/agent`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json' }),
      body: readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json')),
    }).then((r) => r.json() as Promise<{ agent_id: string }>);
    agentId = created.agent_id;
  }, 60_000);

  afterAll(async () => {
    await agentApi?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The built gateway on `dataDir`; `env` adds carriers. */
  async function gateway(dataDir: string, env: Record<string, string> = {}): Promise<RunningService> {
    const port = await freePort();
    return startService(
      MAINS.gateway,
      { GATEWAY_PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, AGENT_API_URL: agentApi.url, GATEWAY_DATA_DIR: dataDir, RECORDS_DIR: join(dataDir, 'records'), RING_TIMEOUT_SECONDS: '600', ...env },
      port,
    );
  }

  const kill = async (service: RunningService) => {
    service.process.kill('SIGKILL');
    await waitForExit(service.process);
  };

  it('through the simulator and the CLI: every in-flight row ends failed with the reason, none is dialled again, the CSV is intact but for its outcomes', async () => {
    const dir = join(work, 'campaign');
    const dataDir = join(work, 'gateway-sim');
    const csv = join(dir, 'calls.csv');
    const callees = join(dir, 'callees.json');
    const original = campaignCsv(() => '');
    mkdirSync(dir, { recursive: true });
    writeFileSync(csv, original);
    const profiles: Record<string, unknown> = {};
    for (let i = 0; i < RINGING; i++) profiles[phone(i)] = { answer: 'no_answer', ringSeconds: 120 };
    for (let i = RINGING; i < RINGING + BUSY; i++) profiles[phone(i)] = { answer: 'busy', ringSeconds: 0 };
    writeFileSync(callees, JSON.stringify(profiles));
    const args = [`--agentId=${agentId}`, '--csv', csv, '--simulate', callees, '--campaign', CAMPAIGN, '--concurrency', '40', '--cps', '50', '--max-attempts', '1', '--window', '00:00-24:00', '--no-progress'];

    const first = await gateway(dataDir);
    const run = runCli(args, { AGENT_API_URL: agentApi.url, GATEWAY_URL: first.url, LOG_LEVEL: 'warn' });
    const storePath = join(dir, 'codcall-campaigns.sqlite');
    const attempts = () => {
      const store = existsSync(storePath) ? CampaignStore.openForReading(storePath, { key: CAMPAIGN }) : undefined;
      if (!store) return [];
      try {
        return store.attempts();
      } finally {
        store.close();
      }
    };
    // Every ringing row placed (no dial in doubt), the busy ones finished.
    await until('the calls to be in flight', () => {
      let seen: ReturnType<typeof attempts>;
      try {
        seen = attempts();
      } catch {
        return false; // the CLI is still creating its store
      }
      return seen.filter((a) => a.callId && !a.outcome).length >= RINGING && seen.filter((a) => a.outcome?.status === 'busy').length === BUSY;
    });
    await kill(first);
    const interrupted = await run;
    expect(interrupted.code).not.toBe(0);
    const inFlight = attempts().filter((a) => !a.outcome);
    expect(inFlight).toHaveLength(RINGING);

    const second = await gateway(dataDir);
    try {
      const resumed = await runCli(args, { AGENT_API_URL: agentApi.url, GATEWAY_URL: second.url, LOG_LEVEL: 'warn' });
      if (resumed.code !== 0) throw new Error(`the CLI exited ${resumed.code}\n${resumed.stdout}\n${resumed.stderr}\n${second.output()}`);

      // The gateway answers for a call the killed one placed.
      const killed = await fetch(`${second.url}/call/${inFlight[0].callId}`, { headers: withApiKey() }).then((r) => r.json() as Promise<{ state: string; outcome: unknown }>);
      expect(killed).toMatchObject({ state: 'completed', outcome: { status: 'failed', reason: 'gateway restarted' } });
    } finally {
      await second.stop();
    }

    // The CSV is what it was, byte for byte, but for each row's outcome.
    expect(readFileSync(csv, 'utf8')).toBe(campaignCsv((i) => (i < RINGING ? 'failed' : i < RINGING + BUSY ? 'busy' : 'invalid_number')));
    // Each row was dialled once: one attempt in the campaign, one call at the gateway.
    const final = attempts();
    for (let i = 0; i < RINGING; i++) {
      const mine = final.filter((a) => a.phone === phone(i));
      expect(mine).toHaveLength(1);
      expect(mine[0].outcome).toMatchObject({ status: 'failed', reason: 'gateway restarted' });
    }
    const dials = dialsPerNumber(dataDir);
    expect([...dials.values()].every((n) => n === 1)).toBe(true);
    expect(dials.size).toBe(RINGING + BUSY);
  }, 240_000);

  it('through Twilio and Plivo: the restarted gateway asks each carrier about the calls it lost and hangs up those still ringing', async () => {
    const ACCOUNT_SID = 'AC' + 'c3'.repeat(16);
    const TWILIO_TOKEN = 'twilio-token-for-the-restart-test';
    const AUTH_ID = 'MARESTARTTESTAUTHID0';
    const PLIVO_TOKEN = 'plivo-token-for-the-restart-test';
    const ringing = { answer: 'human' as const, ringSeconds: 90 };
    const callees = { '+15550200001': ringing, '+15550200002': ringing };
    const twilio = await new FakeTwilioServer({ accountSid: ACCOUNT_SID, authToken: TWILIO_TOKEN, speak: async () => Buffer.alloc(160), sideChannel: new SpeechSideChannel(), callees }).start();
    const plivo = await new FakePlivoServer({ authId: AUTH_ID, authToken: PLIVO_TOKEN, speak: async () => Buffer.alloc(160), sideChannel: new SpeechSideChannel(), callees }).start();
    const dataDir = join(work, 'gateway-carriers');
    const env = {
      SIMULATOR_ENABLED: 'false',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_PHONE_NUMBER: '+15005550006',
      TWILIO_API_BASE_URL: twilio.baseUrl,
      PLIVO_AUTH_ID: AUTH_ID,
      PLIVO_AUTH_TOKEN: PLIVO_TOKEN,
      PLIVO_PHONE_NUMBER: '+15005550006',
      PLIVO_API_BASE_URL: plivo.baseUrl,
    };
    const dial = (url: string, to: string, carrier: string, key: string) =>
      fetch(`${url}/call`, {
        method: 'POST',
        headers: withApiKey({ 'content-type': 'application/json', 'idempotency-key': key }),
        body: JSON.stringify({ agent_id: agentId, recipient_phone_number: to, carrier, context: { name: 'A', order_id: key } }),
      });
    try {
      const first = await gateway(dataDir, env);
      const placed: { key: string; to: string; carrier: string; callId: string }[] = [];
      for (const carrier of ['twilio', 'plivo']) {
        for (const to of Object.keys(callees)) {
          const key = `${carrier}-${to}`;
          const { call_id } = await dial(first.url, to, carrier, key).then((r) => r.json() as Promise<{ call_id: string }>);
          placed.push({ key, to, carrier, callId: call_id });
        }
      }
      await kill(first);

      // The new gateway has already asked, and hung up, before it answers its first request.
      const second = await gateway(dataDir, env);
      try {
        for (const call of placed) {
          const view = await fetch(`${second.url}/call/${call.callId}`, { headers: withApiKey() }).then((r) => r.json() as Promise<{ outcome: unknown }>);
          expect(view.outcome).toEqual({ status: 'failed', reason: 'gateway restarted' });
          // The same dial again is the same call; the same key for another number is refused.
          const again = await dial(second.url, call.to, call.carrier, call.key);
          expect(((await again.json()) as { call_id: string }).call_id).toBe(call.callId);
        }
        expect((await dial(second.url, '+15550200009', 'twilio', placed[0].key)).status).toBe(409);
      } finally {
        await second.stop();
      }

      expect(twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Calls.json'))).toHaveLength(2);
      expect(twilio.requests.filter((r) => r.method === 'GET' && /\/Calls\/CA[0-9a-f]{32}\.json$/.test(r.path))).toHaveLength(2);
      const twilioHangups = twilio.requests.filter((r) => r.method === 'POST' && /\/Calls\/CA[0-9a-f]{32}\.json$/.test(r.path));
      expect(twilioHangups.map((r) => r.params['Status'])).toEqual(['completed', 'completed']);
      // Plivo: asked as live calls (not found: still ringing), then as queued ones, then cancelled as requests.
      expect(plivo.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Call/'))).toHaveLength(2);
      expect(plivo.requests.filter((r) => r.method === 'GET').map((r) => r.status).sort()).toEqual([200, 200, 404, 404]);
      expect(plivo.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path.split('/')[4], r.status])).toEqual([
        ['Request', 204],
        ['Request', 204],
      ]);
    } finally {
      await twilio.close();
      await plivo.close();
    }
  }, 120_000);
});
