/*
 * A campaign's store traffic at full speed, in its own process, for the spec that runs two of
 * these on one store file at once (better-sqlite3 is synchronous: only separate processes give
 * real concurrency). Waits for the `go` file so both start together, then does what a campaign
 * does per call: begin, placed, finish (with a call record), plus a row settled without a call and
 * a do-not-call entry. Prints one JSON line: {ok: true, calls} or {ok: false, error}.
 *
 * Usage: node -r @swc-node/register store-hammer.fixture.ts <store> <campaign key> <calls> <go file>
 */
import { existsSync } from 'node:fs';
import { CampaignStore } from './campaign-store';

const [storePath, key, callsText, goFile] = process.argv.slice(2);
const calls = Number(callsText);

async function main(): Promise<void> {
  process.stdout.write('ready\n');
  while (!existsSync(goFile)) await new Promise((resolve) => setTimeout(resolve, 2));
  const store = CampaignStore.open(storePath, { key, csvPath: `${key}.csv` });
  try {
    for (let i = 0; i < calls; i++) {
      const rowKey = `row:${i}`;
      const phone = `+9198765${String(10000 + i)}`;
      const attempt = store.beginAttempt({ rowKey, orderId: `O${i}`, phone, attemptNo: 1, carrier: 'sim', at: i });
      store.attemptPlaced(attempt, `${key}-call-${i}`, i);
      store.finishAttempt(attempt, {
        outcome: { status: i % 7 === 0 ? 'do_not_call' : 'confirmed' },
        at: i,
        row: { state: 'done' },
        record: { callId: `${key}-call-${i}`, durationSeconds: 1, transcript: [{ speaker: 'agent', text: 'Hello' }] },
      });
      if (i % 5 === 0) store.finishRowWithoutCall({ rowKey: `bad:${i}`, orderId: `B${i}`, phone: '123', outcome: { status: 'invalid_number' }, at: i });
      if (i % 11 === 0) store.addDoNotCall({ phone, source: 'list', addedAt: i });
    }
    process.stdout.write(`${JSON.stringify({ ok: true, calls })}\n`);
  } finally {
    store.close();
  }
}

main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
});
