/**
 * Turn latency through the gateway's real media path: Twilio Media Streams JSON in, the
 * orchestrator, a ConversationSession, Twilio JSON out. Providers are stand-ins with fixed
 * delays (STT final 100 ms after the callee's last speech frame, LLM first token 250 ms, TTS
 * first audio 150 ms), so everything above 500 ms is our own overhead.
 *
 *   npm run bench            (defaults: 10 calls x 20 turns)
 *   BENCH_CALLS=4 BENCH_TURNS=10 npm run bench
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallOrchestrator, StreamTokenSigner, type MediaStreamHandler } from '@codcall/call-orchestration';
import { ConversationSession, PreparedSpeech, welcomeSpeechRequests, type LanguageModel, type Synthesizer, type Transcriber, type TranscriptEvent } from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { FRAME_MS, mulawEnergy, pcm16ToMulaw, silenceFrame } from '@codcall/media';
import { TwilioMediaStreamCodec, mapTwilioStatus, buildTwimlStream, type Carrier } from '@codcall/telephony-providers';
import { sampleRuntimeAgent } from '@codcall/test-support';
import { summarise, table } from './stats';

const DELAYS = { sttFinalMs: 100, llmFirstTokenMs: 250, ttsFirstAudioMs: 150 };
const CALLS = Number(process.env['BENCH_CALLS'] ?? 10);
const TURNS = Number(process.env['BENCH_TURNS'] ?? 20);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const speech = pcm16ToMulaw(Int16Array.from({ length: 160 }, (_, i) => Math.round(6000 * Math.sin(i / 3))));

/** When the stand-in recogniser last reported interim words (the moment a barge-in is decidable). */
let lastInterimAt = 0;

/**
 * Hears energy like a recogniser: speech_started on the first speech frame, interim words after
 * 100 ms of speech, and "final" a fixed time after the last speech frame (endpointing).
 */
const transcriber: Transcriber = {
  name: 'bench:fixed-delay-stt',
  async open() {
    const listeners: ((event: TranscriptEvent) => void)[] = [];
    const queue: TranscriptEvent[] = [];
    let speaking = false;
    let speechFrames = 0;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const emit = (event: TranscriptEvent) => (listeners.length ? listeners.shift()!(event) : queue.push(event));
    return {
      sendAudio(frame: Buffer) {
        if (mulawEnergy(frame) > 200) {
          if (!speaking) emit({ type: 'speech_started' });
          speaking = true;
          if (++speechFrames === 5) {
            lastInterimAt = performance.now();
            emit({ type: 'interim', text: 'no wait' });
          }
          clearTimeout(timer);
          timer = setTimeout(() => {
            speaking = false;
            speechFrames = 0;
            emit({ type: 'final', text: 'Can you deliver it on Friday instead?', endOfTurn: true });
          }, DELAYS.sttFinalMs);
        }
      },
      async close() {
        closed = true;
        clearTimeout(timer);
        listeners.splice(0).forEach((resolve) => resolve({ type: 'utterance_end' }));
      },
      [Symbol.asyncIterator]() {
        return {
          next: async () => {
            if (queue.length) return { value: queue.shift()!, done: false };
            if (closed) return { value: undefined, done: true };
            return { value: await new Promise<TranscriptEvent>((resolve) => listeners.push(resolve)), done: false };
          },
        };
      },
    };
  },
};

const languageModel: LanguageModel = {
  name: 'bench:fixed-delay-llm',
  async *stream(request) {
    await sleep(DELAYS.llmFirstTokenMs);
    for (const word of 'Sure. Which time on Friday suits you best?'.split(/(?<= )/)) {
      if (request.signal.aborted) return;
      yield { type: 'text', text: word };
    }
  },
};

const synthesizer: Synthesizer = {
  name: 'bench:fixed-delay-tts',
  async *synthesize(request) {
    await sleep(DELAYS.ttsFirstAudioMs);
    if (!request.signal.aborted) yield Buffer.alloc(Math.min(request.text.length * 80, 1600), 0x55);
  },
};

/** The orchestrator only needs the carrier's protocol pieces here; no call is dialled. */
const carrier: Carrier = {
  name: 'sim',
  placeCall: async () => ({ carrierCallId: `CA${Math.random().toString(16).slice(2)}` }),
  hangup: async () => undefined,
  answerDocument: buildTwimlStream,
  parseStatusCallback: mapTwilioStatus,
  verifyWebhook: () => true,
  createMediaCodec: () => new TwilioMediaStreamCodec(),
};

