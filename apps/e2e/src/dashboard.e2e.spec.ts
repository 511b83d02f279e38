import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Locator } from 'playwright-core';
import { openDashboardBrowser, PHONE, DESKTOP, type DashboardBrowser } from './support/dashboard-browser';
import { patientDemoCallees } from './support/demo-callees';
import { E2E_API_KEY, freePort, MAINS, runCli, startService, withApiKey, WORKSPACE, type CliResult, type RunningService } from './support/processes';

const CAMPAIGN_API_MAIN = join(WORKSPACE, 'dist/apps/campaign-api/apps/campaign-api/src/main.js');
const DASHBOARD_DIR = join(WORKSPACE, 'dist/apps/dashboard');
const DEMO_CSV = join(WORKSPACE, 'demo/call_list.csv');
// The browser's globals that the page callbacks below use (this project is type-checked without the DOM library).
declare const document: { cookie: string; documentElement: { scrollWidth: number }; querySelector(selector: string): unknown };
declare const localStorage: { length: number };
declare const sessionStorage: { length: number; setItem(key: string, value: string): void };
declare const innerWidth: number;
interface HTMLAudioElement {
  readyState: number;
  duration: number;
  currentTime: number;
  play(): Promise<void>;
  pause(): void;
  addEventListener(type: string, listener: () => void, options?: { once?: boolean }): void;
}

/** Every row called once, now, in one wave of calls (the demo's thirteen rows at once). */
const DEMO_OPTIONS = { window: '00:00-24:00', max_attempts: '1', cps: '20', concurrency: '13' };

/**
 * An operator's morning in the dashboard, against the real services: the built agent-api, the
 * gateway's carrier simulator and the campaign-api serving the built dashboard on its own port,
 * driven in Debian's Chromium. The same demo list goes through the CLI first (while the operator
 * signs in and previews the file), and the CSV the browser downloads must be that file, byte for byte.
 */
