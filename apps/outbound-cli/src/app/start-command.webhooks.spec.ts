import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@codcall/logging';
import { verifyOutcomeWebhook } from '@codcall/outcome-webhooks';
import { FakeAgentApi, FakeGateway, freePort, type FakeCallScript, type PlaceCallBody } from '@codcall/test-support';
import { runCli } from './cli';
import type { CliDeps } from './cli-deps';

const AGENT = '11111111-1111-4111-8111-111111111111';
const SECRET = 'whsec_cli_0123456789abcdef';
const CSV = [
  'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city',
  'John Doe,+15551234567,ORD001,,,,Austin',
  'Priya Sharma,+919876543210,ORD003,,,,Mumbai',
  'Wrong Format,98765 43210,ORD005,,,,Pune',
  'Cut Off,+15550001111,ORD007,,,,Dallas',
  'Already Done,+15551230000,ORD006,confirmed,,,Austin',
  '',
].join('\n');
const CALLEES = { '+15551234567': { answer: 'human', says: ['Yes.'] }, '+919876543210': { answer: 'human', says: ['Tomorrow at 3 pm.'] }, '+15550001111': { answer: 'human', says: ['Hello?'] } };

function script(call: PlaceCallBody): FakeCallScript {
  // The gateway fails this one call: the attempt is recorded failed, and that is an outcome too.
  if (call.recipient_phone_number === '+15550001111') return { reject: { status: 500, message: 'the carrier dropped the call' } };
  return call.recipient_phone_number === '+919876543210'
    ? { outcome: { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' }, view: { duration_seconds: 48 } }
    : { outcome: { status: 'confirmed' }, view: { duration_seconds: 21 } };
}

class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('outbound-cli outcome webhooks', () => {
  let dir: string;
  let gateway: FakeGateway;
  let agentApi: FakeAgentApi;
  let receiver: Server;
  let receiverUrl: string;
  const received: { body: string; valid: boolean }[] = [];

  /** The operator's system: records each delivery and whether its signature holds. */
  async function startReceiver(port = 0): Promise<Server> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ body, valid: verifyOutcomeWebhook(body, request.headers as Record<string, string>, SECRET).valid });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  }

  async function stopReceiver(server: Server): Promise<void> {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  beforeAll(async () => {
    receiver = await startReceiver();
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/orders/outcomes`;
  });

  afterAll(() => stopReceiver(receiver));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outbound-cli-webhooks-'));
    writeFileSync(join(dir, 'call_list.csv'), CSV);
    writeFileSync(join(dir, 'callees.json'), JSON.stringify(CALLEES));
    gateway = await new FakeGateway({ carriers: ['sim'], script }).start();
    agentApi = await new FakeAgentApi([AGENT]).start();
    received.length = 0;
  });

  afterEach(async () => {
    await gateway.stop();
    await agentApi.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[], env: Record<string, string>) {
    let logs = '';
    const logger = createLogger({ name: 'outbound-cli', level: 'debug', destination: new Writable({ write: (chunk: Buffer, _e, done) => ((logs += chunk.toString()), done()) }) });
    const deps: CliDeps & { stdout: Captured; stderr: Captured } = {
      env: { GATEWAY_URL: gateway.url, AGENT_API_URL: agentApi.url, ...env },
      cwd: dir,
      stdout: new Captured(),
      stderr: new Captured(),
      onSignal: () => () => undefined,
      exitNow: () => undefined,
      logger,
      pollSeconds: 5,
    };
    const code = await runCli([`--agentId=${AGENT}`, '--simulate', 'callees.json', '--no-progress', '--window', '00:00-24:00', '--max-attempts', '1', ...args], deps);
    return { code, stdout: deps.stdout.text, stderr: deps.stderr.text, logs };
  }

  it('a local campaign posts one signed webhook per finished row, with its columns, outcome and call', async () => {
    const run = await cli(['--outcome-webhook-url', receiverUrl], { OUTCOME_WEBHOOK_SECRET: SECRET });

    expect(run.stderr).not.toMatch(/outbound-cli:|still queued/);
    expect(run.code).toBe(0);
    expect(received.every((each) => each.valid)).toBe(true);
    const payloads = received.map((each) => JSON.parse(each.body) as Record<string, unknown> & { row: Record<string, string> });
    // The row already final was not called, so it is no outcome of this run.
    expect(payloads.map((each) => each.row['order_id']).sort()).toEqual(['ORD001', 'ORD003', 'ORD005', 'ORD007']);
    expect(new Set(payloads.map((each) => each['event_id'])).size).toBe(4);
    const priya = payloads.find((each) => each.row['order_id'] === 'ORD003');
    expect(priya).toMatchObject({
      status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00', attempts: 1, duration_seconds: 48,
      row: { name: 'Priya Sharma', recipient_phone_number: '+919876543210', order_id: 'ORD003', city: 'Mumbai' },
    });
    expect(priya?.['call_id']).toEqual(expect.any(String));
    expect(payloads.find((each) => each.row['order_id'] === 'ORD005')).toMatchObject({ status: 'invalid_number' });
    expect(payloads.find((each) => each.row['order_id'] === 'ORD007')).toMatchObject({ status: 'failed', reason: expect.stringContaining('the carrier dropped the call') });
    expect(readFileSync(join(dir, 'call_list.csv'), 'utf8')).toContain('ORD003,rescheduled,2031-05-06,15:00');
    expect(run.logs).not.toContain(SECRET);
    expect(run.logs).not.toContain('+919876543210');

    // A second run has no new outcome, so it posts nothing again.
    const again = await cli([], { OUTCOME_WEBHOOK_URL: receiverUrl, OUTCOME_WEBHOOK_SECRET: SECRET });
    expect(again.code).toBe(0);
    expect(received).toHaveLength(4);
  });

  it('with the receiver down, says at exit how many outcomes are still queued, and the next run sends them, none twice', async () => {
    const port = await freePort();
    const downUrl = `http://127.0.0.1:${port}/orders/outcomes`;
    const env = { OUTCOME_WEBHOOK_URL: downUrl, OUTCOME_WEBHOOK_SECRET: SECRET, OUTCOME_WEBHOOK_EXIT_WAIT_SECONDS: '1' };
    const first = await cli([], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('4 outcome webhooks are still queued (the receiver did not take them yet); the next run sends them.');
    expect(received).toHaveLength(0);

    const later = await startReceiver(port);
    try {
      const second = await cli([], env);
      expect(second.code).toBe(0);
      expect(second.stderr).not.toMatch(/still queued/);
      const orders = received.map((each) => (JSON.parse(each.body) as { row: Record<string, string> }).row['order_id']);
      expect(orders.sort()).toEqual(['ORD001', 'ORD003', 'ORD005', 'ORD007']);
      expect(received.every((each) => each.valid)).toBe(true);
    } finally {
      await stopReceiver(later);
    }
  });

  it('refuses a webhook URL without its secret, or over plain http to another host, before dialling (exit 2)', async () => {
    const noSecret = await cli(['--outcome-webhook-url', receiverUrl], {});
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('--outcome-webhook-url is set but OUTCOME_WEBHOOK_SECRET is not');

    const plain = await cli([], { OUTCOME_WEBHOOK_URL: 'http://orders.example/outcomes', OUTCOME_WEBHOOK_SECRET: SECRET });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('OUTCOME_WEBHOOK_URL must use https');
    expect(gateway.received).toHaveLength(0);
  });
});
