import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentApiClient, HttpGatewayClient } from '@codcall/campaign';
import type { CampaignEventView, CampaignView } from '@codcall/gateway-api';
import { FakeAgentApi, FakeGateway, type FakeCallScript, type PlaceCallBody } from '@codcall/test-support';
import { CampaignRefusedError } from './campaign-errors';
import { CampaignHost, type CampaignHostOptions } from './campaign-host';
import type { CampaignUpload } from './campaign-intake';

const AGENT = '11111111-1111-4111-8111-111111111111';
const HEADER = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city';
const CSV = [
  HEADER,
  'John Doe,+15551234567,ORD001,,,,Austin',
  '"Smith, Jane",+15559876543,ORD002,,,,"Boston\r\nMA"',
  'Priya Sharma,+919876543210,ORD003,"","","",Mumbai',
  'Wrong Format,98765 43210,ORD004,,,,Pune',
  'Already Done,+15551230000,ORD005,confirmed,,,Austin',
  '',
].join('\r\n');
const EXPECTED = [
  HEADER,
  'John Doe,+15551234567,ORD001,confirmed,,,Austin',
  '"Smith, Jane",+15559876543,ORD002,cancelled,,,"Boston\r\nMA"',
  'Priya Sharma,+919876543210,ORD003,"rescheduled","2031-05-06","15:00",Mumbai',
  'Wrong Format,98765 43210,ORD004,invalid_number,,,Pune',
  'Already Done,+15551230000,ORD005,confirmed,,,Austin',
  '',
].join('\r\n');
/** One call per row at any hour: these stories are about the service, not the calling rules. */
const ONE_CALL_NOW = { agent_id: AGENT, provider: 'sim', window: '00:00-24:00', cps: '1000', max_attempts: '1' };

