import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CampaignStore, type CallRecordEntry, type TurnTimingEntry } from '@codcall/campaign-store';
import type { CliDeps } from './cli-deps';
import { runReportCommand } from './report-command';

const CSV = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time', 'John,+15551234567,O1,confirmed,,', 'Jane,+15559876543,O2,cancelled,,', 'Ann,+15551230000,O3,busy,,', ''].join('\n');

class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A text turn on the fake providers (STT 100 ms, LLM 250 ms, TTS 150 ms) with `overhead` ms of ours. */
function textTurn(at: number, overhead: number): TurnTimingEntry {
  return {
    kind: 'text',
    calleeSpeechEndedAtMs: at,
    sttFinalAtMs: at + 100,
    llmRequestAtMs: at + 101,
    llmFirstTokenAtMs: at + 351,
    ttsRequestAtMs: at + 352,
    ttsFirstByteAtMs: at + 502,
    firstFrameSentAtMs: at + 502 + overhead,
    latencyMs: 502 + overhead,
  };
}

const outcomeTurn: TurnTimingEntry = { kind: 'outcome', calleeSpeechEndedAtMs: 9000, sttFinalAtMs: 9100, llmRequestAtMs: 9101, llmFirstTokenAtMs: 9351, firstFrameSentAtMs: 9354, latencyMs: 354 };

describe('outbound-cli report', () => {
  let dir: string;
  let csv: string;
  let storePath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'report-command-'));
    csv = join(dir, 'calls.csv');
    storePath = join(dir, 'store.sqlite');
    writeFileSync(csv, CSV);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The campaign's store as a run would have left it: one finished attempt and call record per row. */
  function storeWith(records: { status: string; record: CallRecordEntry }[]): void {
    const store = CampaignStore.open(storePath, { key: 'spec', csvPath: csv });
    records.forEach(({ status, record }, index) => {
      const attempt = store.beginAttempt({ rowKey: String(index), orderId: `O${index + 1}`, phone: `+1555000000${index}`, attemptNo: 1, carrier: 'sim', at: index });
      store.attemptPlaced(attempt, record.callId, index);
      store.finishAttempt(attempt, { outcome: { status }, at: index + 1, row: { state: 'done' }, record });
    });
    store.close();
  }

  async function report(json = false): Promise<string> {
    const stdout = new Captured();
    const deps: CliDeps = { env: {}, cwd: dir, stdout, stderr: new Captured(), onSignal: () => () => undefined, exitNow: () => undefined };
    expect(await runReportCommand({ csv, store: storePath, campaign: 'spec', json }, deps)).toBe(0);
    return stdout.text;
  }

  it('given calls that kept their turns, prints each leg per turn kind, the barge-ins and what speech synthesis cost', async () => {
    storeWith([
      {
        status: 'confirmed',
        record: {
          callId: 'c1',
          turnLatenciesMs: [504, 354],
          ttsCharacters: 420,
          turns: [textTurn(1000, 2), { kind: 'barge_in', speechStartedAtMs: 2000, clearedAtMs: 2002, latencyMs: 2, resolution: 'resumed' }, outcomeTurn],
        },
      },
      { status: 'cancelled', record: { callId: 'c2', turnLatenciesMs: [510], ttsCharacters: 300, turns: [textTurn(500, 8), { kind: 'barge_in', speechStartedAtMs: 900, clearedAtMs: 906, latencyMs: 6, resolution: 'interrupted' }] } },
      // A greeting prepared at the dial for a call nobody answered.
      { status: 'busy', record: { callId: 'c3', turnLatenciesMs: [], ttsCharacters: 60, turns: [] } },
    ]);

    const text = await report();

    expect(text).toMatch(/text turns \(2\) +\| +n \| +p50 \| +p95/);
    expect(text).toMatch(/speech end -> STT final +\| +2 \| +100 ms \| +100 ms/);
    expect(text).toMatch(/STT final -> LLM request +\| +2 \| +1 ms \| +1 ms/);
    expect(text).toMatch(/LLM request -> first token +\| +2 \| +250 ms \| +250 ms/);
    expect(text).toMatch(/first token -> TTS request +\| +2 \| +1 ms \| +1 ms/);
    expect(text).toMatch(/TTS request -> first byte +\| +2 \| +150 ms \| +150 ms/);
    expect(text).toMatch(/first byte -> first frame sent +\| +2 \| +2 ms \| +8 ms/);
    expect(text).toMatch(/total \(speech end -> first frame\) +\| +2 \| +504 ms \| +510 ms/);
    // The outcome turn's goodbye was prepared: no TTS legs, the total still counts.
    expect(text).toMatch(/outcome turns \(1\)/);
    expect(text).toMatch(/TTS request -> first byte +\| +0 \| +n\/a \| +n\/a/);
    expect(text).toMatch(/first token -> first frame sent \(prepared audio\) +\| +1 \| +3 ms \| +3 ms/);
    expect(text).toMatch(/total \(speech end -> first frame\) +\| +1 \| +354 ms \| +354 ms/);
    expect(text).toMatch(/barge-ins \(2: 1 resumed, 1 interrupted\)/);
    expect(text).toMatch(/speech start -> clear +\| +2 \| +2 ms \| +6 ms/);
    // 780 characters over 2 answered calls, 1 confirmed order; the busy call's greeting is in the bill.
    expect(text).toMatch(/TTS characters +390 per answered call, 780 per confirmed order \(780 over 3 calls\)/);
    expect(text).toMatch(/turn latency +p50 504 ms, p95 510 ms \(3 turns\)/);

    const measures = JSON.parse(await report(true));
    expect(measures.ttsCharacters).toEqual({ calls: 3, total: 780, perAnsweredCall: 390, perConfirmedOrder: 780 });
    expect(measures.turnLegs.bargeIn).toEqual({ turns: 2, speechStartToClear: { n: 2, p50: 2, p95: 6 }, resumed: 1, interrupted: 1 });
  });

  it('given records kept before turn timings, still reports their turn latencies, and prints no leg tables', async () => {
    storeWith([
      { status: 'confirmed', record: { callId: 'c1', turnLatenciesMs: [600, 800] } },
      { status: 'cancelled', record: { callId: 'c2', turnLatenciesMs: [1000] } },
    ]);

    const text = await report();

    expect(text).toMatch(/turn latency +p50 800 ms, p95 1000 ms \(3 turns\)/);
    expect(text).not.toMatch(/text turns|outcome turns|barge-ins|TTS characters/);
    expect(text).toContain(`store: ${storePath}`);
  });
});