describe('the operations dashboard, in a browser', () => {
  let work: string;
  let agentApi: RunningService;
  let gateway: RunningService;
  let campaignApi: RunningService;
  let browser: DashboardBrowser;
  let cliCsv: string;
  let callees: string;
  let agentId: string;
  let cliRun: Promise<CliResult>;
  let campaignUrl: string;
  let startedAt: DateTime;

  beforeAll(async () => {
    for (const main of [MAINS.agentApi, MAINS.gateway, MAINS.cli, CAMPAIGN_API_MAIN, join(DASHBOARD_DIR, 'index.html')]) {
      if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    }
    work = mkdtempSync(join(tmpdir(), 'codcall-dashboard-e2e-'));
    callees = patientDemoCallees(work);
    const [agentPort, gatewayPort, campaignPort] = [await freePort(), await freePort(), await freePort()];
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'agents') }, agentPort);
    gateway = await startService(MAINS.gateway, { GATEWAY_PORT: String(gatewayPort), AGENT_API_URL: agentApi.url, RECORDS_DIR: join(work, 'calls') }, gatewayPort);
    campaignApi = await startService(
      CAMPAIGN_API_MAIN,
      { CAMPAIGN_API_PORT: String(campaignPort), CAMPAIGN_API_HOST: '127.0.0.1', DATA_DIR: join(work, 'campaigns'), AGENT_API_URL: agentApi.url, GATEWAY_URL: gateway.url, DASHBOARD_DIR },
      campaignPort,
    );
    const created = await fetch(`${agentApi.url}/agent`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json' }),
      body: readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json')),
    });
    ({ agent_id: agentId } = (await created.json()) as { agent_id: string });
    // Chromium starts before the calls do: its start-up is the heaviest moment of the story's browser.
    browser = await openDashboardBrowser();
    // The CLI calls the same rows through the same gateway while the operator signs in and previews the list.
    cliCsv = join(work, 'cli-call_list.csv');
    copyFileSync(DEMO_CSV, cliCsv);
    cliRun = runCli(
      [`--agentId=${agentId}`, '--csv', cliCsv, '--simulate', callees, '--no-progress', '--window', DEMO_OPTIONS.window, '--max-attempts', DEMO_OPTIONS.max_attempts, '--cps', DEMO_OPTIONS.cps, '--concurrency', DEMO_OPTIONS.concurrency],
      { AGENT_API_URL: agentApi.url, GATEWAY_URL: gateway.url },
    );
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cliRun?.catch(() => undefined);
    await campaignApi?.stop();
    await gateway?.stop();
    await agentApi?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const page = () => browser.page;
  // What the page logged as errors during a story, shown beside its result.
  afterEach(() => {
    if (browser?.errors.length) console.warn(browser.errors.splice(0).join('\n'));
  });

  it('refuses a wrong key, then signs in with the right one from the keyboard, keeping nothing but the key', async () => {
    await page().goto(`${campaignApi.url}/`);
    await page().getByRole('heading', { name: 'codcall operations' }).waitFor();
    await page().keyboard.type('not-the-key');
    await page().keyboard.press('Enter');
    await expectText(page().getByRole('alert'), /refused \(401\)/);
    await browser.screenshot('sign-in');

    await page().getByLabel('API key').fill(E2E_API_KEY);
    await page().keyboard.press('Enter');
    await page().getByRole('heading', { name: 'Campaigns' }).waitFor();
    const storage = await page().evaluate(() => ({ local: localStorage.length, session: Object.keys(sessionStorage), cookies: document.cookie }));
    expect(storage).toEqual({ local: 0, session: ['codcall.apiKey'], cookies: '' });
  }, 20_000);

  it('previews the demo list with the server’s preflight flagging the invalid number, then starts it', async () => {
    await page().getByRole('link', { name: 'New campaign' }).first().click();
    await page().getByLabel('Call list (CSV): drop it here or choose it').setInputFiles(DEMO_CSV);
    await page().getByLabel('Scripted callees for the simulator (JSON, optional)').setInputFiles(callees);
    await page().getByLabel('Calling window').fill(DEMO_OPTIONS.window);
    await page().getByLabel('Attempts per row').fill(DEMO_OPTIONS.max_attempts);
    await page().getByLabel('Calls per second').fill(DEMO_OPTIONS.cps);
    await page().getByLabel('Calls at once').fill(DEMO_OPTIONS.concurrency);
    // Line 9 is "Wrong Format, 98765 43210": the campaign-api's preflight says so before anyone is dialled.
    await expectText(page().getByRole('status', { name: 'Preflight' }), /1 invalid numbers/);
    await expectText(page().locator('tr[data-line="9"]'), /invalid number/);
    expect(await page().locator('tr.flagged').count()).toBe(1);
    expect(await page().locator('table.rows').textContent()).not.toContain('+919876543210');
    await page().getByRole('region', { name: 'Preview' }).scrollIntoViewIfNeeded();
    await browser.screenshot('new-campaign');

    // One campaign on the gateway at a time: on two busy cores, calls racing each other can end
    // no_response, and the two files would then differ for the machine's sake, not the code's.
    const cli = await cliRun;
    if (cli.code !== 0) throw new Error(`CLI exited ${cli.code}\n${cli.stdout}\n${cli.stderr}`);
    startedAt = DateTime.now();
    await page().getByRole('button', { name: 'Start the campaign' }).click();
    await page().waitForURL(/#\/campaigns\/(?!new$)[^/]+$/);
    campaignUrl = page().url();
  }, 120_000);

  it('shows the rows being called and every row reaching its status, live', async () => {
    const statusCells = () => page().locator('table.rows tbody tr td:nth-child(5)').allTextContents();
    const seen = new Set<string>();
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      for (const status of await statusCells()) seen.add(status);
      if ((await page().getByTestId('campaign-state').textContent()) === 'finished') break;
      await page().waitForTimeout(250);
    }
    expect(await page().getByTestId('campaign-state').textContent()).toBe('finished');
    // Rows were shown in flight before their outcomes came: the page followed the events, it was not reloaded.
    expect(seen).toContain('calling');
    const byOrder = Object.fromEntries(
      await page().locator('table.rows tbody tr').evaluateAll((rows) => rows.map((row) => [row.children[1].textContent, row.children[4].textContent])),
    );
    expect(byOrder).toMatchObject({ ORD003: 'rescheduled', ORD008: 'invalid_number' });
    expect(Object.values(byOrder).filter((status) => status === '—' || status === 'calling')).toEqual([]);
    expect(await page().getByTestId('count-done').textContent()).toBe('13');
    await browser.screenshot('campaign');
  }, 160_000);

  it('asks the service for the rows the table shows: a search by order id, a status filter, then every row again', async () => {
    const rows = page().locator('table.rows tbody tr');
    const asked = (part: string) => page().waitForRequest((request) => request.url().includes('/rows?') && request.url().includes(part), { timeout: 10_000 });
    let request = asked('q=ORD003');
    await page().getByLabel('Search order id or name').fill('ORD003');
    await request;
    await expectCount(rows, 1);
    await expectText(rows.first(), /ORD003.*Priya Sharma.*\+91\*{8}10.*rescheduled/);
    request = asked('status=invalid_number');
    await page().getByLabel('Search order id or name').fill('');
    await page().getByLabel('Status', { exact: true }).selectOption('invalid_number');
    await request;
    await expectCount(rows, 1);
    await expectText(rows.first(), /ORD008.*invalid_number/);
    await page().getByLabel('Status', { exact: true }).selectOption('');
    await expectCount(rows, 13);
    await expectText(page().getByTestId('rows-range'), /^1–13 of 13 rows$/);
  }, 30_000);

  it('opens the rescheduled call: its transcript, the new date, and a recording that plays', async () => {
    await page().getByLabel('Search order id or name').fill('Priya');
    await expectCount(page().locator('table.rows tbody tr'), 1);
    await page().getByRole('link', { name: /^Open call \(line/ }).click();
    await page().getByRole('heading', { name: /Priya Sharma/ }).waitFor();
    await expectText(page().getByTestId('transcript'), /deliver it tomorrow at 3 pm/i);
    const outcome = (await page().getByTestId('outcome').textContent()) ?? '';
    // "Tomorrow" in Mumbai, as it was when the campaign started or is now (the run may straddle midnight there).
    const tomorrow = [startedAt, DateTime.now()].map((at) => at.setZone('Asia/Kolkata').plus({ days: 1 }).toISODate());
    expect(tomorrow.some((date) => outcome.includes(`Reschedule date${date}`))).toBe(true);
    expect(outcome).toContain('Reschedule time15:00');

    const audio = page().getByTestId('recording');
    await audio.evaluate((element: HTMLAudioElement) => new Promise((resolve) => (element.readyState >= 2 ? resolve(null) : element.addEventListener('canplay', () => resolve(null), { once: true }))));
    expect(await audio.evaluate((element: HTMLAudioElement) => element.duration)).toBeGreaterThan(3);
    await audio.evaluate((element: HTMLAudioElement) => element.play());
    await page().waitForFunction(() => (document.querySelector('[data-testid="recording"]') as HTMLAudioElement).currentTime > 0.5, undefined, { timeout: 10_000 });
    await audio.evaluate((element: HTMLAudioElement) => element.pause());
    await browser.screenshot('call');
  }, 30_000);

  it('downloads the campaign’s CSV: byte for byte the service’s file, and the CLI’s file for the same rows', async () => {
    await page().goto(campaignUrl);
    await page().getByRole('button', { name: 'Download the CSV' }).waitFor();
    await expectEnabled(page().getByRole('button', { name: 'Download the CSV' }));
    const [download] = await Promise.all([page().waitForEvent('download'), page().getByRole('button', { name: 'Download the CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('call_list.csv');
    const downloaded = readFileSync((await download.path())!);

    const campaignId = campaignUrl.split('/').pop();
    const served = Buffer.from(await (await fetch(`${campaignApi.url}/campaigns/${campaignId}/csv`, { headers: withApiKey() })).arrayBuffer());
    expect(downloaded.equals(served)).toBe(true);

    // The same rows and the same callees through the same gateway decide the same, every cell.
    const written = readFileSync(cliCsv);
    expect(downloaded.toString('utf8')).toBe(written.toString('utf8'));
    expect(downloaded.equals(written)).toBe(true);
    expect(downloaded.equals(readFileSync(DEMO_CSV))).toBe(false);
  }, 60_000);

  it('lists the agents and puts agent-api’s validation error against the field', async () => {
    await page().getByRole('link', { name: 'Agents' }).click();
    await expectText(page().getByRole('region', { name: 'Agents on agent-api' }), /cod_confirmation/);
    await page().getByLabel('Name', { exact: true }).fill('');
    await page().getByRole('button', { name: 'Create the agent', exact: true }).click();
    await expectText(page().locator('#agent-name-error'), /agent_name/);
    expect(await page().getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await browser.screenshot('agents');
  }, 20_000);

  it('reports the campaign, and fits a phone’s screen', async () => {
    await page().getByRole('link', { name: 'Report' }).first().click();
    await expectText(page().getByTestId('answer-rate'), /%/);
    await expectText(page().getByTestId('confirmation-rate'), /%/);
    await browser.screenshot('report');

    await page().goto(`${campaignApi.url}/#/campaigns`);
    await expectText(page().locator('.row-counts').first(), /13 of 13 done/);
    await browser.screenshot('campaigns');

    await page().setViewportSize(PHONE);
    await page().goto(campaignUrl);
    await page().getByTestId('campaign-state').waitFor();
    const widths = await page().evaluate(() => ({ page: document.documentElement.scrollWidth, screen: innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    await browser.screenshot('campaign-phone');
    await page().setViewportSize(DESKTOP);
  }, 20_000);

  it('places a test call in the simulator from the Agents page, with the callee’s lines typed in', async () => {
    await page().getByRole('link', { name: 'Agents' }).click();
    await page().getByLabel('What the callee says, one line per turn').fill('Yes, speaking.\nNo, please cancel it. I ordered it by mistake.');
    await page().getByRole('button', { name: 'Place the test call' }).click();
    await page().getByTestId('campaign-state').waitFor();
    await expectText(page().getByTestId('campaign-state'), /^finished$/, 60_000);
    const statuses = await page().locator('table.rows tbody tr').evaluateAll((rows) => rows.map((row) => [row.children[1].textContent, row.children[4].textContent]));
    expect(statuses).toHaveLength(1);
    expect(statuses[0][0]).toBe('TEST001');
    // What the agent decided depends on how the conversation went on this machine; that the callee said the typed lines does not.
    await page().getByRole('link', { name: /^Open call \(line/ }).click();
    await expectText(page().getByTestId('transcript'), /Yes, speaking\.[\s\S]*No, please cancel it/);
  }, 75_000);

  it('pauses, resumes and cancels a campaign from the campaigns list', async () => {
    // Five rows that ring out one after the other (2 s each): long enough to act on while it runs.
    const phones = ['+14155550101', '+14155550102', '+14155550103', '+14155550104', '+14155550105'];
    const csv = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time', ...phones.map((phone, i) => `Caller ${i},${phone},PAUSE${i},,,`), ''].join('\n');
    const simulate = Object.fromEntries(phones.map((phone) => [phone, { answer: 'no_answer', ringSeconds: 2 }]));
    const form = new FormData();
    for (const [name, value] of Object.entries({ agent_id: agentId, name: 'Pause story', provider: 'sim', window: '00:00-24:00', max_attempts: '1', concurrency: '1', cps: '1' })) form.append(name, value);
    form.append('csv', new Blob([csv], { type: 'text/csv' }), 'pause-story.csv');
    form.append('simulate', new Blob([JSON.stringify(simulate)], { type: 'application/json' }), 'callees.json');
    const created = await fetch(`${campaignApi.url}/campaigns`, { method: 'POST', headers: withApiKey(), body: form });
    expect(created.status).toBe(201);
    const { campaign_id: campaignId } = (await created.json()) as { campaign_id: string };
    const state = async () => ((await (await fetch(`${campaignApi.url}/campaigns/${campaignId}`, { headers: withApiKey() })).json()) as { state: string; rows: { done: number; in_flight: number } });

    await page().goto(`${campaignApi.url}/#/campaigns`);
    const card = page().getByRole('region', { name: 'Pause story' });
    await card.getByRole('button', { name: 'Pause' }).click();
    await expectText(card.locator('.state'), /^paused$/, 20_000);
    // The call in flight when it was paused ends (a 2 s ring) and is recorded; then nothing more is dialled.
    await page().waitForTimeout(3_000);
    const paused = await state();
    expect(paused).toMatchObject({ state: 'paused', rows: { in_flight: 0 } });
    const pausedAt = paused.rows.done;
    await page().waitForTimeout(3_000);
    expect((await state()).rows.done).toBe(pausedAt);
    expect(pausedAt).toBeLessThan(phones.length);

    await card.getByRole('button', { name: 'Resume' }).click();
    await expectText(card.locator('.state'), /^(running|waiting)$/, 20_000);
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expectText(card.locator('.state'), /^cancelled$/, 20_000);
    const cancelled = await state();
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.rows.done).toBeLessThan(phones.length);
  }, 75_000);

  it('sends a refused key back to sign-in with a clear message', async () => {
    await page().evaluate(() => sessionStorage.setItem('codcall.apiKey', 'a-key-since-revoked'));
    await page().reload();
    await expectText(page().getByRole('status'), /key was refused \(401\)/);
    expect(await page().evaluate(() => sessionStorage.length)).toBe(0);
  }, 20_000);

  it('serves the page to anyone, but none of the data behind it', async () => {
    const pageAnswer = await fetch(`${campaignApi.url}/`);
    expect(pageAnswer.status).toBe(200);
    expect(pageAnswer.headers.get('content-security-policy')).toContain("connect-src 'self'");
    for (const path of ['/campaigns', '/agent-api/agents', `/campaigns/${campaignUrl.split('/').pop()}/csv`]) {
      expect({ path, status: (await fetch(`${campaignApi.url}${path}`)).status }).toEqual({ path, status: 401 });
    }
  }, 20_000);
});

async function expectText(locator: Locator, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.first().textContent({ timeout: timeoutMs }).catch(() => '')) ?? '';
    if (pattern.test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(text).toMatch(pattern);
}

async function expectCount(locator: Locator, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await locator.count()) !== count) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await locator.count()).toBe(count);
}

async function expectEnabled(locator: Locator, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(await locator.isEnabled())) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await locator.isEnabled()).toBe(true);
}
