import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, MAINS, runCli, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';
import { patientDemoCallees } from './support/demo-callees';

const CAMPAIGN_API_MAIN = join(WORKSPACE, 'dist/apps/campaign-api/apps/campaign-api/src/main.js');

/** Three of the demo's rows: a confirmation, a busy line and a number that is not one. */
const DEMO_LINES = ['ORD001', 'ORD006', 'ORD008'];
const ONE_CALL_PER_ROW_NOW = ['--window', '00:00-24:00', '--max-attempts', '1', '--cps', '20', '--no-progress'];

/**
 * The CLI's --server mode against the real processes: the campaign-api (embedded mode, no Redis)
 * in front of the real gateway and its simulator. The same demo rows run locally and through the
 * service at once; the CSV the service sends back, written over the uploaded file, is the local run's.
 */
describe('outbound-cli start --server, end to end', () => {
  let work: string;
  let agentApi: RunningService | undefined;
  let gateway: RunningService | undefined;
  let campaignApi: RunningService | undefined;
  let agentId: string;

  beforeAll(async () => {
    for (const main of [...Object.values(MAINS), CAMPAIGN_API_MAIN]) {
      if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    }
    work = mkdtempSync(join(tmpdir(), 'codcall-cli-server-'));
    const [agentPort, gatewayPort, campaignPort] = [await freePort(), await freePort(), await freePort()];
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'agents') }, agentPort);
    // The gateway and the campaign-api start side by side: the campaign-api asks the gateway nothing before a campaign.
    const started = await Promise.allSettled([
      startService(MAINS.gateway, { GATEWAY_PORT: String(gatewayPort), AGENT_API_URL: agentApi.url, RECORDS_DIR: join(work, 'calls') }, gatewayPort),
      startService(
        CAMPAIGN_API_MAIN,
        { CAMPAIGN_API_PORT: String(campaignPort), CAMPAIGN_API_HOST: '127.0.0.1', DATA_DIR: join(work, 'campaign-api'), AGENT_API_URL: agentApi.url, GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`, REDIS_URL: '' },
        campaignPort,
      ),
    ]);
    // Kept even when the other failed, so afterAll stops it.
    [gateway, campaignApi] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const response = await fetch(`${agentApi.url}/agent`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json' }),
      body: readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json')),
    });
    agentId = ((await response.json()) as { agent_id: string }).agent_id;
  }, 60_000);

  afterAll(async () => {
    await campaignApi?.stop();
    await gateway?.stop();
    await agentApi?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('gets back over the uploaded file the CSV a local run writes for the same rows', async () => {
    const demo = readFileSync(join(WORKSPACE, 'demo/call_list.csv'), 'utf8').split('\n');
    const rows = [demo[0], ...demo.filter((line) => DEMO_LINES.some((order) => line.includes(`,${order},`))), ''].join('\n');
    const local = join(work, 'local.csv');
    const served = join(work, 'served.csv');
    writeFileSync(local, rows);
    writeFileSync(served, rows);
    const callees = patientDemoCallees(work);

    const [localRun, serverRun] = await Promise.all([
      runCli(['start', `--agentId=${agentId}`, '--csv', local, '--simulate', callees, ...ONE_CALL_PER_ROW_NOW], { AGENT_API_URL: agentApi!.url, GATEWAY_URL: gateway!.url }, 60_000),
      runCli(['start', '--server', campaignApi!.url, `--agentId=${agentId}`, '--csv', served, '--simulate', callees, ...ONE_CALL_PER_ROW_NOW], {}, 60_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${campaignApi?.output()}`);
      }),
    ]);
    const logs = () => `${serverRun.stdout}\n${serverRun.stderr}\n${campaignApi?.output()}`;
    if (localRun.code !== 0) throw new Error(`local run exited ${localRun.code}\n${localRun.stderr}`);
    if (serverRun.code !== 0) throw new Error(`--server run exited ${serverRun.code}\n${logs()}`);

    // Not a comparison of two untouched files: the local run wrote its outcomes.
    expect(readFileSync(local, 'utf8')).toMatch(/ORD006,busy,[\s\S]*ORD008,invalid_number,/);
    expect(readFileSync(served, 'utf8')).toBe(readFileSync(local, 'utf8')); // a readable diff first
    expect(readFileSync(served)).toEqual(readFileSync(local)); // then byte for byte
    // The same progress lines as the local run: one per row, its number masked.
    for (const order of ['ORD001', 'ORD006']) expect(serverRun.stderr).toMatch(new RegExp(`\\[\\d/\\d\\] ${order} {2}\\+\\d\\d\\*+\\d\\d {2}\\w+`));
    expect(serverRun.stderr).not.toMatch(/\+15551234567|\+628123456789/);
    expect(serverRun.stdout).toMatch(/Campaign \S+ finished on the server\./);
    expect(existsSync(`${served}.campaign-api.json`)).toBe(false);
  }, 90_000);
});
