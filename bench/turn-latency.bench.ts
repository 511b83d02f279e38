/**
 * Turn latency through the gateway's real media path (Twilio Media Streams JSON in, the
 * orchestrator, a ConversationSession, Twilio JSON out) with the real vendor adapters: Deepgram,
 * OpenAI and ElevenLabs through their official SDKs, against local fakes that speak their wire
 * protocols with fixed delays (STT final 100 ms of endpointing silence after the callee's last
 * speech frame, LLM first token 250 ms, TTS first audio 150 ms). Everything above 500 ms is
 * overhead, split into the vendor legs as the adapters saw them (SDK parsing, loopback HTTP and
 * WebSocket, the fakes' own timers) and what is left: codcall's session, orchestrator and codec.
 *
 *   npm run bench            (defaults: 10 calls x 20 turns)
 *   BENCH_CALLS=4 BENCH_TURNS=10 npm run bench
 */
import 'reflect-metadata';
import { CallOrchestrator, StreamTokenSigner, type MediaStreamHandler } from '@codcall/call-orchestration';
import {
  ConversationSession,
  DeepgramTranscriber,
  ElevenLabsSynthesizer,
  OpenAILanguageModel,
  PreparedSpeech,
  welcomeSpeechRequests,
  type LanguageModel,
  type Synthesizer,
} from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { FRAME_MS, silenceFrame, splitFrames } from '@codcall/media';
import { TwilioMediaStreamCodec, mapTwilioStatus, buildTwimlStream, type Carrier } from '@codcall/telephony-providers';
import { embeddedSpeech, FakeDeepgramServer, FakeElevenLabsServer, FakeOpenAIServer, sampleRuntimeAgent } from '@codcall/test-support';
import { summarise, table } from './stats';

const DELAYS = { sttEndpointingMs: 100, llmFirstTokenMs: 250, ttsFirstAudioMs: 150 };
const CALLS = Number(process.env['BENCH_CALLS'] ?? 10);
const TURNS = Number(process.env['BENCH_TURNS'] ?? 20);
const KEY = 'bench-key-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The callee's words when a turn's identity does not matter. */
const TURN_SPEECH = splitFrames(embeddedSpeech('Friday, please.'));
const START_SPACING_MS = 100;

/** "C3T7": which call and turn a model request answers, from the callee's last words. */
function turnOf(messages: unknown): string {
  const said = [...(messages as { role: string; content?: string }[])].reverse().find((message) => message.role === 'user')?.content ?? '';
  return /C\d+T\d+/.exec(said)?.[0] ?? 'there';
}

/** Times each answer's first text, keyed by the callee's words it answers. */
function timedLanguageModel(inner: LanguageModel, onFirstText: (turnWords: string, ms: number) => void): LanguageModel {
  return {
    name: inner.name,
    async *stream(request) {
      const started = performance.now();
      const said = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
      let first = true;
      for await (const delta of inner.stream(request)) {
        if (first && delta.type === 'text') onFirstText(said, performance.now() - started);
        first &&= delta.type !== 'text';
        yield delta;
      }
    },
  };
}

/** Times each answer's first audio, keyed by the callee's words (the answer's first clause names its turn). */
function timedSynthesizer(inner: Synthesizer, onFirstAudio: (turnWords: string, ms: number) => void): Synthesizer {
  return {
    name: inner.name,
    async *synthesize(request) {
      const started = performance.now();
      const turn = /C(\d+)T(\d+)/.exec(request.text);
      let first = true;
      for await (const chunk of inner.synthesize(request)) {
        if (first && turn) onFirstAudio(`Friday, C${turn[1]}T${turn[2]}, please.`, performance.now() - started);
        first = false;
        yield chunk;
      }
    },
  };
}

/** The orchestrator only needs the carrier's protocol pieces here; no call is dialled. */
const carrier: Carrier = {
  name: 'sim',
  placeCall: async () => ({ carrierCallId: `CA${Math.random().toString(16).slice(2)}` }),
  hangup: async () => undefined,
  transfer: async () => {
    throw new Error('the benchmark transfers no call');
  },
  answerDocument: buildTwimlStream,
  parseStatusCallback: mapTwilioStatus,
  webhookCallIds: (params) => ({ dialled: params['CallSid'], live: params['CallSid'] }),
  fetchCallState: async () => ({ up: false, status: 'not found' }),
  verifyWebhook: () => true,
  createMediaCodec: () => new TwilioMediaStreamCodec(),
};

