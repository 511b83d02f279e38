/**
 * The carrier side of one benchmark call, as Twilio plays it: signed status callbacks and the
 * answer document fetched by POST (through the simulator's Twilio wire), then a Media Streams
 * socket with one inbound 20 ms frame every 20 ms, the agent's audio played out in real time and
 * its marks echoed back once played, `clear` answered with the outstanding marks. The callee
 * follows the call's script and times what it feels, at the moment it sends or receives.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { embeddedSpeech } from '../../libs/test-support/src/lib/fakes/embedded-speech';
import { CarrierPlayout } from '../../libs/test-support/src/lib/fakes/carrier-playout';
import type { FakeTwilioCall } from '../../libs/test-support/src/lib/fakes/twilio-fake-server';
import { FRAME_MS, silenceFrame, splitFrames } from '@codcall/media';
import { parseStreamTwiml, TwilioCalleeWire, type CalleeCallWire, type CallProgress, type CarrierWebhook, type PlaceCallRequest } from '@codcall/telephony-providers';
import { AGENT_LINES, CALLEE_LINES, expectedSpeechMs, type CallPlan } from './call-script';

/** What one call measured (milliseconds, performance.now() clock). */
export interface CallMeasures {
  index: number;
  placedAt: number;
  streamStartAt?: number;
  endedAt?: number;
  greetingMs?: number;
  /** Callee's last speech frame sent -> agent's first audio frame received, per text turn. */
  textMs: number[];
  outcome?: { ms: number; withWords: boolean };
  /** Callee's first speech frame sent -> `clear` received. */
  bargeInMs?: number;
  /** Why the call failed to reach its goodbye and hang-up, if it did. */
  failure?: string;
}

export interface CalleeTiming {
  ringMs: number;
  /** Between the answer webhook and the media socket opening (Twilio's own set-up time). */
  streamOpenDelayMs: number;
  /** How long any one step (an answer, a clear, the hang-up) may take before the call counts as failed. */
  stepTimeoutMs: number;
  /** How much of the long answer plays before the callee talks over it. */
  bargeInAfterMs: number;
}

const ACCOUNT_SID = 'AC' + '5'.repeat(32);
/** Quiet after the agent's audio has played out before the callee takes the turn. */
const TURN_GAP_MS = 300;
const SILENCE_PAYLOAD = silenceFrame().toString('base64');

/** A step of the call that did not happen in time, or could not because the call ended. */
class CallStepError extends Error {}

export class BenchCallee implements FakeTwilioCall {
  progress: CallProgress = 'initiated';
  private readonly wire: CalleeCallWire;
  private readonly streamSid = 'MZ' + randomBytes(16).toString('hex');
  private socket?: WebSocket;
  private readonly playout = new CarrierPlayout();
  private sequence = 0;
  private chunk = 0;
  private speaking: Buffer[] = [];
  private clockTimer?: NodeJS.Timeout;
  private ended = false;
  private lastAgentAudioAt = 0;
  /** Agent audio played since the callee last spoke. */
  private playedMs = 0;
  // One waiter of each kind at a time: the script is sequential.
  private readonly agentAudio = new Waiter();
  private readonly cleared = new Waiter();
  private readonly speechStarted = new Waiter();
  private readonly lastSpeechFrameSent = new Waiter();
  /** Checked on every tick until it resolves. */
  private until?: { test: (at: number) => boolean; resolve: (at: number) => void };
  /** Steps in progress, failed at once when the call ends under them. */
  private readonly pending = new Set<(error: Error) => void>();
  private hungUp!: () => void;
  private readonly hangUp = new Promise<void>((resolve) => (this.hungUp = resolve));

  constructor(
    private readonly call: { sid: string; request: PlaceCallRequest; ended: () => void },
    private readonly plan: CallPlan,
    private readonly timing: CalleeTiming,
    authToken: string,
    readonly measures: CallMeasures,
  ) {
    this.wire = new TwilioCalleeWire(authToken).forCall({ carrierCallId: call.sid, request: call.request });
  }

  begin(): void {
    void this.run().catch((error: unknown) => this.fail(error instanceof Error ? error.message : String(error)));
  }

