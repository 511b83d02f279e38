import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { CampaignEventView, CampaignView } from '@codcall/gateway-api';
import { FakeAgentApi, FakeGateway, type FakeCallScript, type PlaceCallBody } from '@codcall/test-support';
import { createCampaignApiApp } from './bootstrap';
import { loadCampaignApiConfig } from './config';

const API_KEY = 'campaign-api-spec-key-0123456789';
const AGENT = '11111111-1111-4111-8111-111111111111';
const CSV = [
  '\ufeffname,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city',
  'John Doe,+15551234567,ORD001,,,,Austin',
  '"Smith, Jane",+15559876543,ORD002,"","","","Boston, MA"',
  'Wrong Format,98765 43210,ORD003,,,,Pune',
  '',
].join('\n');
const EXPECTED = CSV.replace('ORD001,,,', 'ORD001,confirmed,,').replace('ORD002,"","",""', 'ORD002,"cancelled","",""').replace('ORD003,,,', 'ORD003,invalid_number,,');
const ONE_CALL_NOW = { agent_id: AGENT, provider: 'sim', window: '00:00-24:00', cps: '1000', max_attempts: '1' };

/** What the gateway kept of John's call: two answered turns, a tool call, the timeline, what speech synthesis was sent. */
const JOHNS_CALL = {
  duration_seconds: 21.5,
  transcript: [
    { speaker: 'agent', text: 'Hello, am I speaking with John Doe?', atMs: 400 },
    { speaker: 'callee', text: 'Yes. Please deliver it, I confirm.', atMs: 3100 },
  ],
  tool_calls: [{ name: 'confirm_order', arguments: {}, result: 'confirmed', atMs: 3900 }],
  timeline: [{ event: 'dialled', atMs: 0 }, { event: 'answered', atMs: 1200 }, { event: 'hangup', atMs: 21500 }],
  turn_latencies_ms: [420, 880],
  turns: [
    { kind: 'text', callee_speech_ended_at_ms: 2000, stt_final_at_ms: 2100, llm_request_at_ms: 2101, llm_first_token_at_ms: 2300, tts_request_at_ms: 2301, tts_first_byte_at_ms: 2410, first_frame_sent_at_ms: 2420, latency_ms: 420 },
    { kind: 'outcome', callee_speech_ended_at_ms: 3100, stt_final_at_ms: 3200, llm_request_at_ms: 3201, llm_first_token_at_ms: 3970, first_frame_sent_at_ms: 3980, latency_ms: 880 },
  ],
  tts_characters: 300,
};

/**
 * A list of every kind of row the rows page shows: called and confirmed, cancelled or moved (Somchai's), an invalid number,
 * rows final or unknown before the campaign, and one left alone for its unknown language (no status yet).
 */
const ROWS_CSV = [
  'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,language',
  'John Doe,+15551234567,ORD001,,,,',
  'अनीता शर्मा,+919812345678,ORD002,,,,hi',
  'فاطمة الزهراء,+971509876543,ORD003,,,,ar',
  'สมชาย ใจดี,+66812345678,ORD004,,,,',
  'Wrong Format,98765 43210,ORD005,,,,',
  'Done Before,+15551230000,ORD006,Confirmed.,,,',
  'Moved Before,+15551230001,ORD007,rescheduled,2026-12-24,10:00,',
  'Left Alone,+15551230002,ORD008,Out of stock,,,',
  'Not Yet,+15551230003,ORD009,,,,xx',
  'Jane Smith,+15559876543,ORD010,,,,',
  '',
].join('\n');

function outcomeOf(call: PlaceCallBody): FakeCallScript {
  if (call.recipient_phone_number === '+66812345678') return { outcome: { status: 'rescheduled', reschedule_date: '2026-12-05', reschedule_time: '15:00' } };
  return call.recipient_phone_number === '+15559876543'
    ? { outcome: { status: 'cancelled', reason: 'ordered twice, call me on +15559876543' }, view: { tts_characters: 120, turn_latencies_ms: [1300] } }
    : { outcome: { status: 'confirmed' }, view: JOHNS_CALL };
}

