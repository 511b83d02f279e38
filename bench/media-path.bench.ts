/**
 * CPU per call-second on one gateway process's media path, without the network vendors: N calls
 * whose carrier (a child process) sends Twilio media messages at 50 a second each over real
 * WebSockets, read by the gateway's own pieces: the `ws` server with the gateway's options, the
 * gateway's socket wiring, `MediaStreamConnection` and the Twilio codec, the real
 * `DeepgramTranscriber` (SDK, speech-aware batching) relaying to a Deepgram stand-in in the child, the
 * agent's synthesised chunks going out with a mark each (the child plays them in real time and
 * answers the marks), and the call's recording streamed to the real file archive.
 *
 * Only this process's CPU is counted (process.cpuUsage, user + system, not wall time): the
 * carrier, the Deepgram stand-in and their sockets' far ends are in the child. Each stage is measured
 * around its own synchronous code (socket writes are synchronous in Node, so they count where
 * they are made); what is left of the process's CPU (reading the carriers' frames, timers, GC)
 * is "the rest". Every figure is the median over runs, with the runs' spread.
 *
 *   npm run bench:media                       (100 calls, 6 s measured a run, 5 runs)
 *   BENCH_CALLS=50 BENCH_SECONDS=4 BENCH_RUNS=7 npm run bench:media
 *   BENCH_SAVE=/tmp/before.json npm run bench:media; BENCH_BASELINE=/tmp/before.json npm run bench:media
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { MediaStreamConnection, type StreamedCall, type StreamEvent } from '@codcall/call-orchestration';
import { DeepgramTranscriber, type TranscriberStream } from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { CallRecording, FRAME_BYTES, FRAME_MS, SAMPLE_RATE, SpeechAwareBatcher, silenceFrame, splitFrames } from '@codcall/media';
import { TwilioMediaStreamCodec } from '@codcall/telephony-providers';
import { embeddedSpeech } from '@codcall/test-support';
import { FileCallArchive } from '../apps/telephony-gateway/src/app/persistence/file-call-archive';
import { mediaSocketOf } from '../apps/telephony-gateway/src/app/media/media-socket';
import { MAX_MEDIA_MESSAGE_BYTES } from '../apps/telephony-gateway/src/app/media/media-stream.gateway';
import { table } from './stats';

const CALLS = Number(process.env['BENCH_CALLS'] ?? 100);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 6);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const KEY = 'bench-media-key-0123456789';

/**
 * One call's life repeats every 8 s (each call at its own phase, so the load is spread): the agent
 * speaks 3.5 s, then the callee answers (about 1.5 s of speech), the rest is silence.
 */
const CYCLE_MS = 8000;
const AGENT_SPEAKS_MS = 3500;
const CALLEE_SPEAKS_AT_MS = 4000;
/** Synthesised audio arrives in chunks of this much (about what ElevenLabs' ulaw_8000 stream yields), three times faster than it plays. */
const TTS_CHUNK_BYTES = 1200;
const TTS_SPEED = 3;

/** Where the gateway's CPU goes, each stage measured around its own code (process.cpuUsage before and after). */
const STAGES = [
  { key: 'decode', label: 'carrier codec: text of each frame, MediaStreamConnection, Twilio codec (media and marks)' },
  { key: 'relay', label: 'recogniser relay: batcher, Deepgram SDK, its socket write' },
  { key: 'agent', label: 'agent audio out: chunk and mark formatted and written' },
  { key: 'recording', label: 'recording: both sides onto the timeline, PCM blocks to the WAV file' },
  { key: 'rest', label: 'the rest: ws frames in, event loop, timers, GC' },
] as const;
type StageKey = (typeof STAGES)[number]['key'];

type ToChild = { type: 'run'; port: number; calls: number } | { type: 'go' } | { type: 'stop' } | { type: 'exit' };
type ToParent = { type: 'deepgram'; url: string } | { type: 'connected' } | { type: 'stopped'; framesSent: number; marksAnswered: number; deepgramMessages: number };