function outcomeOf(call: PlaceCallBody): FakeCallScript {
  switch (call.recipient_phone_number) {
    case '+15559876543':
      return { outcome: { status: 'cancelled' } };
    case '+919876543210':
      return { outcome: { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' } };
    default:
      return { outcome: { status: 'confirmed' } };
  }
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('CampaignHost', () => {
  let dataDir: string;
  let agents: FakeAgentApi;
  let gateway: FakeGateway;
  const hosts: CampaignHost[] = [];

  beforeAll(async () => {
    agents = await new FakeAgentApi([AGENT]).start();
  });
  afterAll(() => agents.stop());
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'campaign-host-'));
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.close();
    await gateway?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startGateway(options: ConstructorParameters<typeof FakeGateway>[0] = {}): Promise<FakeGateway> {
    gateway = await new FakeGateway({ carriers: ['sim'], script: outcomeOf, ...options }).start();
    return gateway;
  }

  async function openHost(options: Partial<CampaignHostOptions> = {}): Promise<CampaignHost> {
    const host = await CampaignHost.open({
      dataDir,
      agents: new AgentApiClient(agents.url),
      gatewayFor: () => new HttpGatewayClient(gateway.url, { pollRetryDelaysMs: [10], connectRetryDelaysMs: [10] }),
      pollSeconds: 1,
      ...options,
    });
    hosts.push(host);
    return host;
  }

  let uploads = 0;
  /** The files of a POST /campaigns, written where the app's upload folder would put them. */
  function upload(fields: Record<string, string>, files: { csv?: string | Buffer; simulate?: string; dnc?: string } = { csv: CSV }): CampaignUpload {
    const dir = mkdtempSync(join(dataDir, `upload-${uploads++}-`));
    const part = (name: string, content: string | Buffer | undefined) => {
      if (content === undefined) return undefined;
      writeFileSync(join(dir, name), content);
      return { path: join(dir, name), fileName: name };
    };
    return { fields, csv: part('call_list.csv', files.csv), simulate: part('callees.json', files.simulate), dnc: part('dnc.txt', files.dnc) };
  }

  async function ended(host: CampaignHost, id: string): Promise<CampaignView> {
    await until('the campaign ended', () => ['finished', 'cancelled', 'failed'].includes(host.get(id).state));
    return host.get(id);
  }

  it('given an uploaded call list, calls each pending row and writes every outcome into the CSV, changing nothing else', async () => {
    await startGateway();
    const host = await openHost();
    const created = await host.create(upload(ONE_CALL_NOW));
    expect(created).toMatchObject({ state: 'running', agent_id: AGENT, provider: 'sim', file_name: 'call_list.csv', rows: { total: 5, done: 1, pending: 4 } });
    expect(created.preflight).toMatchObject({ invalid_numbers: [{ line: 6 }], already_final: 1 });

    const done = await ended(host, created.campaign_id);
    expect(done.state).toBe('finished');
    expect(done.rows).toEqual({ total: 5, done: 5, pending: 0, waiting: 0, in_flight: 0 });
    expect(done.by_status).toEqual({ confirmed: 2, cancelled: 1, rescheduled: 1, invalid_number: 1 });
    expect(readFileSync(await host.csvFile(created.campaign_id), 'utf8')).toBe(EXPECTED);
    expect(gateway.placedCalls().map((call) => call.context['order_id']).sort()).toEqual(['ORD001', 'ORD002', 'ORD003']);

    const calls = await host.calls(created.campaign_id);
    expect(calls.map((call) => [call.order_id, call.status, call.line])).toEqual(
      expect.arrayContaining([['ORD001', 'confirmed', 2], ['ORD002', 'cancelled', 3], ['ORD003', 'rescheduled', 5]]),
    );
    expect(calls.every((call) => !call.phone.includes('1234567') && !call.phone.includes('9876543210'))).toBe(true);
    await host.idle(created.campaign_id); // campaign.json written
    const record = JSON.parse(readFileSync(join(dataDir, 'campaigns', created.campaign_id, 'campaign.json'), 'utf8'));
    expect(record).toMatchObject({ state: 'finished', settings: { agentId: AGENT, carrier: 'sim' } });
  });

  it('pages a running campaign’s rows as its events come: the call in flight, then its new date, then the file once it ended', async () => {
    await startGateway({ script: () => ({ hold: true }) });
    const host = await openHost();
    const { campaign_id: id } = await host.create(upload({ ...ONE_CALL_NOW, concurrency: '1' }));
    const [first] = await gateway.placed(1);
    const rowsNow = async () => Object.fromEntries((await host.rows(id, { offset: 0, limit: 50 })).rows.map((row) => [row.order_id, row]));
    /** The gateway has a call a moment before the campaign has its answer. */
    const onceCalled = async (orderId: string) => {
      let rows = await rowsNow();
      for (const deadline = Date.now() + 3000; !rows[orderId].call_id && Date.now() < deadline; rows = await rowsNow()) await new Promise((resolve) => setTimeout(resolve, 10));
      return rows;
    };
    let rows = await onceCalled('ORD001');
    expect(rows['ORD001']).toMatchObject({ status: 'pending', attempts: 1, call_id: first, phone: '+15*******67' });
    expect(rows['ORD002']).toMatchObject({ status: 'pending', attempts: 0 });
    expect(rows['ORD002']).not.toHaveProperty('call_id');
    expect(rows['ORD005']).toMatchObject({ status: 'confirmed', attempts: 0 });

    gateway.finish(first, { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' });
    const [, second] = await gateway.placed(2);
    await until('the outcome is in the call list', () => host.get(id).by_status['rescheduled'] === 1);
    rows = await onceCalled('ORD002');
    expect(rows['ORD001']).toMatchObject({ status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00', attempts: 1, call_id: first });
    expect(rows['ORD002']).toMatchObject({ status: 'pending', attempts: 1, call_id: second });
    expect((await host.rows(id, { offset: 0, limit: 50, statuses: ['pending'] })).rows.map((row) => row.order_id)).toEqual(['ORD002', 'ORD003']);

    gateway.finish(second, { status: 'cancelled' });
    const [, , third] = await gateway.placed(3);
    gateway.finish(third, { status: 'confirmed' });
    await ended(host, id);
    await host.idle(id);
    rows = await rowsNow();
    expect(Object.values(rows).map((row) => [row.order_id, row.status, row.attempts, row.reschedule_date])).toEqual([
      ['ORD001', 'rescheduled', 1, '2031-05-06'],
      ['ORD002', 'cancelled', 1, ''],
      ['ORD003', 'confirmed', 1, ''],
      ['ORD004', 'invalid_number', 0, ''],
      ['ORD005', 'confirmed', 0, ''],
    ]);
  });

  it('pause stops new dials while calls in flight finish; resume carries on and dials no row twice', async () => {
    await startGateway({ script: () => ({ hold: true }) });
    const host = await openHost();
    const { campaign_id: id } = await host.create(upload({ ...ONE_CALL_NOW, concurrency: '2' }));
    const held = await gateway.placed(2);

    const paused = await host.pause(id);
    expect(paused.state).toBe('paused');
    expect(paused.rows.in_flight).toBe(2);
    for (const callId of held) gateway.finish(callId, { status: 'confirmed' });
    await host.idle(id);
    expect(gateway.placedCalls()).toHaveLength(2);
    expect(host.get(id)).toMatchObject({ state: 'paused', rows: { in_flight: 0 } });
    expect(host.get(id).by_status['confirmed']).toBe(3); // two calls and the row already final

    const resumed = await host.resume(id);
    expect(resumed.state).toBe('running');
    const third = (await gateway.placed(3))[2];
    gateway.finish(third, { status: 'busy' });
    expect((await ended(host, id)).state).toBe('finished');
    const orders = gateway.placedCalls().map((call) => call.context['order_id']);
    expect(orders.sort()).toEqual(['ORD001', 'ORD002', 'ORD003']);
  });

  it('cancel stops new dials, records the calls in flight and leaves the other rows as they are', async () => {
    await startGateway({ script: () => ({ hold: true }) });
    const host = await openHost();
    const { campaign_id: id } = await host.create(upload({ ...ONE_CALL_NOW, concurrency: '1' }));
    const [first] = await gateway.placed(1);
    expect((await host.cancel(id)).state).toBe('cancelled');
    gateway.finish(first, { status: 'confirmed' });
    await host.idle(id);
    expect(gateway.placedCalls()).toHaveLength(1);
    const csv = readFileSync(await host.csvFile(id), 'utf8');
    expect(csv).toBe(CSV.replace('ORD001,,,', 'ORD001,confirmed,,').replace('ORD004,,,', 'ORD004,invalid_number,,'));
    await expect(host.resume(id)).rejects.toThrow(/cancelled: it cannot be resumed/);
  });

  it('a service started again over the same data folder resumes the campaign it was running, dialling nothing twice', async () => {
    await startGateway({ idempotencyKeys: true, script: () => ({ hold: true }) });
    const first = await openHost({ drainTimeoutMs: 100 });
    const { campaign_id: id } = await first.create(upload({ ...ONE_CALL_NOW, concurrency: '2' }));
    const held = await gateway.placed(2);
    await first.close(); // the calls are still in progress: left for the next start to ask after
    hosts.splice(hosts.indexOf(first), 1);
    expect(JSON.parse(readFileSync(join(dataDir, 'campaigns', id, 'campaign.json'), 'utf8')).state).toBe('running');

    const second = await openHost();
    await expect(openHost()).rejects.toThrow(/campaigns is in use by another campaign-api \(pid \d+ on .+\): stop it, or give each campaign-api its own DATA_DIR$/);
    expect(second.get(id).state).toBe('running');
    for (const callId of held) gateway.finish(callId, { status: 'confirmed' });
    const third = (await gateway.placed(3))[2];
    gateway.finish(third, { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' });
    expect((await ended(second, id)).state).toBe('finished');
    expect(gateway.placedCalls().map((call) => call.context['order_id']).sort()).toEqual(['ORD001', 'ORD002', 'ORD003']);
    expect(readFileSync(await second.csvFile(id), 'utf8')).toBe(EXPECTED.replace('ORD002,cancelled', 'ORD002,confirmed'));
  });

  it('refuses an upload it cannot run with an error naming what is wrong, and keeps nothing of it', async () => {
    await startGateway();
    const host = await openHost({ limits: { maxRows: 4 } });
    const refusal = async (fields: Record<string, string>, files?: { csv?: string | Buffer; simulate?: string; dnc?: string }) => {
      const error = await host.create(upload(fields, files)).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(CampaignRefusedError);
      return { kind: (error as CampaignRefusedError).kind, message: (error as Error).message };
    };
    const small = `${HEADER}\r\nJohn Doe,+15551234567,ORD001,,,,Austin\r\n`;
    expect(await refusal({ ...ONE_CALL_NOW, agent_id: '' })).toEqual({ kind: 'invalid', message: 'agent_id is required: the agent_id that POST /agent returned' });
    expect(await refusal({ ...ONE_CALL_NOW, cps: 'fast' }, { csv: small })).toEqual({ kind: 'invalid', message: 'cps must be a number above 0 and at most 1000, got "fast"' });
    expect((await refusal({ ...ONE_CALL_NOW, window: '25:00-26:00' }, { csv: small })).message).toMatch(/^window\/days: /);
    expect(await refusal({ ...ONE_CALL_NOW, colour: 'red' }, { csv: small })).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^unknown field "colour"/) });
    expect(await refusal({ ...ONE_CALL_NOW, max_attempts: '0' }, { csv: small })).toMatchObject({ kind: 'invalid', message: expect.stringContaining('max_attempts must be a whole number from 1 to 20') });
    expect((await refusal(ONE_CALL_NOW, { csv: 'name,phone\r\nA,+15551234567\r\n' })).message).toMatch(/^call_list\.csv: .*missing.*recipient_phone_number/i);
    expect((await refusal(ONE_CALL_NOW, { csv: Buffer.from(`${HEADER}\nJos\xe9,+15551234567,ORD1,,,,X\n`, 'latin1') })).message).toMatch(/^call_list\.csv is not UTF-8: line 2/);
    expect(await refusal(ONE_CALL_NOW)).toEqual({ kind: 'too_large', message: 'call_list.csv has 5 rows, more than the limit of 4: split the call list' });
    expect(await refusal({ ...ONE_CALL_NOW, agent_id: '00000000-0000-4000-8000-000000000000' }, { csv: small })).toMatchObject({ kind: 'agent_not_found', message: expect.stringMatching(/^agent 00000000-0000-4000-8000-000000000000 not found/) });
    expect(await refusal({ ...ONE_CALL_NOW, provider: 'twilio' }, { csv: small })).toMatchObject({ kind: 'carrier_not_configured' });
    expect(await refusal(ONE_CALL_NOW, { csv: small, simulate: '{"+15551234567": {"answer": "maybe"}}' })).toEqual({
      kind: 'invalid',
      message: 'simulate: +15*******67: answer must be one of human, voicemail, no_answer, busy, failed (got "maybe")',
    });
    expect(await refusal(ONE_CALL_NOW, { csv: small, dnc: '+15551234567\nnot a number\n' })).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^dnc: line 2: /) });
    expect(host.list()).toEqual([]);
    expect(readdirSync(join(dataDir, 'campaigns'))).toEqual(['service.lock']);
    expect(gateway.placedCalls()).toEqual([]);
  });

  it('replays the events a follower missed after the sequence number it saw, and ends with the finished campaign', async () => {
    await startGateway();
    const host = await openHost();
    const { campaign_id: id } = await host.create(upload(ONE_CALL_NOW));
    const live: { seq: number; event: CampaignEventView }[] = [];
    const first = host.follow(id, undefined, (entry) => live.push(entry));
    expect(first.initial).toHaveLength(1);
    expect(first.initial[0].event).toMatchObject({ type: 'snapshot', campaign: { campaign_id: id } });
    await ended(host, id);
    first.unsubscribe();

    expect(live.at(-1)?.event).toMatchObject({ type: 'finished', campaign: { state: 'finished', rows: { done: 5 } } });
    const outcomes = live.filter((entry) => entry.event.type === 'outcome').map((entry) => entry.event);
    expect(outcomes).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'outcome', order_id: 'ORD001', status: 'confirmed', final: true, line: 2 })]));
    expect(live.map((entry) => entry.event.type)).toEqual(expect.arrayContaining(['row-started', 'call-placed', 'outcome', 'state', 'finished']));
    expect(JSON.stringify(live)).not.toMatch(/5551234567|9876543210/);

    // A reconnect after the first outcome gets exactly what came after it, in order, without a snapshot.
    const firstOutcome = live.find((entry) => entry.event.type === 'outcome')!;
    const missed = host.follow(id, firstOutcome.seq, () => undefined);
    missed.unsubscribe();
    expect(missed.initial).toEqual(live.filter((entry) => entry.seq > firstOutcome.seq));

    // One from before anything kept (or from nowhere) gets a fresh snapshot, and the stream's end.
    const stale = host.follow(id, 0, () => undefined);
    stale.unsubscribe();
    expect(stale.initial.map((entry) => entry.event.type)).toEqual(['snapshot', 'finished']);
  });
});
