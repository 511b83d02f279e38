import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALL_LIST_FILE, STORE_FILE } from '@codcall/campaign-service';
import type { CallDetailView, CallRecordList, CampaignReportView, CampaignView } from '@codcall/gateway-api';
import { CAMPAIGN_API_MAIN, followCampaignEvents, startCampaignApi, uploadCampaign, type RunningCampaignApi } from './support/campaign-api';
import { freePort, MAINS, runCli, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';

/**
 * The campaign-api as operators run it: the real agent-api, telephony-gateway (its carrier
 * simulator) and campaign-api processes. A call list like the demo's is uploaded with its callees, the
 * campaign-api is killed with SIGKILL while a call is in flight and started again over the same
 * data folder: the campaign finishes, every row called once, and the CSV it hands back is what
 * the CLI writes for the same file, byte for byte.
 */
const ONE_CALL_PER_ROW_NOW = { window: '00:00-24:00', max_attempts: '1', cps: '20' };
/**
 * Rows of demo/call_list.csv's kinds (a BOM, quoted cells, a line break in a cell, a final row, a
 * bad number) with callees that end fast; the conversations themselves are campaign.e2e.spec.ts's story.
 */
const CALL_LIST = [
  '\ufeffname,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes,language',
  '"Doe, John",+15551234567,ORD001,,,,"leave at door, ring ""twice""",en',
  'Jane Smith,+15559876543,ORD002,"","","","gate code 42\nsecond line",',
  'María García,+525512345678,ORD005,,,,,es',
  'Budi Santoso,+628123456789,ORD006,,,,,id',
  'Already Done,+15551230000,ORD008,confirmed,,,must not be dialled,en',
  'Bad Number,12345,ORD009,,,,,',
  '',
].join('\n');
/** What the CLI writes for the same file: the outcome cells, and not a byte elsewhere. */
const EXPECTED = CALL_LIST.replace('ORD001,,,,', 'ORD001,voicemail,,,')
  .replace('ORD002,"","",""', 'ORD002,"failed","",""')
  .replace('ORD005,,,,', 'ORD005,no_answer,,,')
  .replace('ORD006,,,,', 'ORD006,busy,,,')
  .replace('ORD009,,,,', 'ORD009,invalid_number,,,');
const CALLEES = {
  // Rings a while, then the agent leaves its message: in flight when the campaign-api is killed.
  '+15551234567': { answer: 'voicemail', ringSeconds: 2 },
  '+15559876543': { answer: 'failed' },
  '+525512345678': { answer: 'no_answer', ringSeconds: 1 },
  '+628123456789': { answer: 'busy' },
};

describe('campaigns through the campaign-api, end to end', () => {
  let work: string;
  let agentApi: RunningService;
  let gateway: RunningService;
  let campaignApi: RunningCampaignApi | undefined;
  let agentId: string;
  let port: number;
  /** The campaign the SIGKILL story ran to its end, for the story after it. */
  let finishedId: string | undefined;

  beforeAll(async () => {
    for (const main of [MAINS.agentApi, MAINS.gateway, CAMPAIGN_API_MAIN]) {
      if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    }
    work = mkdtempSync(join(tmpdir(), 'codcall-campaign-api-e2e-'));
    const [agentPort, gatewayPort] = [await freePort(), await freePort()];
    port = await freePort();
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'agents') }, agentPort);
    gateway = await startService(MAINS.gateway, { GATEWAY_PORT: String(gatewayPort), AGENT_API_URL: agentApi.url, RECORDS_DIR: join(work, 'calls') }, gatewayPort);
    const response = await fetch(`${agentApi.url}/agent`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json' }),
      body: readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json')),
    });
    agentId = ((await response.json()) as { agent_id: string }).agent_id;
    campaignApi = await start();
  }, 60_000);

  afterAll(async () => {
    await campaignApi?.stop();
    await gateway?.stop();
    await agentApi?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  const start = () => startCampaignApi({ port, dataDir: join(work, 'campaign-api'), agentApiUrl: agentApi.url, gatewayUrl: gateway.url });

  it('answers nothing without the API key but /health', async () => {
    const url = campaignApi!.url;
    const id = '00000000-0000-4000-8000-000000000000';
    const routes: [string, string][] = [
      ['POST', '/campaigns'],
      ['GET', '/campaigns'],
      ['GET', `/campaigns/${id}`],
      ['GET', `/campaigns/${id}/events`],
      ['POST', `/campaigns/${id}/pause`],
      ['POST', `/campaigns/${id}/resume`],
      ['POST', `/campaigns/${id}/cancel`],
      ['GET', `/campaigns/${id}/csv`],
      ['GET', `/campaigns/${id}/calls`],
      ['GET', `/campaigns/${id}/calls/${id}`],
      ['GET', `/campaigns/${id}/calls/${id}/recording`],
      ['GET', `/campaigns/${id}/report`],
    ];
    for (const [method, path] of routes) expect([method, path, (await fetch(`${url}${path}`, { method })).status]).toEqual([method, path, 401]);
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('a campaign killed with SIGKILL mid-way resumes when the service starts again: every row called once, the CSV as the CLI writes it', async () => {
    const created = await uploadCampaign(
      campaignApi!.url,
      { agent_id: agentId, concurrency: '10', ...ONE_CALL_PER_ROW_NOW },
      { csv: Buffer.from(CALL_LIST, 'utf8'), fileName: 'call_list.csv', simulate: Buffer.from(JSON.stringify(CALLEES)) },
    );
    expect(created).toMatchObject({ state: 'running', provider: 'sim', rows: { total: 6, done: 1 } });
    const id = created.campaign_id;
    finishedId = id;

    // Killed once a call has ended, with another still in flight.
    const before = await followCampaignEvents(campaignApi!.url, id, { stopAfter: (event) => event.type === 'outcome' && event.call_id !== undefined });
    expect(before[0].event.type).toBe('snapshot');
    const placed = before.filter(({ event }) => event.type === 'call-placed').length;
    const ended = before.filter(({ event }) => event.type === 'outcome' && event.call_id !== undefined).length;
    expect(placed - ended).toBeGreaterThan(0);
    await campaignApi!.kill();
    campaignApi = await start();

    const after = await followCampaignEvents(campaignApi.url, id);
    const finished = after.at(-1)?.event;
    if (finished?.type !== 'finished') throw new Error(`the campaign did not finish: ${JSON.stringify(after.map((e) => e.event.type))}\n${campaignApi.output()}`);
    expect(finished.campaign).toMatchObject({ state: 'finished', rows: { total: 6, done: 6, pending: 0, in_flight: 0 } });

    const csv = Buffer.from(await (await fetch(`${campaignApi.url}/campaigns/${id}/csv`, { headers: withApiKey() })).arrayBuffer());
    expect(csv.toString('utf8')).toBe(EXPECTED);
    expect(csv.equals(Buffer.from(EXPECTED, 'utf8'))).toBe(true);

    // Each dialled row reached the gateway once: calls placed before the kill were asked after, not dialled again.
    const dialled = readdirSync(join(work, 'calls'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(join(work, 'calls', file), 'utf8')).context.order_id as string)
      .sort();
    expect(dialled).toEqual(['ORD001', 'ORD002', 'ORD005', 'ORD006']);
    const { calls } = (await (await fetch(`${campaignApi.url}/campaigns/${id}/calls`, { headers: withApiKey() })).json()) as CallRecordList;
    expect(calls.map((call) => call.order_id).sort()).toEqual(dialled);
    expect(calls.every((call) => call.attempt === 1)).toBe(true);
    const voicemail = calls.find((call) => call.order_id === 'ORD001')!;
    expect(voicemail).toMatchObject({ status: 'voicemail', line: 2 });
    expect(voicemail.phone).not.toContain('1234567');

    const list = (await (await fetch(`${campaignApi.url}/campaigns`, { headers: withApiKey() })).json()) as { campaigns: CampaignView[] };
    expect(list.campaigns.find((campaign) => campaign.campaign_id === id)).toMatchObject({
      state: 'finished',
      by_status: { voicemail: 1, confirmed: 1, failed: 1, no_answer: 1, busy: 1, invalid_number: 1 },
    });
    expect(campaignApi.output()).not.toContain('+15559876543');
  }, 60_000);

  it('gives each call its own URL, and reports the campaign with the figures the CLI reports for the same files', async () => {
    if (!finishedId) throw new Error('the SIGKILL story did not create its campaign');
    const api = campaignApi!.url;
    const { calls } = (await (await fetch(`${api}/campaigns/${finishedId}/calls`, { headers: withApiKey() })).json()) as CallRecordList;
    const listed = calls.find((call) => call.order_id === 'ORD001')!;
    const call = (await (await fetch(`${api}/campaigns/${finishedId}/calls/${listed.call_id}`, { headers: withApiKey() })).json()) as CallDetailView;
    expect(call).toEqual({ ...listed, name: 'Doe, John', reason: 'answering machine detected' });
    expect(call.timeline?.length).toBeGreaterThan(0);

    const served = (await (await fetch(`${api}/campaigns/${finishedId}/report`, { headers: withApiKey() })).json()) as CampaignReportView;
    const folder = join(work, 'campaign-api', 'campaigns', finishedId);
    const cli = await runCli(['report', '--json', '--csv', join(folder, CALL_LIST_FILE), '--store', join(folder, STORE_FILE), '--campaign', finishedId], {});
    expect(cli).toMatchObject({ code: 0, stderr: '' });
    const printed = JSON.parse(cli.stdout);
    // The same figures under the wire's snake_case names.
    expect(served).toEqual({
      campaign_id: finishedId,
      rows: printed.rows,
      by_status: printed.byStatus,
      not_called: printed.notCalled,
      attempts: printed.attempts,
      retried_rows: printed.retriedRows,
      answer_rate: printed.answerRate,
      confirmation_rate: printed.confirmationRate,
      call_seconds: printed.callSeconds,
      turn_latency_ms: printed.turnLatencyMs,
      turn_latency_histogram: { bucket_ms: 250, buckets: printed.turnLatencyHistogram.map(({ fromMs, turns }: { fromMs: number; turns: number }) => ({ from_ms: fromMs, turns })) },
      turn_legs: {
        text: printed.turnLegs.text,
        outcome: printed.turnLegs.outcome,
        barge_in: { turns: printed.turnLegs.bargeIn.turns, speech_start_to_clear: printed.turnLegs.bargeIn.speechStartToClear, resumed: printed.turnLegs.bargeIn.resumed, interrupted: printed.turnLegs.bargeIn.interrupted },
      },
      outcomes_by_language: printed.outcomesByLanguage,
      outcomes_by_hour_utc: printed.outcomesByHourUtc.map(({ hour, byStatus }: { hour: number; byStatus: Record<string, number> }) => ({ hour, by_status: byStatus })),
      tts_characters: {
        calls: printed.ttsCharacters.calls,
        total: printed.ttsCharacters.total,
        per_answered_call: printed.ttsCharacters.perAnsweredCall,
        per_confirmed_order: printed.ttsCharacters.perConfirmedOrder,
      },
      cost_estimate: printed.costEstimate,
    });
    // And what the story's callees did, so that the agreement is about something.
    expect(served).toMatchObject({
      rows: 6,
      by_status: { voicemail: 1, confirmed: 1, failed: 1, no_answer: 1, busy: 1, invalid_number: 1 },
      attempts: 4,
      answer_rate: 0,
      outcomes_by_language: { en: { voicemail: 1, confirmed: 1 }, default: { failed: 1, invalid_number: 1 }, es: { no_answer: 1 }, id: { busy: 1 } },
    });
  }, 30_000);
});

