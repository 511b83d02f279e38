import { EventEmitter } from 'node:events';
import { existsSync, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CampaignLock, CampaignStore } from '@codcall/campaign-store';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { silentLogger } from '@codcall/logging';
// The campaign lib's fake services (to move to @codcall/test-support with the other fakes).
import { FakeAgentApi, FakeGateway, unusedUrl, type FakeCallScript, type PlaceCallBody } from '@codcall/test-support';
import { runCli } from './cli';
import type { CliDeps, Signal } from './cli-deps';

const AGENT = '11111111-1111-4111-8111-111111111111';

const CSV = [
  'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city',
  'John Doe,+15551234567,ORD001,,,,Austin',
  'Jane Smith,+15559876543,ORD002,,,,Boston',
  'Priya Sharma,+919876543210,ORD003,,,,Mumbai',
  'María García,+525512345678,ORD004,,,,Ciudad de México',
  'Wrong Format,98765 43210,ORD005,,,,Pune',
  'Already Done,+15551230000,ORD006,confirmed,,,Austin',
  '',
].join('\n');

const CALLEES = {
  '+15551234567': { answer: 'human', says: ['Yes, please deliver it.'] },
  '+15559876543': { answer: 'human', says: ['Please cancel it.'] },
  '+919876543210': { answer: 'human', says: ['Can you deliver it tomorrow at 3 pm?'] },
  '+525512345678': { answer: 'no_answer' },
};