const phaseOf = (call: number, calls: number) => Math.floor((call / calls) * CYCLE_MS);

// ---------------------------------------------------------------- the far end (child process)

/**
 * Where the relay's audio goes: a WebSocket server on Deepgram's path that the SDK connects to,
 * counts the audio messages, answers nothing, and closes on CloseStream. Recognising the audio
 * (as FakeDeepgramServer does) would starve the carrier clock in this process on a busy machine.
 */
async function deepgramStandIn(): Promise<{ url: string; audioMessages: number; close(): Promise<void> }> {
  const http = createServer();
  const sockets = new WebSocketServer({ server: http, perMessageDeflate: false });
  const standIn = {
    url: '',
    audioMessages: 0,
    close: () => new Promise<void>((resolve) => sockets.close(() => http.close(() => resolve()))),
  };
  sockets.on('connection', (socket) =>
    socket.on('message', (data, isBinary) => {
      if (isBinary) standIn.audioMessages++;
      else if (data.toString().includes('CloseStream')) socket.close(1000);
    }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  standIn.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return standIn;
}

async function farEnd(): Promise<void> {
  // The bench that forked this process is gone (it ended, or was stopped): so is its far end.
  process.on('disconnect', () => process.exit(0));
  const send = (message: ToParent) => process.send?.(message);
  const deepgram = await deepgramStandIn();
  send({ type: 'deepgram', url: deepgram.url });
  const speech = splitFrames(embeddedSpeech('Yes, please deliver it on Friday.'));
  const silence = silenceFrame();
  const payloadOf = (frame: Buffer) => frame.toString('base64');
  const speechPayloads = speech.map(payloadOf);
  const silencePayload = payloadOf(silence);
  let sockets: WebSocket[] = [];
  let clock: NodeJS.Timeout | undefined;
  let framesSent = 0;
  let marksAnswered = 0;
  let deepgramAudioBefore = 0;
  const deepgramMessages = () => deepgram.audioMessages;

  process.on('message', async (message: ToChild) => {
    if (message.type === 'run') {
      framesSent = 0;
      marksAnswered = 0;
      deepgramAudioBefore = deepgramMessages();
      sockets = await Promise.all(
        Array.from({ length: message.calls }, (_, call) => {
          const socket = new WebSocket(`ws://127.0.0.1:${message.port}/media-stream/twilio?call=${call}`, { perMessageDeflate: false });
          const sid = `MZ${String(call).padStart(32, '0')}`;
          // Playback in real time: a mark comes back once the audio sent before it has played.
          let playedUntil = 0;
          socket.on('message', (data) => {
            const parsed = JSON.parse(data.toString()) as { event: string; media?: { payload: string }; mark?: { name: string } };
            const now = performance.now();
            if (parsed.event === 'media') playedUntil = Math.max(playedUntil, now) + (Buffer.byteLength(parsed.media!.payload, 'base64') * 1000) / SAMPLE_RATE;
            else if (parsed.event === 'mark') {
              const answer = JSON.stringify({ event: 'mark', sequenceNumber: '0', streamSid: sid, mark: parsed.mark });
              setTimeout(() => {
                if (socket.readyState !== socket.OPEN) return;
                socket.send(answer);
                marksAnswered++;
              }, Math.max(0, playedUntil - now));
            } else if (parsed.event === 'clear') playedUntil = now;
          });
          return new Promise<WebSocket>((resolve, reject) => {
            socket.once('error', reject);
            socket.once('open', () => {
              socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
              socket.send(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: sid, start: { streamSid: sid, accountSid: 'AC0', callSid: `CA${call}`, tracks: ['inbound'], customParameters: { call: String(call) }, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }));
              resolve(socket);
            });
          });
        }),
      );
      send({ type: 'connected' });
    } else if (message.type === 'go') {
      // Every call sends a frame each 20 ms of wall time, caught up if a timer fires late.
      const started = performance.now();
      const sent = new Array<number>(sockets.length).fill(0);
      const tick = () => {
        const elapsed = performance.now() - started;
        const due = Math.floor(elapsed / FRAME_MS);
        sockets.forEach((socket, call) => {
          for (; sent[call] < due; sent[call]++) {
            const n = sent[call];
            const inCycle = (n * FRAME_MS + phaseOf(call, sockets.length)) % CYCLE_MS;
            const speechFrame = Math.floor((inCycle - CALLEE_SPEAKS_AT_MS) / FRAME_MS);
            const payload = speechFrame >= 0 && speechFrame < speechPayloads.length ? speechPayloads[speechFrame] : silencePayload;
            const seq = String(n + 2);
            socket.send(`{"event":"media","sequenceNumber":"${seq}","media":{"track":"inbound","chunk":"${n + 1}","timestamp":"${n * FRAME_MS}","payload":"${payload}"},"streamSid":"MZ${String(call).padStart(32, '0')}"}`);
            framesSent++;
          }
        });
      };
      clock = setInterval(tick, 5);
    } else if (message.type === 'stop') {
      clearInterval(clock);
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === socket.CLOSED) return resolve();
              socket.once('close', () => resolve());
              socket.close(1000, 'bench run over');
            }),
        ),
      );
      // Give the fake Deepgram the last messages of the run's streams.
      await new Promise((resolve) => setTimeout(resolve, 200));
      send({ type: 'stopped', framesSent, marksAnswered, deepgramMessages: deepgramMessages() - deepgramAudioBefore });
    } else if (message.type === 'exit') {
      await deepgram.close();
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- the gateway side (this process)

/** CPU µs spent in each stage during the measured stretch. */
class StageClock {
  readonly spent: Record<StageKey, number> = { decode: 0, relay: 0, agent: 0, recording: 0, rest: 0 };
  readonly intervals: Record<StageKey, number> = { decode: 0, relay: 0, agent: 0, recording: 0, rest: 0 };
  measuring = false;

  /** An unclocked run reads no clock in the stages: its total is the media path's, without the cost of measuring it. */
  constructor(private readonly clocked: boolean) {}

  now(): number {
    if (!this.clocked) return 0;
    const { user, system } = process.cpuUsage();
    return user + system;
  }

  /** The process's CPU, always read. */
  total(): number {
    const { user, system } = process.cpuUsage();
    return user + system;
  }

  add(stage: StageKey, from: number, to: number): void {
    if (!this.measuring) return;
    this.spent[stage] += to - from;
    this.intervals[stage]++;
  }
}

/** A call as the media path sees it: what `Call.handleStreamEvent` and the session do with the stream's events. */
class BenchCall implements StreamedCall {
  connection?: MediaStreamConnection;
  recording?: CallRecording;
  transcript?: TranscriberStream;
  marks = 0;
  /** CPU of the stages run inside the current decode, which is not the decode's own. */
  nested = 0;
  private agentBytesSent = 0;
  private agentCycle = -1;
  private marksSent = 0;

  constructor(
    private readonly clock: StageClock,
    private readonly phaseMs: number,
  ) {}

  streamOpened(connection: MediaStreamConnection): void {
    this.connection = connection;
  }

  handleStreamEvent(event: StreamEvent): void {
    if (event.type === 'audio') {
      const t0 = this.clock.now();
      this.recording?.addInbound(event.payload);
      const t1 = this.clock.now();
      this.transcript?.sendAudio(event.payload);
      const t2 = this.clock.now();
      this.clock.add('recording', t0, t1);
      this.clock.add('relay', t1, t2);
      this.nested += t2 - t0;
    } else if (event.type === 'mark') this.marks++;
  }

  streamEnded(): void {
    void this.transcript?.close();
  }

  /** The agent's synthesised audio as it would arrive from the synthesiser: each chunk out with its mark. Answers the CPU spent recording it. */
  speak(elapsedMs: number, sinceAnswerMs: number): number {
    if (!this.connection?.streaming) return 0;
    const inCycle = elapsedMs + this.phaseMs;
    const cycle = Math.floor(inCycle / CYCLE_MS);
    const intoCycle = inCycle - cycle * CYCLE_MS;
    if (cycle !== this.agentCycle) {
      this.agentCycle = cycle;
      this.agentBytesSent = 0;
    }
    let recording = 0;
    const synthesised = Math.min((AGENT_SPEAKS_MS * SAMPLE_RATE) / 1000, Math.floor((intoCycle * TTS_SPEED * SAMPLE_RATE) / 1000));
    while (this.agentBytesSent + TTS_CHUNK_BYTES <= synthesised) {
      const chunk = Buffer.alloc(TTS_CHUNK_BYTES, 0x7e);
      this.agentBytesSent += TTS_CHUNK_BYTES;
      const t0 = this.clock.now();
      this.recording?.addOutbound(chunk, sinceAnswerMs);
      const t1 = this.clock.now();
      this.clock.add('recording', t0, t1);
      recording += t1 - t0;
      this.connection.sendAudio(chunk);
      this.connection.sendMark(`m${++this.marksSent}`);
    }
    return recording;
  }
}

interface RunResult {
  /** CPU ms per call-second of each stage. */
  stages: Record<StageKey, number>;
  total: number;
  framesPerCallSecond: number;
  deepgramMessagesPerCallSecond: number;
  marksPerCallSecond: number;
  /** CPU of one finish() at hang-up: the last block and the header. */
  finishMsPerCall: number;
  /** What the stages' clock reads cost, per call-second (taken out of the stages, left in "the rest"). */
  clockMsPerCallSecond: number;
}

async function runOnce(child: ChildProcess, port: number, server: WebSocketServer, deepgramUrl: string, recordingsDir: string, clocked: boolean): Promise<RunResult> {
  const ask = <T extends ToParent['type']>(message: ToChild, answer: T) =>
    new Promise<Extract<ToParent, { type: T }>>((resolve) => {
      const listener = (reply: ToParent) => {
        if (reply.type !== answer) return;
        child.off('message', listener);
        resolve(reply as Extract<ToParent, { type: T }>);
      };
      child.on('message', listener);
      child.send(message);
    });
  const clock = new StageClock(clocked);
  const transcriber = new DeepgramTranscriber({ apiKey: KEY, baseUrl: deepgramUrl });
  const archive = new FileCallArchive(recordingsDir);
  const calls: BenchCall[] = [];
  const opening: Promise<void>[] = [];
  let answeredAt = performance.now();
  /** Messages from the carriers in the measured stretch (media and marks). */
  let framesIn = 0;
  const onConnection = (socket: WebSocket, request: IncomingMessage) => {
    const index = Number(new URL(request.url ?? '', 'http://bench').searchParams.get('call'));
    const call = new BenchCall(clock, phaseOf(index, CALLS));
    calls.push(call);
    const connection = new MediaStreamConnection({
      codec: new TwilioMediaStreamCodec(),
      socket: mediaSocketOf(socket, request.socket),
      limits: { startTimeoutMs: 120_000, idleTimeoutMs: 120_000 },
      logger: silentLogger(),
      bind: () => ({ call }),
    });
    opening.push(
      transcriber.open({ callId: `call-${index}`, language: 'en', endpointingMs: 300 }).then(async (stream) => {
        call.transcript = stream;
        for await (const _event of stream) void _event; // the session reads every event
      }),
    );
    call.recording = new CallRecording({ sink: archive.openRecording(`call-${index}`), now: () => performance.now() - answeredAt });
    // As the gateway's MediaStreamGateway hands each text frame to the stream.
    socket.on('message', (data) => {
      if (clock.measuring) framesIn++;
      call.nested = 0;
      const t0 = clock.now();
      connection.onMessage(data.toString());
      clock.add('decode', t0 + call.nested, clock.now());
    });
    socket.on('close', () => connection.onClose());
  };
  server.on('connection', onConnection);
  await ask({ type: 'run', port, calls: CALLS }, 'connected');
  while (calls.filter((call) => call.transcript).length < CALLS) await new Promise((resolve) => setTimeout(resolve, 20));
  answeredAt = performance.now();
  child.send({ type: 'go' } satisfies ToChild);
  const agentClock = setInterval(() => {
    const elapsed = performance.now() - answeredAt;
    const t0 = clock.now();
    let recording = 0;
    for (const call of calls) recording += call.speak(elapsed, elapsed);
    // After the writes queued for this tick (a corked socket writes them on the next tick).
    process.nextTick(() => clock.add('agent', t0 + recording, clock.now()));
  }, 10);
  // One second in, so every call is in its rhythm, then the measured stretch.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const marksBefore = calls.reduce((sum, call) => sum + call.marks, 0);
  const wallBefore = performance.now();
  const cpuBefore = clock.total();
  clock.measuring = true;
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  clock.measuring = false;
  const cpu = clock.total() - cpuBefore;
  const wall = performance.now() - wallBefore;
  const marks = calls.reduce((sum, call) => sum + call.marks, 0) - marksBefore;
  clearInterval(agentClock);
  const stopped = await ask({ type: 'stop' }, 'stopped');
  server.off('connection', onConnection);
  await Promise.all(opening);
  const finishFrom = clock.total();
  const finishing = calls.map((call) => call.recording?.finish());
  const finishCpu = clock.total() - finishFrom;
  await Promise.all(finishing);
  rmSync(recordingsDir, { recursive: true, force: true });

  // A pair of clock reads, as each stage makes: the cost of measuring, for the reader.
  const probes = 20_000;
  const probeFrom = clock.total();
  for (let i = 0; i < probes; i++) clock.total();
  const readUs = (clock.total() - probeFrom) / probes;

  // A call-second is 50 carrier frames: on a loaded machine the carrier may send fewer than 50 a second.
  const callSeconds = Math.min((CALLS * wall) / 1000, (framesIn - marks) / (1000 / FRAME_MS));
  const allSeconds = (CALLS * (performance.now() - answeredAt)) / 1000;
  const perCallSecond = (us: number) => us / 1000 / callSeconds;
  // Each interval holds about one clock read of its own (the end of the first, the start of the second).
  const own = (stage: StageKey) => clock.spent[stage] - clock.intervals[stage] * readUs;
  const measured = own('decode') + own('relay') + own('agent') + own('recording');
  const reads = 2 * (clock.intervals.decode + clock.intervals.relay + clock.intervals.agent + clock.intervals.recording);
  const stages = {
    decode: perCallSecond(own('decode')),
    relay: perCallSecond(own('relay')),
    agent: perCallSecond(own('agent')),
    recording: perCallSecond(own('recording')),
    rest: perCallSecond(cpu - measured),
  };
  return {
    stages,
    total: perCallSecond(cpu),
    framesPerCallSecond: stopped.framesSent / allSeconds,
    deepgramMessagesPerCallSecond: stopped.deepgramMessages / allSeconds,
    marksPerCallSecond: marks / callSeconds,
    finishMsPerCall: finishCpu / 1000 / CALLS,
    clockMsPerCallSecond: perCallSecond(reads * readUs),
  };
}

const TIGHT_LOOP = [
  { key: 'codec', label: 'Twilio codec: a second of media messages read' },
  { key: 'jsonParse', label: '  for comparison: JSON.parse + base64 of the same messages' },
  { key: 'recording', label: 'recording: a second of both sides onto the timeline and into PCM' },
  { key: 'batcher', label: 'speech-aware batcher: a second of frames (sends not counted)' },
] as const;
type TightLoopKey = (typeof TIGHT_LOOP)[number]['key'];

/** The pieces that do no I/O, each over many call-seconds in a loop: medians of 9 rounds, far steadier than the live runs. */
function tightLoop(): Record<TightLoopKey, number> {
  const perCallSecond = (callSeconds: number, fn: () => void) => {
    const times: number[] = [];
    for (let round = 0; round < 9; round++) {
      const before = process.cpuUsage();
      fn();
      const cpu = process.cpuUsage(before);
      times.push((cpu.user + cpu.system) / 1000 / callSeconds);
    }
    return median(times);
  };
  const speech = splitFrames(embeddedSpeech('Yes, please deliver it on Friday.'));
  // One 8 s cycle of a call, as the live runs have it: the callee answers 4 s in, silent otherwise.
  const speechFrom = CALLEE_SPEAKS_AT_MS / FRAME_MS;
  const cycle = Array.from({ length: CYCLE_MS / FRAME_MS }, (_, i) => speech[i - speechFrom] ?? silenceFrame());
  const messages = cycle.map(
    (frame, n) => `{"event":"media","sequenceNumber":"${n + 2}","media":{"track":"inbound","chunk":"${n + 1}","timestamp":"${n * FRAME_MS}","payload":"${frame.toString('base64')}"},"streamSid":"MZ00000000000000000000000000000001"}`,
  );
  const codec = new TwilioMediaStreamCodec();
  codec.parse(JSON.stringify({ event: 'start', start: { streamSid: 'MZ00000000000000000000000000000001', callSid: 'CA1' } }));
  let sink = 0;
  const cycles = 250;
  const seconds = (cycles * CYCLE_MS) / 1000;
  const result = {
    codec: perCallSecond(seconds, () => {
      for (let c = 0; c < cycles; c++) for (const message of messages) sink += codec.parse(message).length;
    }),
    jsonParse: perCallSecond(seconds, () => {
      for (let c = 0; c < cycles; c++)
        for (const message of messages) {
          const data = JSON.parse(message) as { media: { payload: string; timestamp: string } };
          sink += Buffer.from(data.media.payload, 'base64').length + Number(data.media.timestamp);
        }
    }),
    recording: perCallSecond(seconds, () => {
      let now = 0;
      const recording = new CallRecording({ sink: { write: (block) => (sink += block.length), finish: async () => 'none', abort: async () => undefined }, now: () => now });
      const chunk = Buffer.alloc(TTS_CHUNK_BYTES, 0x7e);
      for (let c = 0; c < cycles; c++)
        cycle.forEach((frame, f) => {
          recording.addInbound(frame);
          now += FRAME_MS;
          // The agent's 3.5 s at the start of the cycle, a chunk as each one's time comes.
          if (f * FRAME_MS < AGENT_SPEAKS_MS && ((f * FRAME_MS * SAMPLE_RATE) / 1000) % TTS_CHUNK_BYTES < FRAME_BYTES) recording.addOutbound(chunk, now);
        });
    }),
    batcher: perCallSecond(seconds, () => {
      const batcher = new SpeechAwareBatcher({ batchMs: 100, silenceBatchMs: 240, tailMs: 500, lateTailMs: 1200, lateTailBatchMs: 40 }, (audio) => (sink += audio.length));
      for (let c = 0; c < cycles; c++) for (const frame of cycle) batcher.push(frame);
    }),
  };
  if (sink < 0) throw new Error('unreachable');
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

interface Saved {
  stages: Record<StageKey, number>;
  total: number;
  tightLoop: Record<TightLoopKey, number>;
}

async function main(): Promise<void> {
  const child = fork(__filename, ['--far-end'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const deepgramUrl = await new Promise<string>((resolve) => child.once('message', (message: ToParent) => message.type === 'deepgram' && resolve(message.url)));
  const http: Server = createServer();
  // The gateway's media-stream options: no compression, 64 KiB at most a message.
  const server = new WebSocketServer({ server: http, maxPayload: MAX_MEDIA_MESSAGE_BYTES, perMessageDeflate: false });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  // Before the live runs: their garbage and their sockets would weigh on the loops.
  const loops = tightLoop();
  const runs: RunResult[] = [];
  const totals: RunResult[] = [];
  try {
    // One run first, unmeasured: the JIT and the sockets' buffers warm up.
    await runOnce(child, port, server, deepgramUrl, mkdtempSync(join(tmpdir(), 'bench-media-')), true);
    // Clocked runs (each stage measured) and unclocked ones (the total alone) take turns.
    for (let run = 0; run < RUNS; run++) {
      runs.push(await runOnce(child, port, server, deepgramUrl, mkdtempSync(join(tmpdir(), 'bench-media-')), true));
      totals.push(await runOnce(child, port, server, deepgramUrl, mkdtempSync(join(tmpdir(), 'bench-media-')), false));
    }
  } finally {
    child.send({ type: 'exit' } satisfies ToChild);
    server.close();
    http.close();
  }

  const of = (pick: (run: RunResult) => number, from = runs) => {
    const values = from.map(pick);
    return { median: median(values), spread: `${Math.min(...values).toFixed(3)}-${Math.max(...values).toFixed(3)}` };
  };
  const measuredStages = STAGES.filter((stage) => stage.key !== 'rest');
  const stages = Object.fromEntries(measuredStages.map((stage) => [stage.key, of((run) => run.stages[stage.key]).median])) as Record<StageKey, number>;
  const total = of((run) => run.total, totals);
  stages.rest = total.median - measuredStages.reduce((sum, stage) => sum + stages[stage.key], 0);
  const saved: Saved = { stages, total: total.median, tightLoop: loops };
  const baselinePath = process.env['BENCH_BASELINE'];
  const baseline = baselinePath ? (JSON.parse(readFileSync(baselinePath, 'utf8')) as Saved) : undefined;
  const ratio = (before: number, after: number) => `${(before / after).toFixed(2)}x`;
  const withBaseline = (before: number | undefined, after: number) => (baseline ? [before === undefined ? '' : before.toFixed(3), before === undefined ? '' : ratio(before, after)] : []);

  const headers = ['stage (CPU ms per call-second)', 'median', 'spread over runs', ...(baseline ? ['before', 'before / after'] : [])];
  const rows = STAGES.map((stage) => [
    stage.label,
    stages[stage.key].toFixed(3),
    stage.key === 'rest' ? '' : of((run) => run.stages[stage.key]).spread,
    ...withBaseline(baseline?.stages[stage.key], stages[stage.key]),
  ]);
  rows.push(['media path in all (runs without the stage clocks)', saved.total.toFixed(3), total.spread, ...withBaseline(baseline?.total, saved.total)]);
  const loopRows = TIGHT_LOOP.map((piece) => [piece.label, saved.tightLoop[piece.key].toFixed(4), ...withBaseline(baseline?.tightLoop?.[piece.key], saved.tightLoop[piece.key])]);
  const rates = (pick: (run: RunResult) => number) => of(pick).median.toFixed(1);
  process.stdout.write(
    `codcall media-path benchmark: ${CALLS} calls, ${SECONDS} s measured a run, ${RUNS} runs with the stages clocked and ${RUNS} without; CPU of this process only (user + system)\n\n` +
      table(headers, rows) +
      `\n\nper call-second: ${rates((r) => r.framesPerCallSecond)} carrier media messages in, ${rates((r) => r.deepgramMessagesPerCallSecond)} audio messages to Deepgram, ` +
      `${rates((r) => r.marksPerCallSecond)} marks played back\n` +
      `recording finish at hang-up: ${of((r) => r.finishMsPerCall).median.toFixed(3)} ms CPU a call; in the clocked runs the clocks cost ${of((r) => r.clockMsPerCallSecond).median.toFixed(3)} ms per call-second, taken out of the stages\n` +
      "\"the rest\" is the unclocked total less the clocked stages.\n\n" +
      table(['the pure-CPU pieces in a tight loop, no I/O (CPU ms per call-second)', 'median of 9', ...(baseline ? ['before', 'before / after'] : [])], loopRows) +
      '\n',
  );
  const savePath = process.env['BENCH_SAVE'];
  if (savePath) writeFileSync(savePath, JSON.stringify(saved, null, 2));
}

if (process.argv.includes('--far-end')) void farEnd();
else void main();