/** Test responses are whatever JSON the API sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

/** Reads server-sent events until the stream ends (or `stopAfter` says so). */
async function readEvents(response: Response, stopAfter: (event: CampaignEventView) => boolean = () => false): Promise<{ id: string; event: CampaignEventView }[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: { id: string; event: CampaignEventView }[] = [];
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return events;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id === undefined || data === undefined) continue; // a heartbeat comment
      const event = JSON.parse(data) as CampaignEventView;
      events.push({ id, event });
      if (stopAfter(event)) {
        await reader.cancel();
        return events;
      }
    }
  }
}

describe('campaign API', () => {
  let dataDir: string;
  let agents: FakeAgentApi;
  let gateway: FakeGateway;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    agents = await new FakeAgentApi([AGENT]).start();
  });
  afterAll(() => agents.stop());
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'campaign-api-'));
    gateway = await new FakeGateway({ carriers: ['sim'], script: outcomeOf }).start();
    const config = loadCampaignApiConfig({
      CODCALL_API_KEYS: API_KEY,
      CAMPAIGN_API_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      AGENT_API_URL: agents.url,
      GATEWAY_URL: gateway.url,
      CAMPAIGN_MAX_UPLOAD_BYTES: '4096',
      CAMPAIGN_MAX_SSE_CONNECTIONS: '2',
    });
    app = await createCampaignApiApp(config, { pollSeconds: 1 });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterEach(async () => {
    await app.close();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const auth = { authorization: `Bearer ${API_KEY}` };
  const get = (path: string, headers: Record<string, string> = auth) => fetch(`${url}${path}`, { headers });
  const post = (path: string, headers: Record<string, string> = auth) => fetch(`${url}${path}`, { method: 'POST', headers });

  function upload(fields: Record<string, string>, files: { csv?: string; simulate?: string } = { csv: CSV }, headers: Record<string, string> = auth): Promise<Response> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    if (files.csv !== undefined) form.append('csv', new Blob([files.csv], { type: 'text/csv' }), 'orders 1.csv');
    if (files.simulate !== undefined) form.append('simulate', new Blob([files.simulate], { type: 'application/json' }), 'callees.json');
    return fetch(`${url}/campaigns`, { method: 'POST', headers, body: form });
  }

  it('runs an uploaded call list to the end while the event stream tells each step, and hands back the CSV with its outcomes', async () => {
    const created = await upload({ ...ONE_CALL_NOW, name: 'Monday orders' });
    expect(created.status).toBe(201);
    const campaign = (await created.json()) as CampaignView;
    expect(campaign).toMatchObject({ name: 'Monday orders', file_name: 'orders 1.csv', agent_id: AGENT, state: 'running' });

    const stream = await get(`/campaigns/${campaign.campaign_id}/events`);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(stream);
    expect(events[0].event.type).toBe('snapshot');
    expect(events.at(-1)?.event).toMatchObject({ type: 'finished', campaign: { state: 'finished', rows: { total: 3, done: 3 } } });
    expect(events.filter(({ event }) => event.type === 'outcome').map(({ event }) => event.type === 'outcome' && [event.order_id, event.status]).sort()).toEqual([
      ['ORD001', 'confirmed'],
      ['ORD002', 'cancelled'],
      ['ORD003', 'invalid_number'],
    ]);
    expect(events.map(({ id }) => Number(id))).toEqual([...events.map(({ id }) => Number(id))].sort((a, b) => a - b));

    const csv = await get(`/campaigns/${campaign.campaign_id}/csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(Buffer.from(await csv.arrayBuffer()).equals(Buffer.from(EXPECTED, 'utf8'))).toBe(true);

    expect((await json(get('/campaigns'))).campaigns).toEqual([expect.objectContaining({ campaign_id: campaign.campaign_id, state: 'finished', by_status: { confirmed: 1, cancelled: 1, invalid_number: 1 } })]);
    const calls = (await json(get(`/campaigns/${campaign.campaign_id}/calls`))).calls;
    expect(calls.map((call: { order_id: string; status: string; phone: string }) => [call.order_id, call.status, call.phone.includes('1234567')]).sort()).toEqual([
      ['ORD001', 'confirmed', false],
      ['ORD002', 'cancelled', false],
    ]);
    // A reconnect after the end gets the end again, and the stream closes.
    const again = await readEvents(await get(`/campaigns/${campaign.campaign_id}/events`, { ...auth, 'last-event-id': events[1].id }));
    expect(again.map(({ event }) => event.type)).toEqual(events.slice(2).map(({ event }) => event.type));
    expect(await json(post(`/campaigns/${campaign.campaign_id}/pause`))).toMatchObject({ statusCode: 409, message: expect.stringContaining('is finished') });
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
  });

  it('gives every call its own URL: transcript, tool calls, turns, timeline and what it decided, the number masked', async () => {
    const { campaign_id: id } = await json(upload(ONE_CALL_NOW));
    await readEvents(await get(`/campaigns/${id}/events`));
    const calls = (await json(get(`/campaigns/${id}/calls`))).calls as { call_id: string; order_id: string }[];
    const johns = calls.find((call) => call.order_id === 'ORD001')!;
    const janes = calls.find((call) => call.order_id === 'ORD002')!;

    const john = await json(get(`/campaigns/${id}/calls/${johns.call_id}`));
    expect(john).toMatchObject({
      call_id: johns.call_id, line: 2, order_id: 'ORD001', name: 'John Doe', attempt: 1, status: 'confirmed', duration_seconds: 21.5,
      transcript: JOHNS_CALL.transcript, tool_calls: JOHNS_CALL.tool_calls, timeline: JOHNS_CALL.timeline, tts_characters: 300,
      turns: [expect.objectContaining({ kind: 'text', sttFinalAtMs: 2100, latencyMs: 420 }), expect.objectContaining({ kind: 'outcome', latencyMs: 880 })],
    });
    expect(john.phone).not.toContain('1234567');
    expect(john.started_at).toEqual(expect.any(String));
    const jane = await json(get(`/campaigns/${id}/calls/${janes.call_id}`));
    expect(jane).toMatchObject({ name: 'Smith, Jane', status: 'cancelled', reason: expect.stringContaining('ordered twice') });
    expect(JSON.stringify(jane)).not.toContain('9876543');

    // The list a campaign's page reads leaves out what only the call's own page shows.
    const summaries = (await json(get(`/campaigns/${id}/calls?fields=summary`))).calls as Record<string, unknown>[];
    const { transcript, tool_calls, turns, timeline, ...johnsSummary } = calls.find((call) => call.order_id === 'ORD001') as unknown as Record<string, unknown>;
    expect([transcript, tool_calls, turns, timeline].every(Boolean)).toBe(true);
    expect(summaries.find((call) => call['order_id'] === 'ORD001')).toEqual(johnsSummary);
    expect(await json(get(`/campaigns/${id}/calls?fields=everything`))).toMatchObject({ statusCode: 400, message: expect.stringContaining('fields must be "summary"') });

    const unknownCall = await get(`/campaigns/${id}/calls/00000000-0000-4000-8000-00000000dead`);
    expect([unknownCall.status, (await json(unknownCall)).message]).toEqual([404, `campaign ${id} has no call 00000000-0000-4000-8000-00000000dead`]);
    const unknownCampaign = await get(`/campaigns/00000000-0000-4000-8000-000000000000/calls/${johns.call_id}`);
    expect([unknownCampaign.status, (await json(unknownCampaign)).message]).toEqual([404, 'campaign 00000000-0000-4000-8000-000000000000 not found']);
  });

  it('reports a campaign as the CLI does: rates, outcomes per language and hour, latency buckets and speech characters', async () => {
    const withLanguages = [
      'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,language',
      'John Doe,+15551234567,ORD001,,,,en',
      'Jane Smith,+15559876543,ORD002,,,,HI',
      'Wrong Format,98765 43210,ORD003,,,,',
      'Done Before,+15551230000,ORD004,confirmed,,,en',
      '',
    ].join('\n');
    const { campaign_id: id } = await json(upload(ONE_CALL_NOW, { csv: withLanguages }));
    await readEvents(await get(`/campaigns/${id}/events`));
    const hours = ((await json(get(`/campaigns/${id}/calls`))).calls as { started_at: string }[]).map((call) => new Date(call.started_at).getUTCHours());

    const report = await json(get(`/campaigns/${id}/report`));
    expect(report).toMatchObject({
      campaign_id: id,
      rows: 4,
      by_status: { confirmed: 2, cancelled: 1, invalid_number: 1 },
      not_called: 0,
      attempts: 2,
      retried_rows: 0,
      // Both dialled callees answered; of the three rows whose people answered, two confirmed (one before this campaign).
      answer_rate: 1,
      confirmation_rate: 2 / 3,
      call_seconds: { count: 1, average: 21.5, p95: 21.5 },
      turn_latency_ms: { count: 3, p50: 880, p95: 1300 },
      turn_latency_histogram: { bucket_ms: 250, buckets: [{ from_ms: 250, turns: 1 }, { from_ms: 750, turns: 1 }, { from_ms: 1250, turns: 1 }] },
      outcomes_by_language: { en: { confirmed: 2 }, hi: { cancelled: 1 }, default: { invalid_number: 1 } },
      tts_characters: { calls: 2, total: 420, per_answered_call: 210, per_confirmed_order: 420 },
      cost_estimate: null,
    });
    const legs = Object.fromEntries(report.turn_legs.text.legs.map(({ name, spread }: { name: string; spread: unknown }) => [name, spread]));
    expect(legs).toMatchObject({ 'speech end -> STT final': { n: 1, p50: 100 }, 'LLM request -> first token': { n: 1, p50: 199 }, 'total: speech end -> first frame': { n: 1, p50: 420 } });
    expect(report.outcomes_by_hour_utc.flatMap(({ hour, by_status }: { hour: number; by_status: Record<string, number> }) => Object.entries(by_status).map(([status, count]) => [hour, status, count])).sort())
      .toEqual([[hours[0], 'cancelled', 1], [hours[0], 'confirmed', 1]].sort());
    expect((await get('/campaigns/00000000-0000-4000-8000-000000000000/report')).status).toBe(404);
  });

  it('answers nothing without the API key but /health, which says nothing else', async () => {
    const health = await get('/health', {});
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const id = '00000000-0000-4000-8000-000000000000';
    const refused = await Promise.all([
      get('/campaigns', {}),
      get(`/campaigns/${id}`, {}),
      get(`/campaigns/${id}/events`, {}),
      get(`/campaigns/${id}/csv`, {}),
      get(`/campaigns/${id}/calls`, {}),
      get(`/campaigns/${id}/calls/x`, {}),
      get(`/campaigns/${id}/report`, {}),
      get(`/campaigns/${id}/rows`, {}),
      get(`/campaigns/${id}/rows`, { authorization: 'Bearer not-the-key-at-all-0000' }),
      get(`/campaigns/${id}/calls/x/recording`, {}),
      post(`/campaigns/${id}/pause`, {}),
      post(`/campaigns/${id}/resume`, {}),
      post(`/campaigns/${id}/cancel`, {}),
      upload(ONE_CALL_NOW, { csv: CSV }, {}),
      upload(ONE_CALL_NOW, { csv: CSV }, { authorization: 'Bearer not-the-key-at-all-0000' }),
    ]);
    expect(refused.map((response) => response.status)).toEqual(refused.map(() => 401));
    expect(gateway.received).toEqual([]);
    expect(readdirSync(join(dataDir, 'campaigns'))).toEqual(['service.lock']);
  });

  it('refuses what it cannot run with the status and message that say why', async () => {
    const missing = await upload(ONE_CALL_NOW, { csv: 'name,phone\nA,+15551234567\n' });
    expect(missing.status).toBe(400);
    expect((await json(missing)).message).toMatch(/^orders 1\.csv: .*recipient_phone_number/);
    expect(await json(upload({ ...ONE_CALL_NOW, concurrency: '500' }))).toMatchObject({ statusCode: 400, message: 'concurrency must be a whole number from 1 to 100, got "500"' });
    expect(await json(upload({ ...ONE_CALL_NOW, agent_id: '00000000-0000-4000-8000-000000000000' }))).toMatchObject({ statusCode: 404, reason: 'agent_not_found' });
    expect(await json(upload(ONE_CALL_NOW, {}))).toMatchObject({ statusCode: 400, message: expect.stringContaining('"csv"') });
    const tooBig = await upload(ONE_CALL_NOW, { csv: CSV + `Big Row,+15551234568,ORD9,,,,${'x'.repeat(5000)}\n` });
    expect(tooBig.status).toBe(413);
    const json415 = await fetch(`${url}/campaigns`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hello' });
    expect(json415.status).toBe(415);
    expect((await get('/campaigns/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('/campaigns/../../etc/passwd')).status).toBe(404);
    expect(gateway.received).toEqual([]);
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
  });

  it('pauses and resumes over HTTP, and bounds the event streams open at once', async () => {
    await gateway.stop();
    gateway = await new FakeGateway({ carriers: ['sim'], script: () => ({ hold: true }) }).start();
    // The app's gateway URL is fixed at start: this spec's second gateway listens elsewhere, so start again.
    await app.close();
    const config = loadCampaignApiConfig({ CODCALL_API_KEYS: API_KEY, CAMPAIGN_API_HOST: '127.0.0.1', DATA_DIR: dataDir, AGENT_API_URL: agents.url, GATEWAY_URL: gateway.url, CAMPAIGN_MAX_SSE_CONNECTIONS: '2' });
    app = await createCampaignApiApp(config, { pollSeconds: 1 });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

    const { campaign_id: id } = await json(upload({ ...ONE_CALL_NOW, concurrency: '1' }));
    const [first] = await gateway.placed(1);
    const streams = [await get(`/campaigns/${id}/events`), await get(`/campaigns/${id}/events`)];
    const third = await get(`/campaigns/${id}/events`);
    expect(third.status).toBe(503);
    for (const stream of streams) await stream.body?.cancel();

    expect(await json(post(`/campaigns/${id}/pause`))).toMatchObject({ state: 'paused', rows: { in_flight: 1 } });
    gateway.finish(first, { status: 'confirmed' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gateway.placedCalls()).toHaveLength(1);
    expect(await json(post(`/campaigns/${id}/resume`))).toMatchObject({ state: 'running' });
    const [, second] = await gateway.placed(2);
    gateway.finish(second, { status: 'cancelled' });
    const end = await readEvents(await get(`/campaigns/${id}/events`), (event) => event.type === 'finished');
    expect(end.at(-1)?.event).toMatchObject({ type: 'finished', campaign: { state: 'finished' } });
    expect(gateway.placedCalls().map((call) => call.context['order_id'])).toEqual(['ORD001', 'ORD002']);
  });
  it('on shutdown drains like a pause but keeps the campaign running, so the next start carries on without dialling a row twice', async () => {
    await gateway.stop();
    gateway = await new FakeGateway({ carriers: ['sim'], idempotencyKeys: true, script: () => ({ hold: true }) }).start();
    const restart = async () => {
      await app.close(); // what SIGTERM does (enableShutdownHooks)
      const env = { CODCALL_API_KEYS: API_KEY, CAMPAIGN_API_HOST: '127.0.0.1', DATA_DIR: dataDir, AGENT_API_URL: agents.url, GATEWAY_URL: gateway.url, CAMPAIGN_DRAIN_TIMEOUT_SECONDS: '1' };
      app = await createCampaignApiApp(loadCampaignApiConfig(env), { pollSeconds: 1 });
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    };
    await restart();
    const { campaign_id: id } = await json(upload({ ...ONE_CALL_NOW, concurrency: '1' }));
    const [first] = await gateway.placed(1);

    await restart(); // the call is still in progress: left for the next start to ask after
    expect(JSON.parse(readFileSync(join(dataDir, 'campaigns', id, 'campaign.json'), 'utf8')).state).toBe('running');
    gateway.finish(first, { status: 'confirmed' });
    const [, second] = await gateway.placed(2);
    gateway.finish(second, { status: 'cancelled' });
    const end = await readEvents(await get(`/campaigns/${id}/events`), (event) => event.type === 'finished');
    expect(end.at(-1)?.event).toMatchObject({ type: 'finished', campaign: { state: 'finished', rows: { done: 3 } } });
    expect(gateway.placedCalls().map((call) => call.context['order_id'])).toEqual(['ORD001', 'ORD002']);
    expect(Buffer.from(await (await get(`/campaigns/${id}/csv`)).arrayBuffer()).toString('utf8')).toBe(EXPECTED);
  });

  describe('the rows of a campaign, a page at a time', () => {
    let id: string;
    const rowsOf = async (query: string) => json(get(`/campaigns/${id}/rows${query}`));
    const orders = async (query: string) => ((await rowsOf(query)).rows as { order_id: string }[]).map((row) => row.order_id);
    beforeEach(async () => {
      ({ campaign_id: id } = await json(upload(ONE_CALL_NOW, { csv: ROWS_CSV })));
      await readEvents(await get(`/campaigns/${id}/events`));
    });

    it('shows each row as the CSV now reads, with its attempts and latest call, in file order and never a whole number', async () => {
      const answer = await get(`/campaigns/${id}/rows`);
      const body = await answer.text();
      for (const phone of ROWS_CSV.matchAll(/,(\+?[\d ]{8,}),/g)) expect(body).not.toContain(phone[1].replace(/^\+/, '').slice(-9));
      const page = JSON.parse(body);
      expect(page).toMatchObject({ total: 10, matching: 10, offset: 0, limit: 50 });
      expect(page.rows.map((row: { line: number }) => row.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const calls = (await json(get(`/campaigns/${id}/calls?fields=summary`))).calls as { order_id: string; call_id: string }[];
      const byOrder = Object.fromEntries(page.rows.map((row: { order_id: string }) => [row.order_id, row]));
      expect(byOrder['ORD001']).toEqual({ line: 2, name: 'John Doe', phone: '+15*******67', order_id: 'ORD001', status: 'confirmed', reschedule_date: '', reschedule_time: '', attempts: 1, call_id: calls.find((call) => call.order_id === 'ORD001')!.call_id });
      expect(byOrder['ORD004']).toMatchObject({ name: 'สมชาย ใจดี', status: 'rescheduled', reschedule_date: '2026-12-05', reschedule_time: '15:00', attempts: 1, call_id: expect.any(String) });
      expect(byOrder['ORD005']).toMatchObject({ status: 'invalid_number', phone: '98******10', attempts: 0 });
      expect(byOrder['ORD006']).toMatchObject({ status: 'confirmed', attempts: 0 });
      expect(byOrder['ORD007']).toMatchObject({ status: 'rescheduled', reschedule_date: '2026-12-24', reschedule_time: '10:00' });
      expect(byOrder['ORD008']).toMatchObject({ status: 'out of stock' });
      expect(byOrder['ORD009']).toEqual(expect.objectContaining({ status: 'pending', attempts: 0 }));
      expect(byOrder['ORD009']).not.toHaveProperty('call_id');
      expect(byOrder['ORD010']).toMatchObject({ status: 'cancelled', attempts: 1 });
    });

    it('pages through the rows, at most the limit asked for', async () => {
      expect(await rowsOf('?offset=3&limit=3')).toMatchObject({ total: 10, matching: 10, offset: 3, limit: 3, rows: [{ line: 5 }, { line: 6 }, { line: 7 }] });
      expect(await rowsOf('?offset=9&limit=500')).toMatchObject({ matching: 10, rows: [{ order_id: 'ORD010' }] });
      expect(await rowsOf('?offset=10')).toMatchObject({ matching: 10, rows: [] });
    });

    it('filters by one status, several, or rows without one yet, in by_status’s words', async () => {
      expect(await orders('?status=confirmed')).toEqual(['ORD001', 'ORD002', 'ORD003', 'ORD006']);
      expect(await orders('?status=cancelled,%20Rescheduled')).toEqual(['ORD004', 'ORD007', 'ORD010']);
      expect(await rowsOf('?status=pending')).toMatchObject({ total: 10, matching: 1, rows: [{ order_id: 'ORD009', name: 'Not Yet' }] });
      expect(await orders('?status=out%20of%20stock')).toEqual(['ORD008']);
      expect(await rowsOf('?status=voicemail')).toMatchObject({ matching: 0, rows: [] });
      expect(await rowsOf('?status=confirmed&offset=1&limit=2')).toMatchObject({ matching: 4, rows: [{ order_id: 'ORD002' }, { order_id: 'ORD003' }] });
    });

    it('searches order ids and names in any case and script, trimmed, with or without a status', async () => {
      expect(await orders('?q=%20ord010%20')).toEqual(['ORD010']);
      expect(await orders('?q=JOHN')).toEqual(['ORD001']);
      expect(await orders(`?q=${encodeURIComponent('अनीता')}`)).toEqual(['ORD002']);
      expect(await orders(`?q=${encodeURIComponent('الزهراء')}`)).toEqual(['ORD003']);
      expect(await orders(`?q=${encodeURIComponent('ใจดี')}`)).toEqual(['ORD004']);
      expect(await rowsOf('?q=ord00&status=pending,cancelled')).toMatchObject({ matching: 1, rows: [{ order_id: 'ORD009' }] });
      expect(await rowsOf('?q=nobody')).toMatchObject({ total: 10, matching: 0, rows: [] });
      // A number is not searched: the search is no way to learn whose number it is.
      expect(await rowsOf('?q=5551234567')).toMatchObject({ matching: 0 });
    });

    it('refuses a bad parameter with the message that names it, and an unknown campaign with 404', async () => {
      const refusal = async (query: string) => {
        const answer = await get(`/campaigns/${id}/rows${query}`);
        return [answer.status, (await json(answer)).message];
      };
      expect(await refusal('?limit=0')).toEqual([400, 'limit must be from 1 to 500, got 0']);
      expect(await refusal('?limit=501')).toEqual([400, 'limit must be from 1 to 500, got 501']);
      expect(await refusal('?limit=ten')).toEqual([400, 'limit must be a whole number, got "ten"']);
      expect(await refusal('?offset=-1')).toEqual([400, 'offset must be a whole number, got "-1"']);
      const statusRule = 'status must be one status or up to 20 separated by commas, as by_status names them (pending: no status yet), sent once';
      expect(await refusal('?status=')).toEqual([400, `${statusRule}; got ""`]);
      expect(await refusal('?status=confirmed,,pending')).toEqual([400, `${statusRule}; got "confirmed,,pending"`]);
      expect(await refusal('?status=confirmed&status=pending')).toEqual([400, `${statusRule}; got "confirmed,pending"`]);
      expect(await refusal(`?q=${'x'.repeat(101)}`)).toEqual([400, 'q must be at most 100 characters, got 101']);
      expect(await refusal('?q=a&q=b')).toEqual([400, 'q must be sent once, as text']);
      expect((await rowsOf(`?q=${'x'.repeat(100)}`)).matching).toBe(0);
      const unknown = await get('/campaigns/00000000-0000-4000-8000-000000000000/rows');
      expect([unknown.status, (await json(unknown)).message]).toEqual([404, 'campaign 00000000-0000-4000-8000-000000000000 not found']);
    });
  });
});
