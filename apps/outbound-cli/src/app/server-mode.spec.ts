import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { silentLogger } from '@codcall/logging';
import { FakeCampaignApi, unusedUrl, type FakeCampaignApiOptions } from '@codcall/test-support';
import type { CampaignEventView, CampaignView } from '@codcall/gateway-api';
import { runCli } from './cli';
import type { CliDeps } from './cli-deps';
import { followEvents } from './server-mode';
import { CampaignApiClient } from './server-mode-client';

const AGENT = '11111111-1111-4111-8111-111111111111';
const KEY = 'campaign-api-key-0123456789';

// CRLF and a quoted cell with a comma: the file must come back byte for byte, not re-encoded.
const CSV = [
  'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city',
  'John Doe,+15551234567,ORD001,,,,"Austin, TX"',
  'Priya Sharma,+919876543210,ORD002,,,,Mumbai',
  'Already Done,+15551230000,ORD003,confirmed,,,Austin',
  '',
].join('\r\n');

const CALLEES = { '+15551234567': { answer: 'human', says: ['Yes.'] }, '+919876543210': { answer: 'human', says: ['Tomorrow at 3 pm.'] } };

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

describe('outbound-cli start --server (a campaign run on the campaign-api)', () => {
  let dir: string;
  let csv: string;
  let api: FakeCampaignApi | undefined;
  let signals: EventEmitter;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbound-cli-server-'));
    csv = join(dir, 'call_list.csv');
    writeFileSync(csv, CSV);
    writeFileSync(join(dir, 'callees.json'), JSON.stringify(CALLEES));
    writeFileSync(join(dir, 'dnc.txt'), '+15550000000\n');
    signals = new EventEmitter();
  });

  afterEach(async () => {
    await api?.stop();
    api = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function startApi(options: FakeCampaignApiOptions = {}): Promise<FakeCampaignApi> {
    api = await new FakeCampaignApi({
      apiKey: KEY,
      outcome: (row) => (row.values['order_id'] === 'ORD002' ? { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' } : { status: 'confirmed' }),
      ...options,
    }).start();
    return api;
  }

  async function cli(args: string[], env: Record<string, string> = {}, tty = false) {
    const stdout = new Captured();
    const stderr = new Captured(tty);
    const deps: CliDeps = {
      env: { CODCALL_API_KEY: KEY, ...env },
      cwd: dir,
      stdout,
      stderr,
      onSignal: (listener) => {
        signals.on('signal', listener);
        return () => signals.off('signal', listener);
      },
      exitNow: () => undefined,
      logger: silentLogger(),
    };
    const code = await runCli(args, deps);
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('uploads the CSV, the callee and do-not-call files and the flags under their snake_case names', async () => {
    const server = await startApi();
    const run = await cli([
      'start', '--server', server.url, `--agentId=${AGENT}`, '--csv', 'call_list.csv', '--simulate', 'callees.json', '--dnc', 'dnc.txt',
      '--concurrency', '3', '--cps', '2', '--window', '08:00-21:00', '--days', 'mon-sat', '--max-attempts', '2',
      '--retry-statuses', 'no_answer,busy', '--retry-after', '15', '--retry-backoff', '3', '--cost-per-minute', '0.02',
      '--strict-numbers', '--dial-unknown-statuses', '--outcome-webhook-url', 'https://orders.example.com/codcall', '--no-progress',
    ]);

    expect(run.stderr).not.toMatch(/outbound-cli:/);
    expect(run.code).toBe(0);
    const [upload] = server.uploads;
    expect(upload.fields).toEqual({
      agent_id: AGENT, concurrency: '3', cps: '2', window: '08:00-21:00', days: 'mon-sat', max_attempts: '2',
      retry_statuses: 'no_answer,busy', retry_after: '15', retry_backoff: '3', cost_per_minute: '0.02',
      strict_numbers: 'true', dial_unknown_statuses: 'true', outcome_webhook_url: 'https://orders.example.com/codcall',
    });
    expect(upload.files['csv']).toEqual({ name: 'call_list.csv', bytes: Buffer.from(CSV) });
    expect(upload.files['simulate'].bytes.toString()).toBe(JSON.stringify(CALLEES));
    expect(upload.files['dnc'].bytes.toString()).toBe('+15550000000\n');
  });

  it('follows the campaign with the local run\'s lines, then writes the finished CSV over the file, byte for byte', async () => {
    const server = await startApi();
    const run = await cli(['start', '--server', server.url, `--agentId=${AGENT}`, '--simulate', 'callees.json', '--no-progress']);

    expect(run.code).toBe(0);
    const [campaignId] = server.campaignIds();
    expect(readFileSync(csv)).toEqual(server.resultCsv(campaignId));
    expect(readFileSync(csv, 'utf8')).toBe(CSV.replace('ORD001,,,', 'ORD001,confirmed,,').replace('ORD002,,,', 'ORD002,rescheduled,2031-05-06,15:00'));
    // The same progress lines as a local run: counter, order id, masked number, outcome.
    expect(run.stderr).toContain('2 of 3 rows to process');
    expect(run.stderr).toMatch(/\[1\/2\] ORD001 {2}\+15\*+67 {2}confirmed/);
    expect(run.stderr).toMatch(/\[2\/2\] ORD002 {2}\+91\*+10 {2}rescheduled to 2031-05-06 15:00/);
    expect(run.stdout).toContain(`Campaign ${campaignId} finished on the server.`);
    expect(run.stdout).toMatch(/confirmed\s+\|\s+1/);
    expect(existsSync(`${csv}.campaign-api.json`)).toBe(false);
    expect(readdirTemps(dir)).toEqual([]);
  });

  it('on a terminal, draws the same bar and tally as a local run', async () => {
    const server = await startApi();
    const run = await cli(['start', '--server', server.url, `--agentId=${AGENT}`], {}, true);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/2\/2 rows \| confirmed 1 · rescheduled 1/);
  });

  it('does not overwrite a file changed while the campaign ran: the result goes beside it, and the exit code says so', async () => {
    const server = await startApi({ holdBeforeFinish: true });
    const running = cli(['start', '--server', server.url, `--agentId=${AGENT}`, '--no-progress']);
    const [campaignId] = await server.created(1);
    const edited = CSV.replace('Mumbai', 'Pune');
    writeFileSync(csv, edited);
    server.release(campaignId);
    const run = await running;

    expect(run.code).toBe(2);
    expect(readFileSync(csv, 'utf8')).toBe(edited);
    expect(readFileSync(join(dir, 'call_list.server.csv'))).toEqual(server.resultCsv(campaignId));
    expect(run.stderr).toContain(`${csv} changed since it was uploaded, so it was not overwritten; the campaign's CSV is ${join(dir, 'call_list.server.csv')}`);
  });

  it('picks up a dropped event stream where it left off, with Last-Event-ID, and shows every row once', async () => {
    const server = await startApi({ dropFirstStreamAfter: 3 });
    const run = await cli(['start', '--server', server.url, `--agentId=${AGENT}`, '--no-progress']);

    expect(run.code).toBe(0);
    expect(server.streamRequests).toHaveLength(2);
    expect(server.streamRequests[0].lastEventId).toBe('');
    expect(server.streamRequests[1].lastEventId).toMatch(/^\d+$/);
    expect(run.stderr).toContain("Lost the campaign's event stream");
    expect(run.stderr.match(/ORD001 .* confirmed/g)).toHaveLength(1);
    expect(run.stderr.match(/ORD002 .* rescheduled/g)).toHaveLength(1);
    expect(run.stderr).not.toContain('Reconnected:'); // replayed, not summed up in a fresh snapshot
  });

  it('Ctrl-C detaches (the campaign goes on), and --follow later gets the CSV back over the file', async () => {
    const server = await startApi({ holdBeforeFinish: true });
    const running = cli(['start', '--server', server.url, `--agentId=${AGENT}`, '--no-progress']);
    const [campaignId] = await server.created(1);
    await waitFor(() => server.streamRequests.length === 1);
    signals.emit('signal', 'SIGINT');
    const detached = await running;

    expect(detached.code).toBe(130);
    expect(detached.stdout).toContain(`campaign ${campaignId} goes on on ${server.url}`);
    expect(detached.stdout).toContain(`outbound-cli start --server ${server.url} --follow ${campaignId} --csv ${csv}`);
    expect(readFileSync(csv, 'utf8')).toBe(CSV);

    server.release(campaignId);
    const followed = await cli(['start', '--follow', campaignId, '--csv', csv, '--no-progress'], { CAMPAIGN_API_URL: server.url });
    expect(followed.code).toBe(0);
    expect(readFileSync(csv)).toEqual(server.resultCsv(campaignId));
  });

  it('Ctrl-C while the upload is sent detaches once the service answers, with the campaign id to follow', async () => {
    const server = await startApi({ onUpload: () => signals.emit('signal', 'SIGINT') });
    const run = await cli(['start', '--server', server.url, `--agentId=${AGENT}`, '--no-progress']);

    expect(run.code).toBe(130);
    expect(run.stdout).toContain(`--follow cmp_1 --csv ${csv}`);
    expect(server.streamRequests).toEqual([]);
    expect(JSON.parse(readFileSync(`${csv}.campaign-api.json`, 'utf8'))).toMatchObject({ campaign_id: 'cmp_1', server: server.url });
  });

  it('a campaign that failed on the server exits 1 with its reason, its outcomes so far written back', async () => {
    const server = await startApi({ failWith: 'the gateway at http://gw refused the API key' });
    const run = await cli(['start', '--server', server.url, `--agentId=${AGENT}`, '--no-progress']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('outbound-cli: campaign cmp_1 failed on the server: the gateway at http://gw refused the API key');
    expect(readFileSync(csv)).toEqual(server.resultCsv('cmp_1'));
  });

  describe('refusals map to the CLI\'s exit codes', () => {
    it('a refused API key is exit 2 with what to set', async () => {
      const server = await startApi();
      const run = await cli(['start', '--server', server.url, `--agentId=${AGENT}`], { CODCALL_API_KEY: 'not-the-key-0123456789' });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`the campaign-api at ${server.url} refused the API key: set CODCALL_API_KEY to one of the campaign-api's CODCALL_API_KEYS`);
      expect(run.stderr).not.toContain('not-the-key');
      expect(readFileSync(csv, 'utf8')).toBe(CSV);
    });

    it('a 400 is exit 2 with the service\'s message', async () => {
      const server = await startApi({ refuseUpload: { status: 400, message: ['window must be HH:MM-HH:MM', 'no agent 1111'] } });
      const run = await cli(['start', '--server', server.url, `--agentId=${AGENT}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('outbound-cli: the campaign-api refused the campaign: window must be HH:MM-HH:MM; no agent 1111');
    });

    it('an unreachable service is exit 3, naming its URL', async () => {
      const url = await unusedUrl();
      const run = await cli(['start', `--agentId=${AGENT}`], { CAMPAIGN_API_URL: url });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`the campaign-api is unreachable at ${url} (ECONNREFUSED)`);
    });

    it('a local run\'s own settings are refused before anything is sent', async () => {
      const server = await startApi();
      const run = await cli(['start', '--server', server.url, `--agentId=${AGENT}`, '--store', 'x.sqlite']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--store is a local run\'s setting');
      expect(server.uploads).toEqual([]);
    });
  });
});

describe('following a campaign\'s event stream', () => {
  const view = { campaign_id: 'c1', state: 'running', rows: { total: 1, done: 0, pending: 1, waiting: 0, in_flight: 0 }, by_status: {} } as unknown as CampaignView;
  const sse = (events: [number, CampaignEventView][]) =>
    new Response(events.map(([id, event]) => `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(''), { headers: { 'content-type': 'text/event-stream' } });

  it('after a reconnect answered by a fresh snapshot (a restarted service numbering anew), still shows what follows', async () => {
    const answers = [
      sse([[500, { type: 'snapshot', campaign: view }], [501, { type: 'row-started', line: 2, attempt: 1 }]]),
      sse([[3, { type: 'snapshot', campaign: view }], [4, { type: 'outcome', line: 2, status: 'confirmed', attempts: 1, final: true }], [5, { type: 'finished', campaign: { ...view, state: 'finished' } }]]),
    ];
    const lastEventIds: (string | undefined)[] = [];
    const client = new CampaignApiClient('http://campaign-api.test', {
      fetch: (async (_url: string, init: { headers: Record<string, string> }) => {
        lastEventIds.push(init.headers['last-event-id']);
        return answers.shift() ?? new Response('', { status: 503 });
      }) as unknown as typeof fetch,
    });
    const seen: string[] = [];
    const end = await followEvents(client, 'c1', (event) => void seen.push(event.type), {
      signal: new AbortController().signal,
      stopWhenWaiting: false,
      reconnectDelaysMs: [1],
      onReconnect: () => undefined,
    });

    expect(end).toMatchObject({ kind: 'finished', campaign: { state: 'finished' } });
    expect(lastEventIds).toEqual([undefined, '501']);
    expect(seen).toEqual(['snapshot', 'row-started', 'snapshot', 'outcome', 'finished']);
  });

  it('gives up after its reconnects in a row fail, saying how to follow the campaign again', async () => {
    const client = new CampaignApiClient('http://campaign-api.test', { fetch: (async () => new Response('restarting', { status: 503 })) as unknown as typeof fetch });
    const follow = followEvents(client, 'c1', () => undefined, { signal: new AbortController().signal, stopWhenWaiting: false, reconnectDelaysMs: [1, 1], onReconnect: () => undefined });
    await expect(follow).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('3 times in a row (the campaign-api at http://campaign-api.test answered HTTP 503: restarting); it goes on on the server: follow it again with --follow c1') });
  });
});

function readdirTemps(folder: string): string[] {
  return readdirSync(folder).filter((name) => name.endsWith('.tmp'));
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('timed out waiting');
}
