import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FakeAgentApi, FakeGateway } from '@codcall/test-support';
import { MAINS } from './support/processes';

/**
 * Two operators start a campaign each, on two CSVs in the same folder, at the same time: both
 * share the default store beside the CSVs (codcall-campaigns.sqlite). Both CLIs exit 0, every row
 * of both files gets its outcome, and each row is dialled exactly once. The real CLI processes run
 * against the fake gateway and agent-api in this test's process.
 */
const AGENT = '11111111-1111-4111-8111-111111111111';
const ROWS = 200;
const HEADER = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city';

function callList(prefix: string, firstNumber: number): { csv: string; expected: string } {
  const lines = [HEADER];
  const expected = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    const row = [`Customer ${prefix}${i}`, `+9198${String(firstNumber + i)}`, `${prefix}${String(i).padStart(3, '0')}`];
    lines.push(`${row.join(',')},,,,Pune`);
    expected.push(`${row.join(',')},${i % 3 === 0 ? 'cancelled' : 'confirmed'},,,Pune`);
  }
  return { csv: `${lines.join('\n')}\n`, expected: `${expected.join('\n')}\n` };
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAINS.cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const guard = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, output });
    });
  });
}

describe('two campaigns side by side in one folder', () => {
  let agentApi: FakeAgentApi;
  let gateway: FakeGateway;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(MAINS.cli)) throw new Error(`${MAINS.cli} is missing: build the CLI first (npx nx run-many -t build -p outbound-cli)`);
    agentApi = await new FakeAgentApi([AGENT]).start();
    // Calls last 5..40 ms: with 50 in flight per campaign, both write the shared store all the time.
    gateway = await new FakeGateway({
      script: (call) => ({ outcome: { status: Number(call.context['order_id'].slice(1)) % 3 === 0 ? 'cancelled' : 'confirmed' }, afterMs: 5 + Math.floor(Math.random() * 35) }),
    }).start();
    dir = mkdtempSync(join(tmpdir(), 'codcall-two-campaigns-'));
  });
  afterAll(async () => {
    await gateway?.stop();
    await agentApi?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('given 200 rows each and 50 calls in flight each, both exit 0, every row is written and dialled once', async () => {
    const first = callList('A', 76_500_000);
    const second = callList('B', 77_500_000);
    writeFileSync(join(dir, 'monday.csv'), first.csv);
    writeFileSync(join(dir, 'tuesday.csv'), second.csv);
    const env = { GATEWAY_URL: gateway.url, AGENT_API_URL: agentApi.url, LOG_LEVEL: 'error' };
    const args = (csv: string) => [`--agentId=${AGENT}`, '--csv', join(dir, csv), '--provider', 'sim', '--no-progress', '--concurrency', '50', '--cps', '1000', '--window', '00:00-24:00', '--max-attempts', '1'];

    const [monday, tuesday] = await Promise.all([runCli(args('monday.csv'), env), runCli(args('tuesday.csv'), env)]);

    expect({ code: monday.code, tail: monday.output.slice(-400) }).toEqual({ code: 0, tail: expect.stringContaining('Campaign finished') });
    expect({ code: tuesday.code, tail: tuesday.output.slice(-400) }).toEqual({ code: 0, tail: expect.stringContaining('Campaign finished') });
    expect(readFileSync(join(dir, 'monday.csv'), 'utf8')).toBe(first.expected);
    expect(readFileSync(join(dir, 'tuesday.csv'), 'utf8')).toBe(second.expected);

    const dials = new Map<string, number>();
    for (const call of gateway.placedCalls()) dials.set(call.context['order_id'], (dials.get(call.context['order_id']) ?? 0) + 1);
    expect(dials.size).toBe(2 * ROWS);
    expect([...dials.values()].every((count) => count === 1)).toBe(true);
    expect(gateway.maxInFlight).toBeLessThanOrEqual(100);

    // One store beside the CSVs holds both campaigns, each with its 200 attempts.
    expect(readdirSync(dir).filter((file) => file.endsWith('.sqlite'))).toEqual(['codcall-campaigns.sqlite']);
    const store = new Database(join(dir, 'codcall-campaigns.sqlite'), { readonly: true });
    const perCampaign = store.prepare("SELECT c.csv_path AS csv, count(*) AS n FROM attempts a JOIN campaigns c ON c.id = a.campaign_id WHERE a.state = 'finished' GROUP BY c.csv_path ORDER BY c.csv_path").all();
    store.close();
    expect(perCampaign).toEqual([
      { csv: join(dir, 'monday.csv'), n: ROWS },
      { csv: join(dir, 'tuesday.csv'), n: ROWS },
    ]);
    expect(readdirSync(dir).filter((file) => file.endsWith('.journal') || file.endsWith('.lock') || file.endsWith('.tmp'))).toEqual(
      ['monday.csv.journal', 'tuesday.csv.journal'],
    );
  }, 120_000);
});