async function main(): Promise<void> {
  /** When the fake recogniser sent each call's first interim of two words or more: the moment a barge-in is decidable. */
  const bargeInWordsAt = new Map<string, number>();
  /** Per turn (keyed by the words the callee said, unique to the call and turn): when each vendor leg ended. */
  const legs = new Map<string, { finalAt?: number; llmMs?: number; ttsMs?: number }>();
  const leg = (key: string) => legs.get(key) ?? (legs.set(key, {}), legs.get(key)!);
  const deepgram = await new FakeDeepgramServer({
    apiKey: KEY,
    recognise: { interimEveryMs: 100 },
    onSend: (_index, message) => {
      if (message['type'] !== 'Results') return;
      const transcript = String((message['channel'] as { alternatives: { transcript: string }[] }).alternatives[0].transcript);
      if (message['speech_final']) leg(transcript).finalAt = performance.now();
      if (message['is_final']) return;
      const words = transcript.split(/\s+/);
      if (words.length >= 2 && !bargeInWordsAt.has(words[0])) bargeInWordsAt.set(words[0], performance.now());
    },
  }).start();
  const openai = await new FakeOpenAIServer({ apiKey: KEY, firstTokenDelayMs: DELAYS.llmFirstTokenMs, reply: (request) => `Sure, ${turnOf(request.body['messages'])}. Which time on Friday suits you best?` }).start();
  const elevenlabs = await new FakeElevenLabsServer({ apiKey: KEY, firstByteDelayMs: DELAYS.ttsFirstAudioMs, msPerCharacter: 10 }).start();
  const transcriber = new DeepgramTranscriber({ apiKey: KEY, baseUrl: deepgram.url });
  const languageModel = timedLanguageModel(new OpenAILanguageModel({ apiKey: KEY, baseUrl: openai.url, model: 'gpt-4o-mini' }), (turn, ms) => (leg(turn).llmMs = ms));
  const synthesizer = timedSynthesizer(new ElevenLabsSynthesizer({ apiKey: KEY, baseUrl: elevenlabs.baseUrl, voiceId: '21m00Tcm4TlvDq8ikWAM' }), (turn, ms) => (leg(turn).ttsMs = ms));

  const agent = sampleRuntimeAgent({
    transcriber: { provider: 'deepgram', model: 'nova-3', language: 'en', endpointingMs: DELAYS.sttEndpointingMs },
    timing: { repromptAfterSeconds: 60, hangupAfterSilenceSeconds: 120, maxCallSeconds: 600, replyDelayMs: 0, interruptionWords: 2 },
  });
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
    // Records and recordings are not what this measures.
    archive: { openRecording: () => ({ write: () => undefined, finish: async () => 'not kept', abort: async () => undefined }), saveRecord: async () => undefined },
    logger: silentLogger(),
  });

  const budget = DELAYS.sttEndpointingMs + DELAYS.llmFirstTokenMs + DELAYS.ttsFirstAudioMs;
  const turnLatency: number[] = [];
  const vendorLegs: number[] = [];
  /** Each vendor leg above its fixed delay: [STT final after endpointing, LLM first text, TTS first audio]. */
  const legExcess: [number, number, number][] = [];
  const ownShare: number[] = [];
  const answerToAudio: number[] = [];
  const bargeIn: number[] = [];
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();

  await Promise.all(
    Array.from({ length: CALLS }, async (_, c) => {
      // A campaign starts calls at its calls-per-second limit, never all in the same millisecond.
      await sleep(c * START_SPACING_MS);
      const { call_id, carrier_call_id } = await orchestrator.placeCall({ agentId: 'a', to: '+919876543210', context: { name: `N${c}`, order_id: `O${c}`, city: 'Pune' }, carrier: 'sim' });
      await sleep(DELAYS.ttsFirstAudioMs + 50); // the phone rings while the greeting is prepared
      const token = /name="token" value="([^"]+)"/.exec(orchestrator.answerDocument(call_id, { CallSid: carrier_call_id ?? '' }).body)![1];
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

      // Like a carrier: one inbound frame every 20 ms, the callee's speech when queued, else silence.
      const speaking: Buffer[] = [];
      let lastSpeechSent: ((at: number) => void) | undefined;
      const clock = setInterval(() => {
        const payload = speaking.shift() ?? silenceFrame();
        handler.onMessage(JSON.stringify({ event: 'media', sequenceNumber: String(++seq), streamSid: 'MZ', media: { track: 'inbound', chunk: String(seq), timestamp: String(seq * FRAME_MS), payload: payload.toString('base64') } }));
        if (speaking.length === 0 && lastSpeechSent) {
          const resolve = lastSpeechSent;
          lastSpeechSent = undefined;
          resolve(performance.now());
        }
      }, FRAME_MS);
      const say = (frames: Buffer[]) => {
        speaking.push(...frames);
        return new Promise<number>((resolve) => (lastSpeechSent = resolve));
      };

      const firstAudio = new Promise<number>((resolve) => (waiting = resolve));
      const started = performance.now();
      handler.onMessage(JSON.stringify({ event: 'start', streamSid: 'MZ', start: { streamSid: 'MZ', callSid: carrier_call_id, customParameters: { call_id, token } } }));
      answerToAudio.push((await firstAudio) - started);
      await sleep(300);

      for (let turn = 0; turn < TURNS; turn++) {
        const words = `Friday, C${c}T${turn}, please.`;
        const lastFrameAt = await say(splitFrames(embeddedSpeech(words)));
        const agentAudio = new Promise<number>((resolve) => (waiting = resolve));
        const at = await agentAudio;
        turnLatency.push(at - lastFrameAt);
        const { finalAt, llmMs, ttsMs } = leg(words);
        if (finalAt !== undefined && llmMs !== undefined && ttsMs !== undefined) {
          // The vendor legs as the adapters saw them (each includes its fake's fixed delay); the rest is codcall's.
          vendorLegs.push(finalAt - lastFrameAt + llmMs + ttsMs - budget);
          legExcess.push([finalAt - lastFrameAt - DELAYS.sttEndpointingMs, llmMs - DELAYS.llmFirstTokenMs, ttsMs - DELAYS.ttsFirstAudioMs]);
          ownShare.push(at - lastFrameAt - (finalAt - lastFrameAt + llmMs + ttsMs));
        }
        await sleep(400); // the rest of the answer plays
      }

      // Barge-in: the agent's answer is still playing (its marks are held back) when the callee
      // talks over it; measured from the recogniser's interim of two words to the clear sent.
      holdMarks = true;
      await say(TURN_SPEECH);
      await new Promise<number>((resolve) => (waiting = resolve));
      const clear = new Promise<number>((resolve) => (cleared = resolve));
      void say(splitFrames(embeddedSpeech(`Call${c} wait, stop please.`)));
      const clearedAt = await Promise.race([clear, sleep(3000).then(() => NaN)]);
      bargeIn.push(clearedAt - (bargeInWordsAt.get(`Call${c}`) ?? NaN));
      clearInterval(clock);
      handler.onClose();
    }),
  );

  const turns = summarise(turnLatency);
  const vendors = summarise(vendorLegs);
  const own = summarise(ownShare);
  const [stt, llm, tts] = [0, 1, 2].map((i) => summarise(legExcess.map((legs) => legs[i])));
  const overhead = summarise(turnLatency.map((ms) => ms - budget));
  const answer = summarise(answerToAudio);
  const barge = summarise(bargeIn.filter((ms) => !Number.isNaN(ms)));
  process.stdout.write(
    `codcall turn-latency benchmark: ${CALLS} concurrent calls x ${TURNS} turns; provider delays STT endpointing ${DELAYS.sttEndpointingMs} ms + LLM ${DELAYS.llmFirstTokenMs} ms + TTS ${DELAYS.ttsFirstAudioMs} ms = ${budget} ms\n\n` +
      table(
        ['measure (ms)', 'n', 'p50', 'p95', 'p99', 'max', 'target'],
        [
          ['callee last frame -> agent first frame', turns.n, turns.p50, turns.p95, turns.p99, turns.max, ''],
          ['  overhead above provider delays', overhead.n, overhead.p50, overhead.p95, overhead.p99, overhead.max, 'p50 < 5, p99 < 20'],
          ['    in the vendor SDKs and loopback', vendors.n, vendors.p50, vendors.p95, vendors.p99, vendors.max, ''],
          ['      Deepgram final after endpointing', stt.n, stt.p50, stt.p95, stt.p99, stt.max, ''],
          ['      OpenAI first text after 250 ms', llm.n, llm.p50, llm.p95, llm.p99, llm.max, ''],
          ['      ElevenLabs first audio after 150 ms', tts.n, tts.p50, tts.p95, tts.p99, tts.max, ''],
          ['    in codcall (session, orchestrator, codec)', own.n, own.p50, own.p95, own.p99, own.max, ''],
          ['stream start -> first greeting frame', answer.n, answer.p50, answer.p95, answer.p99, answer.max, 'p99 < 50'],
          ['barge-in interim words -> clear sent', barge.n, barge.p50, barge.p95, barge.p99, barge.max, 'p99 < 10'],
        ],
      ) +
      '\n\nDeepgram, OpenAI and ElevenLabs run through their official SDKs against local fakes on loopback; the vendor legs\ninclude the work of the SDKs and the 20 ms frame clock of the endpointing; the fakes keep their delays to within 0.1 ms.\nTimers on a shared 2-core machine add jitter: compare medians across runs, not single values.\n',
  );
  // Everything in this process (the fakes and the callee simulation too), per second of call held.
  const cpu = process.cpuUsage(cpuBefore);
  const callSeconds = (CALLS * (performance.now() - wallBefore - ((CALLS - 1) * START_SPACING_MS) / 2)) / 1000;
  process.stdout.write(`CPU ms per call-second (whole process, fakes included): ${((cpu.user + cpu.system) / 1000 / callSeconds).toFixed(2)}\n`);
  const toDeepgram = deepgram.connections.reduce((sum, connection) => sum + deepgram.audioMessageSizesOf(connection.index).length, 0);
  process.stdout.write(`Deepgram audio messages per call-second: ${(toDeepgram / callSeconds).toFixed(1)} (one per 20 ms frame would be 50)\n`);
  await orchestrator.shutdown();
  await Promise.all([deepgram.close(), openai.close(), elevenlabs.close()]);
}

void main();