  async end(reason: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.measures.endedAt = performance.now();
    if (!this.measures.failure && !this.measures.outcome) this.measures.failure = `ended before the outcome turn (${reason})`;
    clearTimeout(this.clockTimer);
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.send({ event: 'stop', sequenceNumber: this.seq(), streamSid: this.streamSid, stop: { accountSid: ACCOUNT_SID, callSid: this.call.sid } });
      this.socket.close(1000, 'call ended');
    }
    const held = this.measures.streamStartAt !== undefined ? Math.round((this.measures.endedAt - this.measures.streamStartAt) / 1000) : 0;
    await this.status('completed', held).catch(() => undefined);
    this.hungUp();
    for (const reject of this.pending) reject(new CallStepError(`the call ended (${reason})`));
    this.call.ended();
  }

  private fail(reason: string): void {
    this.measures.failure ??= reason;
    void this.end(reason);
  }

  private async run(): Promise<void> {
    await this.status('initiated');
    await this.status('ringing');
    await sleep(this.timing.ringMs);
    if (this.ended) return;
    await this.status('in-progress');
    const answer = await this.post(this.wire.answer());
    const document = await answer.text();
    if (!answer.ok) throw new Error(`answer webhook answered ${answer.status}`);
    const stream = parseStreamTwiml(document);
    if (!stream) throw new Error('answer document has no <Connect><Stream>');
    await sleep(this.timing.streamOpenDelayMs);
    if (this.ended) return;
    await this.open(stream.url, stream.parameters);
    await this.converse();
  }

  private open(url: string, customParameters: Record<string, string>): Promise<void> {
    // Twilio's media streams come from many media servers; the gateway caps sockets per address.
    const socket = new WebSocket(url, { localAddress: mediaServerAddress(this.measures.index) });
    this.socket = socket;
    socket.on('message', (data) => this.onGatewayMessage(data.toString()));
    socket.on('close', () => void this.end('media stream closed'));
    socket.on('error', (error) => this.fail(`media socket: ${error.message}`));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => {
        this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
        this.send({
          event: 'start',
          sequenceNumber: this.seq(),
          streamSid: this.streamSid,
          start: { streamSid: this.streamSid, accountSid: ACCOUNT_SID, callSid: this.call.sid, tracks: ['inbound'], customParameters, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
        });
        this.measures.streamStartAt = performance.now();
        this.startClock();
        resolve();
      });
    });
  }

  /** Greeting, text turns, a long answer talked over, the answer to that, then the outcome and the hang-up. */
  private async converse(): Promise<void> {
    const started = this.measures.streamStartAt!;
    this.measures.greetingMs = (await this.step('greeting', this.agentAudio)) - started;
    let agentSaid = this.plan.greeting;
    for (let turn = 0; turn < this.plan.textTurns; turn++) {
      this.measures.textMs.push(await this.turn(`answer in text turn ${turn + 1}`, agentSaid, CALLEE_LINES.text[turn % CALLEE_LINES.text.length]));
      agentSaid = AGENT_LINES.answer;
    }
    if (this.plan.bargeIn) {
      await this.talkOverTheLongAnswer(agentSaid);
      agentSaid = AGENT_LINES.answer;
    }
    const confirm = this.plan.outcomeWithWords ? CALLEE_LINES.confirmWithWords : CALLEE_LINES.confirm;
    this.measures.outcome = { ms: await this.turn('goodbye in the outcome turn', agentSaid, confirm), withWords: this.plan.outcomeWithWords };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.timing.stepTimeoutMs * 3)));
    const outcome = await Promise.race([this.hangUp, late]);
    clearTimeout(timer);
    if (outcome === 'late') throw new CallStepError('no hang-up after the goodbye');
  }

  /** A text turn whose long answer the callee talks over; then the answer to what it said. */
  private async talkOverTheLongAnswer(agentSaid: string): Promise<void> {
    this.measures.textMs.push(await this.turn('long answer', agentSaid, CALLEE_LINES.askMore));
    await this.condition('long answer playing', () => this.playedMs >= this.timing.bargeInAfterMs);
    const speechStart = this.step('barge-in speech start', this.speechStarted);
    const clear = this.step('clear after barge-in', this.cleared);
    const spoken = this.say(CALLEE_LINES.interrupt);
    const [startAt, clearedAt] = await Promise.all([speechStart, clear]);
    this.measures.bargeInMs = clearedAt - startAt;
    const lastFrameAt = await spoken;
    this.measures.textMs.push((await this.step('answer after the barge-in', this.agentAudio)) - lastFrameAt);
  }

  /**
   * Waits for the agent to finish saying `agentSaid` (most of its speech played, nothing left to
   * play, a short quiet), thinks, says `line`: callee's last speech frame -> agent's first frame.
   */
  private async turn(name: string, agentSaid: string, line: string): Promise<number> {
    const heard = expectedSpeechMs(agentSaid);
    await this.condition(`${name}: agent finishing`, (at) => this.playedMs >= heard && this.playout.idle && at - this.lastAgentAudioAt >= TURN_GAP_MS);
    await sleep(this.plan.thinkMs());
    const lastFrameAt = await this.say(line);
    const answerAt = await this.step(name, this.agentAudio);
    return answerAt - lastFrameAt;
  }

  /** Queues the line's frames; resolves when its last speech frame has been sent. What the agent says next is counted afresh. */
  private say(line: string): Promise<number> {
    this.speaking.push(...splitFrames(embeddedSpeech(line)));
    this.playedMs = 0;
    return this.step(`saying "${line}"`, this.lastSpeechFrameSent, this.timing.stepTimeoutMs + this.speaking.length * FRAME_MS);
  }

  private condition(name: string, test: (at: number) => boolean): Promise<number> {
    return this.wait(name, this.timing.stepTimeoutMs, (resolve) => (this.until = { test, resolve }));
  }

  private step(name: string, waiter: Waiter, timeoutMs = this.timing.stepTimeoutMs): Promise<number> {
    return this.wait(name, timeoutMs, (resolve) => waiter.arm(resolve));
  }

  private wait(name: string, timeoutMs: number, arm: (resolve: (at: number) => void) => void): Promise<number> {
    const step = new Promise<number>((resolve, reject) => {
      if (this.ended) return reject(new CallStepError(`the call ended before ${name}`));
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(reject);
      };
      const timer = setTimeout(() => {
        settle();
        reject(new CallStepError(`no ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.add(reject);
      arm((at) => {
        settle();
        resolve(at);
      });
    });
    // A step the script has not awaited yet (the barge-in's line while its clear is awaited) may
    // fail when the call ends; the script's own await still sees the failure.
    step.catch(() => undefined);
    return step;
  }

  /** Real time, corrected for drift: one inbound frame sent and one frame of agent audio played per tick. */
  private startClock(): void {
    const started = performance.now();
    let ticks = 0;
    const tick = () => {
      if (this.ended) return;
      ticks++;
      this.tick(performance.now());
      this.clockTimer = setTimeout(tick, Math.max(0, started + (ticks + 1) * FRAME_MS - performance.now()));
    };
    this.clockTimer = setTimeout(tick, FRAME_MS);
  }

  private tick(now: number): void {
    const frame = this.speaking.shift();
    this.chunk++;
    const payload = frame ? frame.toString('base64') : SILENCE_PAYLOAD;
    // Written out rather than JSON.stringify'd: at 800 calls this is 40,000 messages a second.
    this.socket?.send(
      `{"event":"media","sequenceNumber":"${this.seq()}","streamSid":"${this.streamSid}","media":{"track":"inbound","chunk":"${this.chunk}","timestamp":"${this.chunk * FRAME_MS}","payload":"${payload}"}}`,
    );
    if (frame) this.speechStarted.fire(now);
    if (frame && this.speaking.length === 0) this.lastSpeechFrameSent.fire(now);
    const played = this.playout.tick();
    this.playedMs += played.playedBytes / 8;
    for (const name of played.marks) this.sendMark(name);
    if (this.until?.test(now)) {
      const { resolve } = this.until;
      this.until = undefined;
      resolve(now);
    }
  }

  private onGatewayMessage(text: string): void {
    const at = performance.now();
    let message: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.event === 'media' && message.media?.payload) {
      this.playout.audio(Buffer.from(message.media.payload, 'base64'));
      this.lastAgentAudioAt = at;
      this.agentAudio.fire(at);
    } else if (message.event === 'mark' && message.mark?.name) {
      this.playout.mark(message.mark.name);
    } else if (message.event === 'clear') {
      for (const name of this.playout.clear()) this.sendMark(name);
      this.cleared.fire(at);
    }
  }

  private sendMark(name: string): void {
    this.send({ event: 'mark', sequenceNumber: this.seq(), streamSid: this.streamSid, mark: { name } });
  }

  private send(message: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private seq(): string {
    return String(++this.sequence);
  }

  private async status(status: CallProgress, durationSeconds?: number): Promise<void> {
    this.progress = status;
    const webhook = this.wire.progress(status, durationSeconds);
    if (!webhook) return;
    const response = await this.post(webhook);
    await response.arrayBuffer();
    if (!response.ok && status !== 'completed') throw new Error(`status callback ${status} answered ${response.status}`);
  }

  private post(webhook: CarrierWebhook): Promise<Response> {
    return fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...webhook.headers },
      body: new URLSearchParams(webhook.params).toString(),
      signal: AbortSignal.timeout(this.timing.stepTimeoutMs),
    }).catch((error: Error) => {
      // Which webhook, without the call id: failure reasons are tallied across calls.
      throw new Error(`webhook ${new URL(webhook.url).pathname.replace(/[0-9a-f-]{36}/, ':id')} (${webhook.params['CallStatus']}): ${error.message}`);
    });
  }
}

/** Loopback stands in for Twilio's media servers: 64 source addresses (Linux routes all of 127/8 to lo). */
function mediaServerAddress(callIndex: number): string {
  return `127.0.1.${1 + (((callIndex % 64) + 64) % 64)}`;
}

/** A one-shot wait for an event the callee sees: armed by the script, fired (once) by the wire or the clock. */
class Waiter {
  private resolve?: (at: number) => void;

  arm(resolve: (at: number) => void): void {
    this.resolve = resolve;
  }

  fire(at: number): void {
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.(at);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