/** The gateway's simulator, reduced to what the callees above would lead to. */
function simulatedOutcome(call: PlaceCallBody): FakeCallScript {
  switch (call.recipient_phone_number) {
    case '+15559876543':
      return { outcome: { status: 'cancelled' } };
    case '+919876543210':
      return { outcome: { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' } };
    case '+525512345678':
      return { outcome: { status: 'no_answer' } };
    default:
      return { outcome: { status: 'confirmed' } };
  }
}

class Captured extends Writable {
  text = '';
  readonly columns = 200;
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * These stories are about one call per row at any hour; retries, windows and pacing have their own.
 * Appended to every start command by `cli()`; the campaign-rule stories below call runCli with their own.
 */
const ONE_CALL_ANY_TIME = ['--window', '00:00-24:00', '--cps', '1000', '--max-attempts', '1'];

function startArgs(args: string[]): string[] {
  return args[0] === 'report' || args.includes('--help') ? args : [...args, ...ONE_CALL_ANY_TIME];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('outbound-cli', () => {
  let dir: string;
  let csv: string;
  let callees: string;
  let gateway: FakeGateway;
  let agentApi: FakeAgentApi;
  let signals: EventEmitter;
  let exits: number[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outbound-cli-'));
    csv = join(dir, 'call_list.csv');
    callees = join(dir, 'callees.json');
    writeFileSync(csv, CSV);
    writeFileSync(callees, JSON.stringify(CALLEES));
    agentApi = await new FakeAgentApi([AGENT]).start();
    signals = new EventEmitter();
    exits = [];
  });

  afterEach(async () => {
    await gateway?.stop();
    await agentApi.stop();
  });

  async function startGateway(options: ConstructorParameters<typeof FakeGateway>[0] = {}): Promise<FakeGateway> {
    gateway = await new FakeGateway({ carriers: ['sim'], script: simulatedOutcome, ...options }).start();
    return gateway;
  }

  function deps(overrides: Partial<CliDeps> & { tty?: boolean } = {}): CliDeps & { stdout: Captured; stderr: Captured } {
    return {
      env: { GATEWAY_URL: gateway?.url, AGENT_API_URL: agentApi.url },
      cwd: dir,
      stdout: new Captured(),
      stderr: new Captured(overrides.tty),
      onSignal: (listener) => {
        signals.on('signal', listener);
        return () => signals.off('signal', listener);
      },
      exitNow: (code) => void exits.push(code),
      logger: silentLogger(),
      pollSeconds: 5,
      ...overrides,
    } as CliDeps & { stdout: Captured; stderr: Captured };
  }

  async function cli(args: string[], overrides: Partial<CliDeps> & { tty?: boolean } = {}): Promise<Run> {
    const d = deps(overrides);
    const code = await runCli(startArgs(args), d);
    return { code, stdout: d.stdout.text, stderr: d.stderr.text };
  }

  describe('a campaign', () => {
    it('given simulated callees, writes each outcome into the CSV and prints the summary', async () => {
      await startGateway();
      const run = await cli([`--agentId=${AGENT}`, '--csv', csv, '--simulate', callees, '--no-progress']);

      expect(run.stderr).not.toMatch(/outbound-cli:/);
      expect(run.code).toBe(0);
      expect(readFileSync(csv, 'utf8')).toBe(
        CSV.replace('ORD001,,,', 'ORD001,confirmed,,')
          .replace('ORD002,,,', 'ORD002,cancelled,,')
          .replace('ORD003,,,', 'ORD003,rescheduled,2031-05-06,15:00')
          .replace('ORD004,,,', 'ORD004,no_answer,,')
          .replace('ORD005,,,', 'ORD005,invalid_number,,'),
      );
      expect(gateway.received.every((call) => call.carrier === 'sim' && call.agent_id === AGENT)).toBe(true);
      expect(gateway.received.find((call) => call.context['order_id'] === 'ORD004')?.simulation).toEqual({ answer: 'no_answer' });

      expect(run.stdout).toMatch(/confirmed\s+\|\s+1\s+\|\s+20%/);
      expect(run.stdout).toMatch(/rescheduled\s+\|\s+1/);
      expect(run.stdout).toMatch(/invalid_number\s+\|\s+1/);
      expect(run.stdout).toMatch(/total\s+\|\s+5\s+\|\s+100%/);
      expect(run.stdout).toContain('1 already final, skipped');
      expect(run.stdout).toContain(`CSV: ${csv}`);

      // One plain line per finished row: masked phone, order id, status; never a whole number.
      expect(run.stderr).toMatch(/ORD003 {2}\+91\*+10 {2}rescheduled to 2031-05-06 15:00/);
      expect(run.stderr).toMatch(/ORD005 .* invalid_number/);
      expect(run.stderr).not.toContain('+15551234567');
    });

    it('accepts --agent-id and --carrier, and defaults the CSV to ./call_list.csv', async () => {
      await startGateway();
      const run = await cli([`--agent-id=${AGENT}`, '--carrier', 'sim', '--no-progress']);
      expect(run.code).toBe(0);
      expect(readFileSync(csv, 'utf8')).toContain('ORD001,confirmed');
      expect(gateway.received[0]).not.toHaveProperty('simulation');
    });

    it('shows a progress bar with the live tally when stderr is a terminal', async () => {
      await startGateway();
      const run = await cli([`--agentId=${AGENT}`, '--simulate', callees], { tty: true });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/5\/5 rows \| confirmed 1 · cancelled 1 · rescheduled 1 · no_answer 1 · invalid_number 1/);
      expect(run.stderr).toContain('5 of 6 rows to process');
    });

    it('runs "start" when named, too', async () => {
      await startGateway();
      expect((await cli(['start', `--agentId=${AGENT}`, '--provider', 'sim', '--no-progress'])).code).toBe(0);
    });
  });

  describe('bad input exits 2 with one clear line', () => {
    beforeEach(() => startGateway());

    it.each([
      [[], 'outbound-cli: missing --agentId <id>: the agent_id that POST /agent returned\n'],
      [['--agentId=a', '--concurrency', '0'], 'outbound-cli: --concurrency must be a whole number from 1 to 100, got "0"\n'],
      [['--agentId=a', '--concurrency', 'many'], 'outbound-cli: --concurrency must be a whole number from 1 to 100, got "many"\n'],
      [['--agentId=a', '--provider', 'skype'], 'outbound-cli: --provider must be one of twilio, plivo, sim, got "skype"\n'],
      [['--agentId=a', '--simulate', 'x.json', '--provider', 'twilio'], "outbound-cli: --simulate dials through the gateway's simulator, so it cannot be combined with --provider twilio\n"],
      [['--agentId=a', '--gateway-url', 'localhost:5002'], 'outbound-cli: --gateway-url must be an http(s) URL such as http://127.0.0.1:5002, got "localhost:5002"\n'],
      [['--agentId=a', '--bogus'], "outbound-cli: unknown option '--bogus'\n"],
    ])('%j', async (args, message) => {
      const run = await cli(args);
      expect(run).toEqual({ code: 2, stdout: '', stderr: message });
      expect(gateway.received).toEqual([]);
    });

    it('names the number and the field that is wrong in the callee file', async () => {
      writeFileSync(callees, JSON.stringify({ '+15551234567': { answer: 'human', says: 'Yes' } }));
      const run = await cli([`--agentId=${AGENT}`, '--simulate', callees]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`outbound-cli: ${callees}: +15*******67: says must be an array of lines (non-empty strings, or objects like {"say": "Yes.", "pauseMs": 300}), got "Yes"\n`);

      writeFileSync(callees, JSON.stringify({ '+15551234567': { answer: 'maybe' } }));
      expect((await cli([`--agentId=${AGENT}`, '--simulate', callees])).stderr).toContain('+15*******67: answer must be one of human, voicemail, no_answer, busy, failed (got "maybe")');
    });

    it('passes the CSV error on', async () => {
      const run = await cli([`--agentId=${AGENT}`, '--csv', join(dir, 'missing.csv'), '--provider', 'sim']);
      expect(run).toMatchObject({ code: 2, stderr: `outbound-cli: ${join(dir, 'missing.csv')}: no such file\n` });

      writeFileSync(csv, 'name,phone\nJohn,+15551234567\n');
      const missingColumns = await cli([`--agentId=${AGENT}`, '--provider', 'sim']);
      expect(missingColumns.code).toBe(2);
      expect(missingColumns.stderr).toMatch(/^outbound-cli: .*call_list\.csv.*recipient_phone_number/);
    });

    it('refuses an unknown agent, touching nothing', async () => {
      const run = await cli(['--agentId=00000000-0000-4000-8000-000000000000', '--provider', 'sim']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `outbound-cli: agent 00000000-0000-4000-8000-000000000000 not found at ${agentApi.url}: create it with POST ${agentApi.url}/agent and pass the agent_id it returns\n`,
      );
      expect(readFileSync(csv, 'utf8')).toBe(CSV);
    });

    it('refuses a carrier the gateway has not configured, saying how to fix it', async () => {
      const run = await cli([`--agentId=${AGENT}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `outbound-cli: carrier twilio is not configured on the gateway at ${gateway.url} (configured: sim): set the gateway's TWILIO_* variables (see .env.example) and restart it, or use --provider sim / --simulate <callees.json>\n`,
      );
      expect(gateway.received).toEqual([]);
    });
  });

  describe('an unreachable service exits 3, naming its URL', () => {
    it('the gateway', async () => {
      const url = await unusedUrl();
      const run = await cli([`--agentId=${AGENT}`, '--provider', 'sim'], { env: { GATEWAY_URL: url, AGENT_API_URL: agentApi.url } });
      expect(run.code).toBe(3);
      expect(run.stderr).toBe(
        `outbound-cli: telephony gateway is unreachable at ${url} (connection refused): start it (bash start.sh serve), or point --gateway-url or GATEWAY_URL at it\n`,
      );
      expect(readFileSync(csv, 'utf8')).toBe(CSV);
    });

    it('agent-api, given by option over the environment', async () => {
      await startGateway();
      const url = await unusedUrl();
      const run = await cli([`--agentId=${AGENT}`, '--provider', 'sim', '--agent-api-url', url]);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`agent-api is unreachable at ${url} (connection refused)`);
    });
  });

  it('when the gateway goes away mid-campaign, shows what was recorded and exits 3', async () => {
    await startGateway({ script: (call) => (call.context['order_id'] === 'ORD001' ? { outcome: { status: 'confirmed' } } : { hold: true }) });
    const d = deps({ gatewayClientOptions: { pollRetryDelaysMs: [10], connectRetryDelaysMs: [10] } });
    const running = runCli(startArgs([`--agentId=${AGENT}`, '--provider', 'sim', '--concurrency', '1', '--no-progress']), d);
    await gateway.placed(2);
    await gateway.stop();

    expect(await running).toBe(3);
    expect(d.stdout.text).toContain('Campaign stopped early');
    expect(d.stdout.text).toMatch(/confirmed\s+\|\s+1/);
    expect(d.stderr.text).toMatch(/ORD002 .* left as it was: telephony gateway is unreachable/);
    expect(d.stderr.text).toContain(`outbound-cli: telephony gateway is unreachable at ${gateway.url}`);
    expect(readFileSync(csv, 'utf8')).toBe(CSV.replace('ORD001,,,', 'ORD001,confirmed,,').replace('ORD005,,,', 'ORD005,invalid_number,,'));
  });

  describe('Ctrl-C', () => {
    it('stops dialling, waits for the calls in flight, records them, and exits 130', async () => {
      await startGateway({ script: () => ({ hold: true }) });
      const d = deps();
      const running = runCli(startArgs([`--agentId=${AGENT}`, '--provider', 'sim', '--concurrency', '2', '--no-progress']), d);
      const [first, second] = await gateway.placed(2);

      signals.emit('signal', 'SIGINT' satisfies Signal);
      expect(d.stderr.text).toContain('Stopping: no new calls will be dialled; waiting for 2 calls in flight to finish. Press Ctrl-C again');
      gateway.finish(first, { status: 'confirmed' });
      gateway.finish(second, { status: 'busy' });

      expect(await running).toBe(130);
      expect(exits).toEqual([]);
      expect(readFileSync(csv, 'utf8')).toBe(
        CSV.replace('ORD001,,,', 'ORD001,confirmed,,').replace('ORD002,,,', 'ORD002,busy,,').replace('ORD005,,,', 'ORD005,invalid_number,,'),
      );
      expect(gateway.received).toHaveLength(2);
      expect(d.stdout.text).toContain('Campaign interrupted');
      expect(d.stdout.text).toContain('2 left as they were');
    });

    it('a second signal leaves at once with the signal\'s exit code', async () => {
      await startGateway({ script: () => ({ hold: true }) });
      const d = deps();
      const running = runCli(startArgs([`--agentId=${AGENT}`, '--provider', 'sim', '--concurrency', '1', '--no-progress']), d);
      const [first] = await gateway.placed(1);

      signals.emit('signal', 'SIGTERM' satisfies Signal);
      signals.emit('signal', 'SIGTERM' satisfies Signal);
      expect(exits).toEqual([143]);
      expect(d.stderr.text).toContain('quitting now; 1 call still in flight will be asked after by the next run; outcomes already received are kept');

      gateway.finish(first, { status: 'confirmed' }); // let the in-process run end
      expect(await running).toBe(143);
    });
  });

  describe('report', () => {
    it('counts the rows per status, as a table or JSON', async () => {
      writeFileSync(csv, CSV.replace('ORD001,,,', 'ORD001,confirmed,,').replace('ORD002,,,', 'ORD002,no_answer,,'));

      const table = await cli(['report']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/confirmed\s+\|\s+2\s+\|\s+33%/);
      expect(table.stdout).toMatch(/no_answer\s+\|\s+1/);
      expect(table.stdout).toMatch(/\(not called\)\s+\|\s+3/);

      const json = await cli(['report', '--json', '--csv', csv]);
      expect(JSON.parse(json.stdout)).toMatchObject({ csv, store: null, rows: 6, byStatus: { confirmed: 2, no_answer: 1 }, notCalled: 3, answerRate: null });
      expect(table.stdout).toContain('No campaign store');
    });

    it('adds answer and confirmation rates, call lengths and turn latencies from the campaign store', async () => {
      const view = (seconds: number, latencies: number[]) => ({ duration_seconds: seconds, turn_latencies_ms: latencies, transcript: [{ speaker: 'agent', text: 'Hello', atMs: 0 }] });
      await startGateway({
        script: (call) =>
          ({
            ORD001: { outcome: { status: 'confirmed' }, view: view(40, [600, 800]) },
            ORD002: { outcome: { status: 'cancelled' }, view: view(20, [1000]) },
            ORD003: { outcome: { status: 'confirmed' }, view: view(60, [700]) },
          })[call.context['order_id']] ?? { outcome: { status: 'no_answer' }, view: { duration_seconds: 0 } },
      });
      expect((await cli([`--agentId=${AGENT}`, '--provider', 'sim', '--no-progress', '--cost-per-minute', '0.06'])).code).toBe(0);

      const json = JSON.parse((await cli(['report', '--json'])).stdout);
      expect(json).toEqual({
        csv,
        store: join(dir, 'codcall-campaigns.sqlite'),
        rows: 6,
        byStatus: { confirmed: 3, cancelled: 1, no_answer: 1, invalid_number: 1 },
        notCalled: 0,
        attempts: 4,
        retriedRows: 0,
        answerRate: 0.75,
        confirmationRate: 3 / 4,
        callSeconds: { count: 4, average: 30, p95: 60 },
        turnLatencyMs: { count: 4, p50: 700, p95: 1000 },
        // This gateway's views carry neither turns nor TTS counts (see report-command.spec for those).
        turnLegs: expect.objectContaining({ text: expect.objectContaining({ turns: 0 }) }),
        ttsCharacters: { calls: 0, total: 0, perAnsweredCall: null, perConfirmedOrder: null },
        costEstimate: 0.12,
        outcomesByLanguage: { default: { confirmed: 3, cancelled: 1, no_answer: 1, invalid_number: 1 } },
        // The hour the calls were placed in (two hours when the run straddles one).
        outcomesByHourUtc: expect.any(Array),
        turnLatencyHistogram: [{ fromMs: 500, turns: 2 }, { fromMs: 750, turns: 1 }, { fromMs: 1000, turns: 1 }],
      });
      const perHour = (json.outcomesByHourUtc as { byStatus: Record<string, number> }[]).flatMap(({ byStatus }) => Object.entries(byStatus).flatMap(([status, count]) => Array(count).fill(status)));
      expect(perHour.sort()).toEqual(['cancelled', 'confirmed', 'confirmed', 'no_answer']); // the four calls; the row already done was not one
      const table = await cli(['report']);
      expect(table.stdout).toMatch(/answer rate +75\.0%/);
      expect(table.stdout).toMatch(/call length +average 30\.0 s, p95 60\.0 s \(4 calls\)/);
      expect(table.stdout).toMatch(/turn latency +p50 700 ms, p95 1000 ms \(4 turns\)/);
    });

    it('exits 2 on a CSV it cannot read', async () => {
      expect(await cli(['report', '--csv', 'nope.csv'])).toEqual({ code: 2, stdout: '', stderr: `outbound-cli: ${join(dir, 'nope.csv')}: no such file\n` });
    });
  });

  describe('campaign rules', () => {
    async function start(args: string[]): Promise<Run> {
      const d = deps();
      const code = await runCli([`--agentId=${AGENT}`, '--provider', 'sim', '--no-progress', '--window', '00:00-24:00', '--cps', '1000', ...args], d);
      return { code, stdout: d.stdout.text, stderr: d.stderr.text };
    }

    it('keeps the attempts in the store beside the CSV and writes only final statuses to the CSV', async () => {
      await startGateway({ script: (call) => (call.context['order_id'] === 'ORD001' ? { outcome: { status: 'busy' } } : simulatedOutcome(call)) });
      const run = await start(['--max-attempts', '2', '--retry-after', '60', '--retry-statuses', 'busy', '--exit-when-waiting']);

      expect(run.code).toBe(5);
      expect(run.stdout).toContain('Campaign paused');
      expect(run.stdout).toMatch(/1 row waits for a calling window, a retry or a callback time; the next call is due at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in (1 h 0|59) min\)/);
      expect(run.stderr).toMatch(/ORD001 {2}\+15\*+67 {2}busy on attempt 1; next attempt due at/);
      // ORD001 waits: its status cell stays empty; the others are final (no_answer is not retried here).
      expect(readFileSync(csv, 'utf8')).toContain('John Doe,+15551234567,ORD001,,,,Austin');
      expect(readFileSync(csv, 'utf8')).toContain('ORD004,no_answer,,');

      const store = CampaignStore.open(join(dir, 'codcall-campaigns.sqlite'), { key: 'peek', csvPath: csv });
      expect(store.doNotCallList()).toEqual([]);
      store.close();
      const again = await start(['--max-attempts', '2', '--retry-after', '60', '--retry-statuses', 'busy', '--exit-when-waiting']);
      expect(again.code).toBe(5);
      expect(gateway.received).toHaveLength(4); // nothing was due: nobody dialled twice
    });

    it('takes the retry policy from the agent config where the command line says nothing', async () => {
      await agentApi.stop();
      agentApi = await new FakeAgentApi([AGENT], { [AGENT]: { retry_policy: { statuses: ['no_answer'], max_attempts: 4, spacing_minutes: 15 } } }).start();
      await startGateway({ script: (call) => (call.context['order_id'] === 'ORD004' ? { outcome: { status: 'no_answer' } } : simulatedOutcome(call)) });
      const run = await start(['--exit-when-waiting']);
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/ORD004 .* no_answer on attempt 1; next attempt due at .* \(in 15 min\)/);

      // The command line wins over the agent config: one attempt only, so no_answer is final.
      const again = await start(['--max-attempts', '1']);
      expect(again.code).toBe(0);
      expect(readFileSync(csv, 'utf8')).toContain('ORD004,no_answer,,');
    });

    it('exits 2 naming the agent config field when its retry_policy is wrong', async () => {
      await agentApi.stop();
      agentApi = await new FakeAgentApi([AGENT], { [AGENT]: { retry_policy: { max_attempts: 0 } } }).start();
      await startGateway();
      expect(await start([])).toMatchObject({ code: 2, stderr: 'outbound-cli: agent config retry_policy.max_attempts must be a whole number from 1 to 20, got 0\n' });
      expect(gateway.received).toEqual([]);
    });

    it('on SIGTERM waits for calls in flight up to --drain-timeout, exits 143, and the next run asks the gateway how they ended', async () => {
      await startGateway({ script: (call) => (['ORD001', 'ORD002'].includes(call.context['order_id']) ? { hold: true } : simulatedOutcome(call)) });
      const d = deps();
      const running = runCli([`--agentId=${AGENT}`, '--provider', 'sim', '--no-progress', '--window', '00:00-24:00', '--cps', '1000', '--concurrency', '2', '--drain-timeout', '0.2'], d);
      const [first, second] = await gateway.placed(2);
      signals.emit('signal', 'SIGTERM' satisfies Signal);
      gateway.finish(first, { status: 'confirmed' });

      expect(await running).toBe(143);
      expect(d.stdout.text).toContain('1 still in flight, resumed by the next run');
      expect(readFileSync(csv, 'utf8')).toContain('ORD001,confirmed,,');
      expect(readFileSync(csv, 'utf8')).toContain('Jane Smith,+15559876543,ORD002,,,,Boston');

      gateway.finish(second, { status: 'cancelled' });
      const next = await start(['--max-attempts', '1']);
      expect(next.code).toBe(0);
      expect(next.stderr).toContain('1 call in flight when the last run stopped, asked after');
      expect(readFileSync(csv, 'utf8')).toContain('ORD002,cancelled,,');
      expect(gateway.placedCalls().filter((call) => call.context['order_id'] === 'ORD002')).toHaveLength(1);
    });

    it('never dials a number on the --dnc list; the row gets do_not_call', async () => {
      await startGateway();
      const dnc = join(dir, 'dnc.txt');
      writeFileSync(dnc, 'phone\n# asked by email\n+1 555 987 6543\n');
      const run = await start(['--dnc', dnc, '--max-attempts', '1']);
      expect(run.code).toBe(0);
      expect(readFileSync(csv, 'utf8')).toContain('Jane Smith,+15559876543,ORD002,do_not_call,,,Boston');
      expect(gateway.received.map((call) => call.recipient_phone_number)).not.toContain('+15559876543');

      writeFileSync(dnc, '+15551234567\nnot a number\n');
      const bad = await start(['--dnc', dnc]);
      expect(bad).toMatchObject({ code: 2, stderr: `outbound-cli: ${dnc}: line 2: "not a number" has no leading + and country code (E.164, e.g. +919876543210)\n` });
    });

    it('refuses to run beside another campaign on the same CSV (exit 4), and takes over a lock its dead owner left', async () => {
      await startGateway();
      const lock = CampaignLock.acquire(`${csv}.lock`);
      const refused = await start([]);
      lock.release();
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(`outbound-cli: ${csv}.lock: another campaign (pid ${process.pid} on ${hostname()}, since `);
      expect(refused.stderr).toMatch(/\) is running on this CSV; wait for it or stop it first\n$/);
      expect(readFileSync(csv, 'utf8')).toBe(CSV);
      expect(gateway.received).toEqual([]);

      writeFileSync(`${csv}.lock`, JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), startedAt: '2026-01-01T00:00:00Z' }));
      const run = await start(['--max-attempts', '1']);
      expect(run.code).toBe(0);
      expect(existsSync(`${csv}.lock`)).toBe(false);
    });

    it.each([
      [['--window', '9am-8pm'], '--window must be HH:MM-HH:MM in the recipient\'s local time (e.g. 09:00-20:00), got "9am-8pm"'],
      [['--days', 'weekdays'], '--days must list weekdays (mon, tue, wed, thu, fri, sat, sun) or ranges like mon-sat, got "weekdays"'],
      [['--cps', '0'], '--cps must be a number above 0 and at most 1000, got "0"'],
      [['--max-attempts', 'three'], '--max-attempts must be a whole number from 1 to 20, got "three"'],
      [['--retry-statuses', 'no_answer,later'], '--retry-statuses: unknown status later (one of confirmed, cancelled, rescheduled, wrong_person, no_answer, busy, failed, voicemail, no_response, invalid_number, do_not_call, callback_requested, transferred)'],
    ])('refuses %j with exit 2 and one clear line', async (args, message) => {
      await startGateway();
      expect(await start(args)).toEqual({ code: 2, stdout: '', stderr: `outbound-cli: ${message}\n` });
    });
  });

  describe("the user's data and the gateway's answers", () => {
    const KEY = 'cli-api-key-0123456789';
    const ANY_TIME = ['--provider', 'sim', '--no-progress', '--window', '00:00-24:00', '--cps', '1000', '--max-attempts', '1'];

    it('sends CODCALL_API_KEY to the gateway and agent-api, and never prints it', async () => {
      await startGateway({ apiKey: KEY });
      await agentApi.stop();
      agentApi = await new FakeAgentApi([AGENT], {}, { apiKey: KEY }).start();
      const run = await cli([`--agentId=${AGENT}`, ...ANY_TIME], { env: { GATEWAY_URL: gateway.url, AGENT_API_URL: agentApi.url, CODCALL_API_KEY: KEY } });
      expect(run.code).toBe(0);
      expect(gateway.unauthorized).toBe(0);
      expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);
    });

    it('sends the first of CODCALL_API_KEYS when CODCALL_API_KEY is not set, as on the services’ own machine', async () => {
      await startGateway({ apiKey: KEY });
      await agentApi.stop();
      agentApi = await new FakeAgentApi([AGENT], {}, { apiKey: KEY }).start();
      const run = await cli([`--agentId=${AGENT}`, ...ANY_TIME], { env: { GATEWAY_URL: gateway.url, AGENT_API_URL: agentApi.url, CODCALL_API_KEYS: `${KEY},another-key-0123456789` } });
      expect(run.code).toBe(0);
      expect(gateway.unauthorized).toBe(0);
    });

    it('a refused API key stops the campaign before a second dial and exits 2, saying what to set', async () => {
      await startGateway({ apiKey: KEY });
      const run = await cli([`--agentId=${AGENT}`, ...ANY_TIME, '--concurrency', '1'], { env: { GATEWAY_URL: gateway.url, AGENT_API_URL: agentApi.url, CODCALL_API_KEY: 'not-the-key-0123456' } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`outbound-cli: the gateway at ${gateway.url} refused the API key: set CODCALL_API_KEY to one of the gateway's CODCALL_API_KEYS\n`);
      expect(run.stderr).not.toContain('not-the-key-0123456');
      expect(gateway.unauthorized).toBe(1);
      expect(readFileSync(csv, 'utf8')).toBe(CSV.replace('ORD005,,,', 'ORD005,invalid_number,,'));
    });

    it('lists rows with unknown statuses and duplicates before dialling, leaves the unknown ones alone, and calls a duplicate once', async () => {
      await startGateway();
      const header = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time';
      const rows = [header, 'A,+15551234567,O1,,,', 'B,+15559876543,O2,called twice - ask Raj,,', 'C,+15550001111,O3,Do Not Call,,', 'D,+15550002222,O4,Confirmed.,,', 'A again,+15551234567,O1,,,', ''];
      writeFileSync(csv, rows.join('\n'));
      const run = await cli([`--agentId=${AGENT}`, ...ANY_TIME]);

      expect(run.code).toBe(0);
      expect(run.stderr).toContain('1 row has a status codcall does not know, so it is left as it is, not dialled (--dial-unknown-statuses dials them):\n  line 3  +15*******43  "called twice - ask Raj"\n');
      expect(run.stderr).toContain('1 order appears in more than one row (same order id, same number); each is called once and every row gets the outcome:\n  lines 2, 6  order O1  +15*******67\n');
      expect(run.stderr).toMatch(/O1 {2}\+15\*+67 {2}confirmed {2}\(the same order as line 2: one call for both\)/);
      expect(gateway.placedCalls().map((call) => call.context['order_id'])).toEqual(['O1']);
      expect(readFileSync(csv, 'utf8')).toBe(rows.join('\n').replace('A,+15551234567,O1,,,', 'A,+15551234567,O1,confirmed,,').replace('A again,+15551234567,O1,,,', 'A again,+15551234567,O1,confirmed,,'));
      expect(run.stdout).toContain('1 with a status codcall does not know, left as they are');

      const dialled = await cli([`--agentId=${AGENT}`, ...ANY_TIME, '--dial-unknown-statuses']);
      expect(dialled.code).toBe(0);
      expect(readFileSync(csv, 'utf8')).toContain('B,+15559876543,O2,cancelled,,'); // that callee cancels
    });

    it('given a callback, a transfer and a language nobody knows: the CSV gets callback_at and transferred, the row in Klingon is listed and left, and the summary and report count them', async () => {
      const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 16) + 'Z';
      await startGateway({
        script: (call) =>
          call.context['order_id'] === 'O1' ? { outcome: { status: 'callback_requested', callback_at: tomorrow } } : { outcome: { status: 'transferred', reason: 'asked for a person' } },
      });
      const header = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,callback_at,language';
      const rows = [header, 'Sam,+15557654321,O1,,,,,', 'Lee,+15553334444,O2,,,,,Hinglish', 'Worf,+15550001111,O3,,,,,Klingon', ''];
      writeFileSync(csv, rows.join('\n'));
      // runCli itself: cli() would add --max-attempts 1, and a callback needs an attempt left.
      const d = deps();
      const run = { code: await runCli([`--agentId=${AGENT}`, ...ANY_TIME, '--max-attempts', '2', '--exit-when-waiting'], d), stdout: d.stdout.text, stderr: d.stderr.text };

      expect(run.code).toBe(5); // the callback waits for tomorrow
      expect(run.stderr).toContain(
        '1 row has a language cell that names no language codcall knows (en, hi, hi-Latn, ar, es, pt-BR, id, or names such as Hindi, Hinglish, Arabic), so it is left as it is, not dialled; fix the cell (empty: the agent\'s language) and run again:\n  line 4  +15*******11  "Klingon"\n',
      );
      expect(run.stderr).toMatch(new RegExp(`O1 {2}\\+15\\*+21 {2}callback requested for ${tomorrow.replace(/[.+]/g, '\\$&')} on attempt 1; next attempt due at`));
      expect(run.stderr).toContain('1 row waits for a callback time');
      expect(run.stdout).toContain('1 callback scheduled at the time the callee asked for');
      expect(run.stdout).not.toContain('left as they were'); // the callback's row says so in the CSV
      expect(run.stdout).toContain('1 with a language codcall does not know, left as they are');
      expect(readFileSync(csv, 'utf8')).toBe(
        rows.join('\n').replace('Sam,+15557654321,O1,,,,,', `Sam,+15557654321,O1,callback_requested,,,${tomorrow},`).replace('O2,,,,,Hinglish', 'O2,transferred,,,,Hinglish'),
      );

      const report = await cli(['report', '--json']);
      expect(JSON.parse(report.stdout)).toMatchObject({ byStatus: { callback_requested: 1, transferred: 1 }, notCalled: 1, answerRate: 1 });
    });

    it('refuses before dialling, exit 2, when a row does not fit what the gateway accepts; --skip-oversized-rows dials the others', async () => {
      await startGateway({ limits: { max_body_bytes: 65536, max_context_value_chars: 100, max_context_columns: 100 } });
      const long = 'x'.repeat(101);
      writeFileSync(csv, CSV.replace('ORD002,,,,Boston', `ORD002,,,,${long}`));
      const refused = await cli([`--agentId=${AGENT}`, ...ANY_TIME]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        'outbound-cli: 1 row does not fit what the gateway accepts, so nothing was dialled: line 3 (+15*******43): column city has 101 characters (the gateway takes at most 100); shorten it, or run with --skip-oversized-rows to dial the others\n',
      );
      expect(gateway.received).toEqual([]);
      expect(readFileSync(csv, 'utf8')).toBe(CSV.replace('ORD002,,,,Boston', `ORD002,,,,${long}`));

      const skipped = await cli([`--agentId=${AGENT}`, ...ANY_TIME, '--skip-oversized-rows']);
      expect(skipped.code).toBe(0);
      expect(skipped.stderr).toContain("1 row does not fit what the gateway accepts; --skip-oversized-rows: it is skipped and left as it is:\n  line 3  +15*******43  column city has 101 characters");
      expect(readFileSync(csv, 'utf8')).toContain(`Jane Smith,+15559876543,ORD002,,,,${long}`);
      expect(gateway.received.map((call) => call.context['order_id'])).not.toContain('ORD002');
      expect(skipped.stdout).toContain("1 over the gateway's limits, skipped");
    });

    it("says when the gateway is at capacity, waits, and dials each row once", async () => {
      await startGateway({ atCapacity: { dials: 1, retryAfterSeconds: 1 } });
      const run = await cli([`--agentId=${AGENT}`, ...ANY_TIME, '--concurrency', '1']);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('Gateway at capacity (gateway at capacity: 0 calls in progress): waiting 1 s; no new call starts meanwhile');
      expect(gateway.placedCalls()).toHaveLength(4);
      expect(run.stdout).toContain('1 dial refused while the gateway was at capacity, sent again');
    });

    it('refuses a UTF-16 CSV by name, exit 2', async () => {
      await startGateway();
      writeFileSync(csv, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CSV, 'utf16le')]));
      const run = await cli([`--agentId=${AGENT}`, ...ANY_TIME]);
      expect(run).toMatchObject({ code: 2, stderr: `outbound-cli: ${csv} is UTF-16LE; save it as UTF-8 (CSV UTF-8 in Excel) and run again\n` });
    });

    it('writes a symlinked CSV through to its target, keeping the link and locking the target', async () => {
      await startGateway();
      const target = join(dir, 'orders.csv');
      writeFileSync(target, CSV);
      const link = join(dir, 'today.csv');
      symlinkSync(target, link);
      const lock = CampaignLock.acquire(`${target}.lock`);
      expect((await cli([`--agentId=${AGENT}`, ...ANY_TIME, '--csv', link])).code).toBe(4); // the target's lock holds, whatever the name
      lock.release();

      const run = await cli([`--agentId=${AGENT}`, ...ANY_TIME, '--csv', link]);
      expect(run.code).toBe(0);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(target, 'utf8')).toContain('ORD001,confirmed,,');
      expect(existsSync(`${target}.lock`)).toBe(false);
    });
  });

  it('--help lists the options and exits 0', async () => {
    const run = await cli(['start', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--agentId <id>');
    expect(run.stdout).toContain('--simulate <callees.json>');
    expect(run.stdout).toMatch(/^ {2}language +the row's language, a code or a name: en \(English\), hi \(Hindi\), hi-Latn \(Hinglish\), ar \(Arabic\)/m);
    expect(run.stdout).toMatch(/^ {2}callback_at +with status callback_requested/m);
    expect(run.stdout).toMatch(/^ {2}address_update +the address the callee corrected/m);
    expect(run.stdout).toContain('it never adds a column');
  });
});
