import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { freePort, MAINS, runCli, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';

/**
 * The whole product, as a user runs it: the real agent-api and telephony-gateway processes on
 * free ports, the agent created over HTTP from agent_data, and the outbound CLI dialling a CSV
 * through the gateway's carrier simulator, which speaks Twilio's Media Streams protocol over a
 * real WebSocket. The CSV that comes back is compared byte for byte.
 */
/** This story is about one call per row, whatever the hour: no calling window, no retries, no pacing to speak of. */
const ONE_CALL_PER_ROW_NOW = ['--window', '00:00-24:00', '--max-attempts', '1', '--cps', '20'];

describe('an offline COD campaign, end to end', () => {
  let work: string;
  let agentApi: RunningService;
  let gateway: RunningService;
  let agentId: string;

  beforeAll(async () => {
    for (const main of Object.values(MAINS)) {
      if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    }
    work = mkdtempSync(join(tmpdir(), 'codcall-e2e-'));
    const [agentPort, gatewayPort] = [await freePort(), await freePort()];
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'data') }, agentPort);
    gateway = await startService(
      MAINS.gateway,
      { GATEWAY_PORT: String(gatewayPort), AGENT_API_URL: agentApi.url, RECORDS_DIR: join(work, 'calls') },
      gatewayPort,
    );
    const response = await fetch(`${agentApi.url}/agent`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json' }),
      body: readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json')),
    });
    const created = (await response.json()) as { agent_id: string; state: string };
    expect(created.state).toBe('created');
    agentId = created.agent_id;
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await agentApi?.stop();
  });

  const env = () => ({ AGENT_API_URL: agentApi.url, GATEWAY_URL: gateway.url });

  it('calls every pending row and writes each outcome into the CSV, changing nothing else', async () => {
    const csv = join(work, 'campaign.csv');
    const original = readFileSync(join(__dirname, 'fixtures/campaign.csv'));
    writeFileSync(csv, original);
    const tomorrowBefore = DateTime.now().setZone('Asia/Kolkata').plus({ days: 1 }).toISODate();

    const result = await runCli(
      [`--agentId=${agentId}`, '--csv', csv, '--simulate', join(__dirname, 'fixtures/callees.json'), '--concurrency', '10', '--no-progress', ...ONE_CALL_PER_ROW_NOW],
      env(),
    );
    if (result.code !== 0) throw new Error(`CLI exited ${result.code}\n${result.stdout}\n${result.stderr}\n${gateway.output()}`);

    const tomorrowAfter = DateTime.now().setZone('Asia/Kolkata').plus({ days: 1 }).toISODate();
    const expected = (tomorrow: string | null) =>
      Buffer.from(
        original
          .toString('utf8')
          .replace('ORD001,,,,', 'ORD001,confirmed,,,')
          .replace('ORD002,,,,', 'ORD002,cancelled,,,')
          .replace('ORD003,"","",""', `ORD003,"rescheduled","${tomorrow}","15:00"`)
          .replace('ORD004,,,,', 'ORD004,wrong_person,,,')
          .replace('ORD005,,,,', 'ORD005,no_answer,,,')
          .replace('ORD006,,,,', 'ORD006,busy,,,')
          .replace('ORD007,,,,', 'ORD007,voicemail,,,')
          .replace('ORD009,,,,', 'ORD009,invalid_number,,,')
          .replace('ORD010,,,,', 'ORD010,confirmed,,,'),
        'utf8',
      );
    const actual = readFileSync(csv);
    const matches = [tomorrowBefore, tomorrowAfter].some((tomorrow) => actual.equals(expected(tomorrow)));
    if (!matches) expect(actual.toString('utf8')).toBe(expected(tomorrowAfter).toString('utf8'));

    expect(result.stdout).toMatch(/confirmed\s*\|?\s*2/);

    // Every answered call left a record and a two-sided recording someone can listen to.
    const records = readdirSync(join(work, 'calls')).filter((file) => file.endsWith('.json'));
    expect(records.length).toBe(8);
    const confirmed = records
      .map((file) => JSON.parse(readFileSync(join(work, 'calls', file), 'utf8')))
      .find((record) => record.context.order_id === 'ORD001');
    expect(confirmed.outcome.status).toBe('confirmed');
    expect(confirmed.transcript.some((line: { speaker: string; text: string }) => line.speaker === 'callee' && /deliver/i.test(line.text))).toBe(true);
    expect(confirmed.to).not.toBe('+15551234567');
    const wav = statSync(confirmed.recordingPath);
    expect(wav.size).toBeGreaterThan(8000 * 2 * 2 * 3); // > 3 s of stereo 16-bit 8 kHz audio

    // The campaign store kept each call's record: the report has rates, call lengths and turn latencies.
    const report = await runCli(['report', '--json', '--csv', csv], env());
    expect(report.code).toBe(0);
    const measures = JSON.parse(report.stdout);
    expect(measures).toMatchObject({ attempts: 8, byStatus: { confirmed: 3, no_answer: 1, busy: 1, invalid_number: 1 } });
    expect(measures.answerRate).toBeGreaterThan(0);
    expect(measures.callSeconds.count).toBeGreaterThan(0);
    expect(measures.turnLatencyMs.count).toBeGreaterThan(0);
    expect(measures.turnLatencyMs.p95).toBeGreaterThanOrEqual(measures.turnLatencyMs.p50);

    // The gateway's logs never show a full phone number.
    expect(gateway.output()).not.toContain('+919876543210');
  }, 180_000);

  it('refuses an unknown agent with a clear message and exit code 2, touching nothing', async () => {
    const csv = join(work, 'untouched.csv');
    const original = readFileSync(join(__dirname, 'fixtures/campaign.csv'));
    writeFileSync(csv, original);
    const result = await runCli(['--agentId=00000000-0000-4000-8000-000000000000', '--csv', csv, '--provider', 'sim', '--no-progress'], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/agent .*not found/i);
    expect(readFileSync(csv).equals(original)).toBe(true);
  }, 30_000);

  it('says which service is unreachable and exits 3', async () => {
    const port = await freePort();
    const csv = join(work, 'unreachable.csv');
    writeFileSync(csv, readFileSync(join(__dirname, 'fixtures/campaign.csv')));
    const result = await runCli([`--agentId=${agentId}`, '--csv', csv, '--provider', 'sim', '--no-progress'], {
      AGENT_API_URL: agentApi.url,
      GATEWAY_URL: `http://127.0.0.1:${port}`,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
  }, 30_000);
});
