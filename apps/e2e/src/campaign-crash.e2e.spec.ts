import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignStore } from '@codcall/campaign-store';
import { FakeAgentApi, FakeGateway } from '@codcall/test-support';
import { MAINS } from './support/processes';

/**
 * kill -9 at random moments of a campaign, again and again, then the same command once more:
 * every row is dialled exactly once and ends with its outcome, and the CSV is the original byte
 * for byte except the outcome cells. The real CLI process runs against the fake gateway and
 * agent-api, which live in this test's process and so survive every kill.
 */
const AGENT = '11111111-1111-4111-8111-111111111111';
const ROWS = 48;
const HEADER = '\ufeffname,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes,city';

function campaignCsv(): { csv: string; expected: string; dialled: string[] } {
  const lines = [HEADER];
  const expected = [HEADER];
  const dialled: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const order = `ORD${String(i).padStart(3, '0')}`;
    const phone = `+91987${String(6500000 + i)}`;
    if (i === 7) {
      lines.push(`"Bad, Number",98765,${order},,,,"no plus",Pune`);
      expected.push(`"Bad, Number",98765,${order},invalid_number,,,"no plus",Pune`);
    } else if (i === 11) {
      lines.push(`Done Already,${phone},${order},cancelled,,,,Delhi`);
      expected.push(`Done Already,${phone},${order},cancelled,,,,Delhi`);
    } else {
      lines.push(`"प्रिया ${i}, Sharma",${phone},${order},"","","","ring ""twice""\r\nthen wait",मुंबई`);
      expected.push(`"प्रिया ${i}, Sharma",${phone},${order},"confirmed","","","ring ""twice""\r\nthen wait",मुंबई`);
      dialled.push(order);
    }
  }
  return { csv: `${lines.join('\r\n')}\r\n\r\n`, expected: `${expected.join('\r\n')}\r\n\r\n`, dialled };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Starts the CLI; kills it with SIGKILL after `killAfterMs` unless it has exited by then. */
function runCli(args: string[], env: Record<string, string>, killAfterMs?: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAINS.cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, signal, output });
    });
  });
}

describe('a campaign killed with SIGKILL at random moments', () => {
  let agentApi: FakeAgentApi;

  beforeAll(async () => {
    if (!existsSync(MAINS.cli)) throw new Error(`${MAINS.cli} is missing: build the apps first (npm test does)`);
    agentApi = await new FakeAgentApi([AGENT]).start();
  });
  afterAll(() => agentApi?.stop());

  async function crashAndResume(options: { idempotencyKeys: boolean; rounds: number; killsPerRound: number; extraArgs: string[] }) {
    const report = { kills: 0, rounds: 0, doubtedDials: 0, replayedDials: 0 };
    for (let round = 0; round < options.rounds; round++) {
      // Calls last 5..60 ms: kills land before, during and after dials, long-polls and CSV writes.
      const gateway = await new FakeGateway({ idempotencyKeys: options.idempotencyKeys, script: () => ({ outcome: { status: 'confirmed' }, afterMs: 5 + Math.floor(Math.random() * 55) }) }).start();
      try {
        const dir = mkdtempSync(join(tmpdir(), 'codcall-crash-'));
        const csv = join(dir, 'call_list.csv');
        const { csv: content, expected, dialled } = campaignCsv();
        writeFileSync(csv, content);
        const args = [`--agentId=${AGENT}`, '--csv', csv, '--provider', 'sim', '--no-progress', '--window', '00:00-24:00', '--cps', '200', '--concurrency', '4', '--campaign', 'crash', ...options.extraArgs];
        const env = { GATEWAY_URL: gateway.url, AGENT_API_URL: agentApi.url, LOG_LEVEL: 'error' };

        for (let kill = 0; kill < options.killsPerRound; kill++) {
          const exit = await runCli(args, env, 40 + Math.floor(Math.random() * 400));
          if (exit.signal !== 'SIGKILL') {
            if (exit.code !== 0) throw new Error(`run ${kill + 1} exited ${exit.code}:\n${exit.output}`);
            break;
          }
          report.kills++;
        }
        const last = await runCli(args, env);
        if (last.code !== 0) throw new Error(`the final run exited ${last.code}:\n${last.output}`);
        report.rounds++;

        // Every row ends with its outcome; not a byte elsewhere changed.
        expect(readFileSync(csv, 'utf8')).toBe(expected);
        expect(readFileSync(`${csv}.journal`, 'utf8')).toBe('');
        expect(existsSync(`${csv}.lock`)).toBe(false);
        expect(readdirSync(dir).filter((file) => file.endsWith('.tmp'))).toEqual([]);

        const dials = new Map<string, number>();
        for (const call of gateway.placedCalls()) dials.set(call.context['order_id'], (dials.get(call.context['order_id']) ?? 0) + 1);
        const store = CampaignStore.openForReading(join(dir, 'codcall-campaigns.sqlite'), { key: 'crash' })!;
        const doubted = new Map<string, number>();
        for (const attempt of store.attempts()) {
          if (attempt.outcome?.reason?.includes('while dialling')) doubted.set(attempt.rowKey, (doubted.get(attempt.rowKey) ?? 0) + 1);
        }
        store.close();
        report.doubtedDials += [...doubted.values()].reduce((a, b) => a + b, 0);
        report.replayedDials += gateway.idempotentReplays;
        if (options.idempotencyKeys) {
          // Exactly once: a dial in doubt was re-sent with its key and answered with the same call.
          expect(Object.fromEntries(dials)).toEqual(Object.fromEntries(dialled.map((order) => [order, 1])));
        } else {
          // Without keys a dial in doubt may have been placed twice, and only then.
          expect([...dials.keys()].sort()).toEqual([...dialled].sort());
          for (const [order, count] of dials) expect(count).toBeLessThanOrEqual(1 + (doubted.get(`row:${Number(order.slice(3))}`) ?? 0));
        }
      } finally {
        await gateway.stop();
      }
    }
    return report;
  }

  it('with a gateway that honours Idempotency-Key: every row dialled exactly once, the CSV intact', async () => {
    const report = await crashAndResume({ idempotencyKeys: true, rounds: 8, killsPerRound: 12, extraArgs: ['--max-attempts', '1'] });
    expect(report.kills).toBeGreaterThanOrEqual(report.rounds); // the campaigns were really killed
    expect(report.doubtedDials).toBe(0);
    process.stdout.write(`crash test (idempotency keys): ${report.kills} kills over ${report.rounds} campaigns; ${report.replayedDials} dials in doubt re-sent with their key\n`);
  }, 120_000);

  it('with a gateway that does not (today\'s): a row is dialled again only after a dial in doubt, and still ends with its outcome', async () => {
    const report = await crashAndResume({ idempotencyKeys: false, rounds: 4, killsPerRound: 10, extraArgs: ['--max-attempts', '3', '--retry-after', '0'] });
    expect(report.kills).toBeGreaterThanOrEqual(report.rounds);
    process.stdout.write(`crash test (no idempotency keys): ${report.kills} kills over ${report.rounds} campaigns; ${report.doubtedDials} dials in doubt, retried\n`);
  }, 120_000);
});
