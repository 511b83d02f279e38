/**
 * What `greeting_prefetch` costs the callee and the campaign. The welcome is synthesised by the
 * real ElevenLabs adapter (official SDK) against the local fake (first audio after 150 ms),
 * through the gateway's greeting cache (PreparedSpeech): `dial` prepares it while the phone rings
 * (here 5 s before the stream), `answer` when the carrier reports the answer, the media stream
 * opening `gap` ms later (Twilio and Plivo open it a few hundred ms after their answer webhook);
 * `none` is no preparation at all. Measured: from the stream's start to the greeting's first
 * audio chunk in the session's hands. Then the TTS bill of each policy on a campaign where half
 * the dials are never answered (the demo's mix).
 *
 *   node -r @swc-node/register bench/greeting-prefetch.bench.ts      (BENCH_GREETINGS=20 per row)
 */
import 'reflect-metadata';
import { ElevenLabsSynthesizer, PreparedSpeech, welcomeSpeechRequests, type SynthesisRequest } from '@codcall/conversation-engine';
import { FakeElevenLabsServer, sampleRuntimeAgent } from '@codcall/test-support';
import { summarise, table } from './stats';

const KEY = 'bench-key-0123456789';
const TTS_FIRST_AUDIO_MS = 150;
const RING_MS = 5000;
const GREETINGS = Number(process.env['BENCH_GREETINGS'] ?? 20);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const agent = sampleRuntimeAgent({
  welcomeMessage: 'Hello {name}, this is Priya from the delivery team, calling about your cash on delivery order {order_id}. Shall I confirm it for delivery?',
});

/** ms from the stream's start to the first chunk of the greeting's first clause. */
async function firstAudioAfterStream(greetings: PreparedSpeech, requests: Omit<SynthesisRequest, 'signal'>[]): Promise<number> {
  const started = performance.now();
  for await (const chunk of greetings.synthesize({ ...requests[0], signal: new AbortController().signal })) {
    if (chunk.length) return performance.now() - started;
  }
  return NaN;
}

async function main(): Promise<void> {
  const elevenlabs = await new FakeElevenLabsServer({ apiKey: KEY, firstByteDelayMs: TTS_FIRST_AUDIO_MS, msPerCharacter: 10 }).start();
  const greetings = new PreparedSpeech(new ElevenLabsSynthesizer({ apiKey: KEY, baseUrl: elevenlabs.baseUrl, voiceId: '21m00Tcm4TlvDq8ikWAM' }));
  const policies: { policy: string; preparedBeforeStreamMs?: number }[] = [
    { policy: 'none (synthesised when the stream starts)' },
    { policy: 'answer, stream 0 ms after the answer', preparedBeforeStreamMs: 0 },
    { policy: 'answer, stream 100 ms after', preparedBeforeStreamMs: 100 },
    { policy: 'answer, stream 200 ms after', preparedBeforeStreamMs: 200 },
    { policy: 'answer, stream 300 ms after', preparedBeforeStreamMs: 300 },
    { policy: 'answer, stream 500 ms after', preparedBeforeStreamMs: 500 },
    { policy: `dial (${RING_MS / 1000} s of ringing)`, preparedBeforeStreamMs: RING_MS },
  ];
  let callNo = 0;
  const rows: (string | number)[][] = [];
  try {
    for (const { policy, preparedBeforeStreamMs } of policies) {
      const waits: number[] = [];
      // Dial-time preparations overlap as they would while phones ring; each greeting is a new row's.
      const calls = Array.from({ length: GREETINGS }, () => welcomeSpeechRequests(agent, { name: `Caller ${++callNo}`, order_id: `ORD${callNo}` }));
      if (preparedBeforeStreamMs === RING_MS) {
        for (const requests of calls) requests.forEach((request) => greetings.prepare(request));
        await sleep(RING_MS);
        for (const requests of calls) waits.push(await firstAudioAfterStream(greetings, requests));
      } else {
        for (const requests of calls) {
          if (preparedBeforeStreamMs !== undefined) requests.forEach((request) => greetings.prepare(request));
          if (preparedBeforeStreamMs) await sleep(preparedBeforeStreamMs);
          waits.push(await firstAudioAfterStream(greetings, requests));
          await sleep(50); // let the rest of the greeting finish before the next call's
        }
      }
      const s = summarise(waits);
      rows.push([policy, s.n, s.p50, s.p95, s.max]);
    }
  } finally {
    await elevenlabs.close();
  }
  process.stdout.write(`Greeting: stream start -> first audio chunk, ms (ElevenLabs fake: first audio after ${TTS_FIRST_AUDIO_MS} ms)\n`);
  process.stdout.write(`${table(['greeting_prefetch', 'n', 'p50', 'p95', 'max'], rows)}\n\n`);

  // The bill: every dial pays for its greeting under `dial`; only answered calls under `answer`.
  const welcome = welcomeSpeechRequests(agent, { name: 'Priya Sharma', order_id: 'ORD003' }).reduce((sum, request) => sum + request.text.length, 0);
  const dials = 100;
  const answered = 50;
  process.stdout.write(`Greeting TTS characters for ${dials} dials, ${answered} answered (a ${welcome}-character welcome)\n`);
  process.stdout.write(
    `${table(
      ['greeting_prefetch', 'greetings synthesised', 'characters', 'per answered call', 'unheard'],
      [
        ['dial', dials, dials * welcome, (dials * welcome) / answered, (dials - answered) * welcome],
        ['answer', answered, answered * welcome, welcome, 0],
      ],
    )}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