async function main(): Promise<void> {
  const agent = sampleRuntimeAgent({ timing: { repromptAfterSeconds: 60, hangupAfterSilenceSeconds: 120, maxCallSeconds: 600, replyDelayMs: 0, interruptionWords: 2 } });
  const greetings = new PreparedSpeech(synthesizer);
  const orchestrator = new CallOrchestrator({
    carriers: { sim: carrier },
    agents: { getRuntimeConfig: async () => agent },
    conversations: {
      prepare: ({ agent: a, variables }) => welcomeSpeechRequests(a, variables).forEach((r) => greetings.prepare(r)),
      create: (input) => ({
        providers: { transcriber: transcriber.name, languageModel: languageModel.name, synthesizer: synthesizer.name },
        conversation: new ConversationSession({ ...input, transcriber, languageModel, synthesizer: greetings }),
      }),
    },
    publicBaseUrl: 'https://bench.invalid',
    tokens: new StreamTokenSigner('bench-secret-bench-secret'),
    recordsDir: mkdtempSync(join(tmpdir(), 'codcall-bench-')),
    logger: silentLogger(),
  });

  const turnLatency: number[] = [];
  const answerToAudio: number[] = [];
  const bargeIn: number[] = [];

  await Promise.all(
    Array.from({ length: CALLS }, async (_, c) => {
      const { call_id } = await orchestrator.placeCall({ agentId: 'a', to: '+919876543210', context: { name: `N${c}`, order_id: `O${c}`, city: 'Pune' }, carrier: 'sim' });
      await sleep(DELAYS.ttsFirstAudioMs + 50); // the phone rings while the greeting is prepared
      const token = /name="token" value="([^"]+)"/.exec(orchestrator.answerDocument(call_id).body)![1];
      let lastCalleeFrameAt = 0;
      let waiting: ((at: number) => void) | undefined;
      let cleared: ((at: number) => void) | undefined;
      let holdMarks = false;
      let seq = 0;
      const handler: MediaStreamHandler = orchestrator.openMediaStream('sim', {
        send: (text) => {
          const at = performance.now();
          const message = JSON.parse(text) as { event: string; mark?: { name: string } };
          if (message.event === 'media' && waiting) {
            const resolve = waiting;
            waiting = undefined;
            resolve(at);
          }
          if (message.event === 'clear' && cleared) cleared(at);
          // Play everything at once: marks come straight back, as if the audio had been heard.
          if (message.event === 'mark' && !holdMarks) setImmediate(() => handler.onMessage(JSON.stringify({ event: 'mark', streamSid: 'MZ', mark: message.mark })));
        },
        close: () => undefined,
      });
      const frame = (payload: Buffer) =>
        handler.onMessage(JSON.stringify({ event: 'media', sequenceNumber: String(++seq), streamSid: 'MZ', media: { track: 'inbound', chunk: String(seq), timestamp: String(seq * 20), payload: payload.toString('base64') } }));
      const firstAudio = new Promise<number>((resolve) => (waiting = resolve));
      const started = performance.now();
      handler.onMessage(JSON.stringify({ event: 'start', streamSid: 'MZ', start: { streamSid: 'MZ', callSid: 'CA1', customParameters: { call_id, token } } }));
      answerToAudio.push((await firstAudio) - started);
      await sleep(100);

      for (let turn = 0; turn < TURNS; turn++) {
        const agentAudio = new Promise<number>((resolve) => (waiting = resolve));
        for (let i = 0; i < 25; i++) {
          frame(speech);
          lastCalleeFrameAt = performance.now();
          await sleep(FRAME_MS);
        }
        const silence = setInterval(() => frame(silenceFrame()), FRAME_MS);
        const at = await agentAudio;
        clearInterval(silence);
        turnLatency.push(at - lastCalleeFrameAt);
        await sleep(50);
      }

      // Barge-in: the agent's answer is still playing (its marks are held back) when the callee
      // talks over it; measured from the recogniser's interim words to the clear sent to the carrier.
      holdMarks = true;
      const answering = new Promise<number>((resolve) => (waiting = resolve));
      for (let i = 0; i < 25; i++) {
        frame(speech);
        await sleep(FRAME_MS);
      }
      await answering;
      const clear = new Promise<number>((resolve) => (cleared = resolve));
      for (let i = 0; i < 6; i++) frame(speech);
      const clearedAt = await Promise.race([clear, sleep(1000).then(() => NaN)]);
      bargeIn.push(clearedAt - lastInterimAt);
      handler.onClose();
    }),
  );

  const budget = DELAYS.sttFinalMs + DELAYS.llmFirstTokenMs + DELAYS.ttsFirstAudioMs;
  const turns = summarise(turnLatency);
  const overhead = summarise(turnLatency.map((ms) => ms - budget));
  const answer = summarise(answerToAudio);
  const barge = summarise(bargeIn.filter((ms) => !Number.isNaN(ms)));
  process.stdout.write(
    `codcall turn-latency benchmark: ${CALLS} concurrent calls x ${TURNS} turns; provider delays STT ${DELAYS.sttFinalMs} ms + LLM ${DELAYS.llmFirstTokenMs} ms + TTS ${DELAYS.ttsFirstAudioMs} ms = ${budget} ms\n\n` +
      table(
        ['measure (ms)', 'n', 'p50', 'p95', 'p99', 'max', 'target'],
        [
          ['callee last frame -> agent first frame', turns.n, turns.p50, turns.p95, turns.p99, turns.max, ''],
          ['  overhead above provider delays', overhead.n, overhead.p50, overhead.p95, overhead.p99, overhead.max, 'p50 < 5, p99 < 20'],
          ['stream start -> first greeting frame', answer.n, answer.p50, answer.p95, answer.p99, answer.max, 'p99 < 50'],
          ['barge-in words -> clear sent', barge.n, barge.p50, barge.p95, barge.p99, barge.max, 'p99 < 10'],
        ],
      ) +
      '\n\nTimers on a shared 2-core machine add jitter: compare medians across runs, not single values.\n',
  );
  await orchestrator.shutdown();
}

void main();
