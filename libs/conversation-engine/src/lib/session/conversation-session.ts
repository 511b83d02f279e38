import { randomUUID } from 'node:crypto';
import { renderTemplate, type AgentRuntimeConfig } from '@codcall/agent-config';
import type { Logger } from '@codcall/logging';
import type { CallAudioOutput } from '@codcall/media';
import { ClauseSplitter } from '../clause-splitter';
import type { ChatMessage, LanguageModel, Synthesizer, ToolCall, ToolSchema, Transcriber, TranscriberStream, TranscriptEvent } from '../providers';
import { goodbyeKeys, parseArguments, runTool, toolsForCall, type ConversationTool } from '../tools';
import { AnsweredTurn } from './answered-turn';
import { AsyncQueue } from './async-queue';
import { readAhead } from './read-ahead';
import { AudioTimeline } from './audio-timeline';
import { SessionTimers, systemClock, type SessionClock } from './clock';
import { conversationPrompt } from './conversation-prompt';
import type { ConversationResult, Decision, TranscriptEntry } from './conversation-result';
import { ConversationStageTracker } from './conversation-stage';
import { GoodbyeSpeech } from './goodbye-speech';
import { PlayoutTracker, type SpeechHandle } from './playout-tracker';
import { SilenceWatch } from './silence-watch';
import { callLanguage, capSpokenText, speechRequest, spokenRow, splitIntoClauses, welcomeText } from './spoken-text';
import { TurnDetector } from './turn-detector';

export type { ConversationOutcome, ConversationResult, TranscriptEntry } from './conversation-result';
export type { ConversationStage } from './conversation-stage';
export { capSpokenText, MAX_SPOKEN_MESSAGE_CHARS, splitIntoClauses, welcomeSpeechRequests, welcomeText } from './spoken-text';

export interface ConversationSessionOptions {
  callId: string;
  agent: AgentRuntimeConfig;
  /** Every CSV column of the row: template variables for the welcome message and the prompt. */
  variables: Record<string, string>;
  /** The callee's IANA zone, for "tomorrow at 3". */
  timezone: string;
  /** The gateway can hand the call to a person (TRANSFER_NUMBER): transfer_to_human is offered. */
  transferAvailable?: boolean;
  /** Today's date for the prompt and for "tomorrow"; the clock's time by default. */
  now?: () => Date;
  /** Timers and the time in ms; the system clock unless a test moves time by hand. */
  clock?: SessionClock;
  transcriber: Transcriber;
  languageModel: LanguageModel;
  synthesizer: Synthesizer;
  output: CallAudioOutput;
  /** The session wants the call ended; called once its last words have been played. */
  onHangup: (reason: string) => void;
  logger: Logger;
}

/**
 * Where the conversation is. `paused`: the callee began speaking over the agent, whose audio is
 * held until their words say whether they meant to interrupt. `saying_goodbye`: the outcome is
 * settled and the call ends once the last words have been played.
 */
export type SessionState = 'listening' | 'thinking' | 'speaking' | 'paused' | 'saying_goodbye' | 'finished';

/** An utterance the callee may cut off, and what to correct when they do. */
interface Utterance {
  speech: SpeechHandle;
  /** The first clause of the model's current round (a refused date makes the model answer again). */
  firstClause: number;
  /** The history entry of the current round, to shorten to what was heard. */
  message?: { content: string };
  line?: TranscriptEntry;
}

/** The model's answer being written, and the turn it answers. */
interface Reply {
  controller: AbortController;
  speech: SpeechHandle;
  turn: AnsweredTurn;
}

/** The agent paused on the callee's speech start. */
interface Pause {
  speechStartedAtMs: number;
  clearedAtMs: number;
}

/**
 * One call's conversation: the welcome message, then turns. The callee's audio streams into the
 * transcriber; at the end of each of their turns the model streams an answer, which is cut into
 * clauses and spoken as each clause completes. Tool calls decide the outcome; the first outcome
 * tool ends the call with the model's words beside it, or the agent's prepared goodbye. The parts:
 * a PlayoutTracker (marks: what the callee heard), a TurnDetector (what the callee's words mean),
 * a SilenceWatch, GoodbyeSpeech, and the conversation's stage (conversation-stage.ts: who is
 * speaking, then the order question; the tools that settle the order wait for its answer).
 */
export class ConversationSession {
  readonly result: Promise<ConversationResult>;
  private resolveResult!: (result: ConversationResult) => void;
  private readonly clock: SessionClock;
  private readonly today: () => Date;
  private readonly startedAt: number;
  private readonly log: Logger;
  private readonly history: ChatMessage[] = [];
  private readonly transcript: TranscriptEntry[] = [];
  private readonly toolCalls: ConversationResult['toolCalls'] = [];
  private readonly turns: ConversationResult['turns'] = [];
  private readonly timers: SessionTimers;
  private readonly playout: PlayoutTracker;
  private readonly detector: TurnDetector;
  private readonly silence: SilenceWatch;
  private readonly goodbyes: GoodbyeSpeech;
  private readonly audio = new AudioTimeline();
  /** The tools this call offers; the model sees those its stage allows (see conversation-stage.ts). */
  private readonly tools: ConversationTool[];
  private readonly stage: ConversationStageTracker;
  /** The row as the agent says it: order id spelled out, amount formatted. */
  private readonly spoken: Record<string, string>;
  /** The callee's corrected address, kept whatever the outcome. */
  private addressUpdate?: string;
  private state: SessionState = 'speaking';
  private stream?: TranscriberStream;
  private reply?: Reply;
  private current?: Utterance;
  private pause?: Pause;
  private decision?: Decision;

  constructor(private readonly options: ConversationSessionOptions) {
    this.result = new Promise((resolve) => (this.resolveResult = resolve));
    this.clock = options.clock ?? systemClock;
    this.today = options.now ?? (() => new Date(this.clock.now()));
    this.startedAt = this.clock.now();
    this.log = options.logger;
    this.timers = new SessionTimers(this.clock);
    this.playout = new PlayoutTracker(options.output, () => this.elapsed(), () => this.onPlayedOut());
    this.detector = new TurnDetector(options.agent.timing);
    this.silence = new SilenceWatch(this.clock, {
      repromptAfterSeconds: options.agent.timing.repromptAfterSeconds,
      hangupAfterSilenceSeconds: options.agent.timing.hangupAfterSilenceSeconds,
      onReprompt: () => this.reprompt(),
      onGiveUp: () => this.decide({ outcome: 'no_response', reason: `no answer for ${options.agent.timing.hangupAfterSilenceSeconds} s` }, 'configured'),
    });
    this.spoken = spokenRow(options.agent, options.variables);
    this.goodbyes = new GoodbyeSpeech(options.agent, this.spoken, options.synthesizer, options.timezone);
    this.tools = toolsForCall({ transferAvailable: options.transferAvailable ?? false, confirmAddress: options.agent.confirmAddress ?? false, variables: options.variables });
    this.stage = new ConversationStageTracker(options.variables['order_id']);
    const prompt = conversationPrompt({ agent: options.agent, variables: options.variables, tools: this.tools, now: this.today(), timezone: options.timezone });
    this.history.push({ role: 'system', content: prompt });
  }

  /** Where the conversation is now (for logs and tests). */
  get currentState(): SessionState {
    return this.state;
  }

  async start(): Promise<void> {
    const { agent } = this.options;
    this.timers.set('max-duration', agent.timing.maxCallSeconds * 1000, () => this.decide({ outcome: 'max_duration' }, 'configured'));
    // Speak first: the seed system waited in silence for the callee.
    const welcome = welcomeText(agent, this.options.variables);
    const opening = this.say(welcome, { interruptible: true });
    try {
      this.stream = await this.options.transcriber.open({
        callId: this.options.callId,
        language: agent.transcriber.language,
        model: agent.transcriber.model,
        ...(agent.transcriber.languageHints?.length ? { languageHints: agent.transcriber.languageHints } : {}),
        endpointingMs: agent.transcriber.endpointingMs,
      });
    } catch (error) {
      this.fail(`the transcriber could not start: ${describe(error)}`);
      return;
    }
    void this.listen(this.stream);
    await opening;
    // The greeting is synthesised: now the goodbyes, so an outcome needs no synthesis of its own.
    if (this.state !== 'finished') this.goodbyes.prepareAll(goodbyeKeys(this.tools));
  }

  handleAudio(mulaw: Buffer): void {
    this.audio.received(mulaw.length, this.elapsed());
    this.stream?.sendAudio(mulaw);
  }

  handleMark(name: string): void {
    this.playout.handleMark(name);
  }

  handleDtmf(digit: string): void {
    if (!this.options.agent.dtmfEnabled || this.state === 'finished') return;
    const meaning: Record<string, string> = {
      '1': 'confirm the order',
      '2': 'cancel the order',
      '3': 'deliver on another day',
    };
    if (!meaning[digit]) return;
    this.stage.keypadAnswer();
    this.takeTurn({ text: `[The customer pressed ${digit} on the keypad, meaning: ${meaning[digit]}.]`, speechEndedAtMs: this.elapsed() });
  }

  /**
   * An answering machine took the call: stop the conversation, say `text` after its beep, and
   * hang up once it has been played.
   */
  leaveMessage(text: string): void {
    if (this.state === 'finished' || this.decision) return;
    this.abortReply();
    this.cutOff();
    this.playout.stopAll();
    this.endPause();
    this.silence.stop();
    this.timers.clear('reply');
    this.decision = { outcome: 'ended_without_outcome', reason: 'voicemail message left' };
    this.state = 'saying_goodbye';
    const message = capSpokenText(renderTemplate(text, this.spoken));
    if (!message.trim()) return this.finish();
    void this.say(message);
  }

  handleStreamEnd(): void {
    if (this.state === 'finished') return;
    this.abortReply();
    this.decision ??= { outcome: 'callee_hung_up' };
    this.finish();
  }

  // ---- listening ----

  private async listen(stream: TranscriberStream): Promise<void> {
    try {
      for await (const event of stream) this.onTranscript(event);
    } catch (error) {
      if (this.state !== 'finished') this.fail(`the transcriber failed: ${describe(error)}`);
    }
  }

  private onTranscript(event: TranscriptEvent): void {
    if (this.state === 'finished') return;
    switch (event.type) {
      case 'speech_started':
        this.detector.speechStarted(this.elapsed());
        // They went on talking: what they said so far waits for the rest.
        this.timers.clear('reply');
        this.silence.stop();
        this.onCalleeSpeechStart();
        break;
      case 'interim':
        this.silence.stop();
        this.onCalleeWords(event.text);
        break;
      case 'final': {
        this.silence.stop();
        this.onCalleeWords(event.text);
        // "Mm-hm" over the agent only says they are following: not a turn to answer.
        const overAgent = this.state === 'speaking' || this.state === 'paused';
        if (!(this.pauseMode && overAgent && this.detector.isBackchannel(event.text))) {
          const ended = event.speechEndedAtAudioMs === undefined ? undefined : this.audio.arrivalOf(event.speechEndedAtAudioMs);
          this.detector.addWords(event.text, { atMs: this.elapsed(), speechEndedAtMs: ended });
        }
        if (event.endOfTurn) this.endOfCalleeTurn('endpoint');
        break;
      }
      case 'utterance_end':
        this.endOfCalleeTurn('utterance_end');
        break;
    }
  }

  private endOfCalleeTurn(source: 'endpoint' | 'utterance_end'): void {
    this.detector.speechEnded();
    if (!this.detector.hasWords) return;
    // The recogniser's utterance end is a long gap: the turn is over whatever the words were.
    if (source === 'utterance_end') return this.commitCalleeTurn();
    // A pause after "and", "but", "because"... is a breath, not the end of a turn.
    const delay = this.detector.replyDelayMs();
    if (delay > 0) this.timers.set('reply', delay, () => this.commitCalleeTurn());
    else this.commitCalleeTurn();
  }

  private commitCalleeTurn(): void {
    this.timers.clear('reply');
    const words = this.detector.takeWords();
    if (words.text) this.takeTurn({ text: words.text, sttFinalAtMs: words.sttFinalAtMs, speechEndedAtMs: words.speechEndedAtMs ?? words.sttFinalAtMs ?? this.elapsed() });
  }

  // ---- barge-in ----

  private get pauseMode(): boolean {
    return this.options.agent.timing.interruptionMode === 'pause';
  }

  /** The agent is answering or talking, may be cut off (interruptionWords 0 says never), and is not saying goodbye. */
  private canBeInterrupted(): boolean {
    if (this.detector.neverInterrupted || (this.state !== 'speaking' && this.state !== 'thinking')) return false;
    return this.playout.busy || this.reply !== undefined;
  }

  private onCalleeSpeechStart(): void {
    // More sound while paused: the window starts again (LiveKit re-arms its timer the same way).
    if (this.state === 'paused') return this.armFalseInterruptionTimer();
    if (!this.canBeInterrupted()) return;
    if (this.pauseMode) return this.pauseForCallee();
    if (this.options.agent.timing.interruptOnSpeechStarted) this.bargeIn();
  }

  private onCalleeWords(text: string): void {
    if (this.state === 'paused') {
      const meaning = this.detector.judgeDuringPause(text);
      if (meaning === 'interruption') this.bargeIn();
      else if (meaning === 'backchannel') this.resumeAfterPause();
      return;
    }
    if (!this.canBeInterrupted()) return;
    const interrupts = this.pauseMode ? this.detector.judgeDuringPause(text) === 'interruption' : this.detector.interruptsByWords(text);
    if (interrupts) this.bargeIn();
  }

  /** Pause mode: silence the agent at once, keep what was not heard, and wait for the callee's words. */
  private pauseForCallee(): void {
    this.playout.pause();
    const at = this.elapsed();
    this.pause = { speechStartedAtMs: this.detector.speechStartedAtMs ?? at, clearedAtMs: at };
    this.state = 'paused';
    this.log.debug('callee began speaking over the agent; paused');
    this.armFalseInterruptionTimer();
  }

  /**
   * No words within the window: a cough, a door, the line. Counted from the recogniser's speech
   * start, the only voice-activity event it gives (LiveKit counts from its VAD's end of speech).
   */
  private armFalseInterruptionTimer(): void {
    this.timers.set('false-interruption', this.options.agent.timing.falseInterruptionTimeoutMs, () => this.resumeAfterPause());
  }

  /** A cough or a backchannel: the agent goes on with what the callee has not heard yet. */
  private resumeAfterPause(): void {
    if (!this.endPause('resumed')) return;
    this.playout.resume();
    // Paused before the answer's first audio: it is still being thought of.
    this.state = this.playout.playing || !this.reply ? 'speaking' : 'thinking';
    if (!this.playout.busy) this.onPlayedOut();
  }

  /** Ends a pause, recording it; false when there was none. */
  private endPause(resolution?: 'interrupted' | 'resumed'): boolean {
    const pause = this.pause;
    if (!pause) return false;
    this.pause = undefined;
    this.timers.clear('false-interruption');
    if (resolution) this.recordBargeIn(pause, resolution);
    return true;
  }

  /** The callee takes the floor: the agent stops, and remembers saying only what was heard. */
  private bargeIn(): void {
    const at = this.elapsed();
    // Words with no speech start of their own (the recogniser sent none) started now, as far as we know.
    const startedAt = (this.detector.calleeSpeaking ? this.detector.speechStartedAtMs : undefined) ?? at;
    const pause = this.pause ?? { speechStartedAtMs: startedAt, clearedAtMs: at };
    const wasPaused = this.endPause();
    this.log.info({ paused: wasPaused }, 'callee interrupted the agent');
    this.abortReply();
    this.cutOff();
    // Words mode clears at once, as always; a pause already cleared and holds nothing at the carrier.
    this.playout.stopAll(!wasPaused);
    this.recordBargeIn(pause, 'interrupted');
    this.state = 'listening';
  }

  private recordBargeIn(pause: Pause, resolution: 'interrupted' | 'resumed'): void {
    this.turns.push({ kind: 'barge_in', speechStartedAtMs: pause.speechStartedAtMs, clearedAtMs: pause.clearedAtMs, latencyMs: pause.clearedAtMs - pause.speechStartedAtMs, resolution });
  }

  /** What has been said on the call so far; a sentence still being spoken is in it once it is all written. */
  transcriptSoFar(): readonly TranscriptEntry[] {
    return this.transcript;
  }

  /** The current utterance was cut off: the model is told only what was heard; the transcript marks it. */
  private cutOff(): void {
    const utterance = this.current;
    this.current = undefined;
    if (!utterance || !utterance.speech.text) return;
    const heard = utterance.speech.heardText(utterance.firstClause);
    if (utterance.message) utterance.message.content = heard;
    else this.history.push({ role: 'assistant', content: heard });
    if (utterance.line) utterance.line.interrupted = true;
    else this.transcript.push({ speaker: 'agent', text: utterance.speech.text, atMs: this.elapsed(), interrupted: true });
  }

  // ---- answering ----

  private takeTurn(words: { text: string; speechEndedAtMs: number; sttFinalAtMs?: number }): void {
    if (this.state === 'finished' || this.decision) return;
    this.timers.clear('reply');
    this.silence.calleeTookTurn();
    this.stage.calleeTurn(agentWordsSinceCallee(this.history));
    this.transcript.push({ speaker: 'callee', text: words.text, atMs: this.elapsed() });
    this.history.push({ role: 'user', content: words.text });
    if (this.reply) {
      // They added to what they said before we answered: answer all of it.
      const speech = this.reply.speech;
      this.abortReply();
      this.cutOff();
      speech.stop();
    }
    this.endPause();
    const turn = new AnsweredTurn(words.speechEndedAtMs, words.sttFinalAtMs, (timing) => this.turns.push(timing));
    void this.respond(turn);
  }

  private async respond(turn: AnsweredTurn): Promise<void> {
    const controller = new AbortController();
    const speech = this.playout.speak();
    const utterance: Utterance = { speech, firstClause: 0 };
    this.current = utterance;
    speech.onFirstSent = (atMs) => {
      turn.firstFrameSent(atMs);
      if (this.state === 'thinking') this.state = 'speaking';
    };
    this.reply = { controller, speech, turn };
    this.state = 'thinking';
    const clauses = new AsyncQueue<string>();
    const speaking = this.speakClauses(clauses, utterance, { turn });
    let queued = 0;
    try {
      // More than one round only when a tool asks the model to answer again (a refused date).
      for (let round = 0; round < 3; round++) {
        utterance.firstClause = queued;
        utterance.message = undefined;
        const splitter = new ClauseSplitter();
        const calls: ToolCall[] = [];
        let text = '';
        turn.modelRequested(round, this.elapsed());
        for await (const delta of this.options.languageModel.stream({ messages: [...this.history], tools: this.offeredSchemas(), signal: controller.signal })) {
          if (controller.signal.aborted) break;
          turn.modelAnswered(round, this.elapsed());
          if (delta.type === 'text') {
            text += delta.text;
            queued += pushAll(clauses, splitter.push(delta.text));
          } else calls.push(delta.call);
        }
        if (controller.signal.aborted) return;
        queued += pushAll(clauses, splitter.flush());
        const message: ChatMessage = { role: 'assistant', content: text.trim(), ...(calls.length ? { toolCalls: calls } : {}) };
        this.history.push(message);
        utterance.message = message;
        const effect = this.runTools(calls, text.trim() !== '');
        if (effect === 'retry') continue;
        this.reply = undefined;
        if (effect) {
          turn.known('outcome');
          // The model's words beside the tool call are the goodbye, already streaming; else the agent's own.
          this.decide(effect, text.trim() ? 'said' : 'configured', turn);
        } else turn.known('text');
        break;
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      this.reply = undefined;
      return this.fail(`the language model failed: ${describe(error)}`, true);
    } finally {
      if (this.reply?.controller === controller) this.reply = undefined;
      turn.known('text'); // a no-op when the kind is known; else three refused dates in a row
      clauses.close();
    }
    await speaking;
  }

  /** What the model may call now: this call's tools, those about the order's answer once it was given. */
  private offeredSchemas(): ToolSchema[] {
    return this.tools.filter((tool) => !tool.needsOrderAnswer || this.stage.orderAnswered).map((tool) => tool.schema);
  }

  /**
   * Runs the model's tool calls: the first outcome settles the call. 'retry': the model answers
   * again in the same turn (a tool was refused, or one noted something and the model said nothing).
   */
  private runTools(calls: ToolCall[], said: boolean): Decision | 'retry' | undefined {
    let retry = false;
    for (const call of calls) {
      const args = parseArguments(call.arguments);
      const run = { now: this.today(), timezone: this.options.timezone, language: callLanguage(this.options.agent).code };
      const effect = runTool(call.name, args, { ...run, offered: this.tools, orderAnswered: this.stage.orderAnswered, orderId: this.options.variables['order_id'] });
      this.toolCalls.push({ name: call.name, arguments: args, atMs: this.elapsed(), result: effect.message });
      this.history.push({ role: 'tool', toolCallId: call.id, content: effect.message });
      if (effect.kind === 'outcome') return effect.decision;
      if (effect.kind === 'noted') this.addressUpdate = effect.addressUpdate;
      retry ||= effect.kind === 'refused' || !said;
    }
    return retry ? 'retry' : undefined;
  }

  /**
   * Settles the outcome once; the call ends after the goodbye has been played. `said`: the
   * model's words are the goodbye; `configured`: the agent's goodbye for the outcome is spoken now.
   */
  private decide(decision: Decision, goodbye: 'said' | 'configured', turn?: AnsweredTurn): void {
    if (this.decision || this.state === 'finished') return;
    this.decision = decision;
    this.silence.stop();
    this.timers.clear('max-duration');
    this.timers.clear('reply');
    // A goodbye is not interrupted: a paused one goes on at once.
    if (this.state === 'paused') this.resumeAfterPause();
    this.state = 'saying_goodbye';
    if (goodbye === 'configured') {
      if (this.reply) {
        // A timer ended the call mid-answer (max duration): the answer stops for the goodbye.
        const speech = this.reply.speech;
        this.abortReply();
        this.cutOff();
        speech.stop();
      }
      void this.sayGoodbye(decision, turn);
    } else if (!this.playout.busy) this.finish();
  }

  private async sayGoodbye(decision: Decision, turn?: AnsweredTurn): Promise<void> {
    const text = this.goodbyes.textFor(decision);
    if (!text) {
      if (!this.playout.busy) this.finish();
      return;
    }
    this.history.push({ role: 'assistant', content: text });
    // A prepared goodbye has no synthesis request of its own: its turn records no TTS legs.
    const prepared = this.goodbyes.isPrepared(text);
    await this.say(text, { turn, timeTts: !prepared, synthesizer: this.goodbyes.synthesizer });
  }

  // ---- speaking ----

  /** Speaks a whole text (greeting, reprompt, goodbye, voicemail message). */
  private say(text: string, options: { interruptible?: boolean; turn?: AnsweredTurn; timeTts?: boolean; synthesizer?: Synthesizer } = {}): Promise<void> {
    const speech = this.playout.speak();
    const utterance: Utterance = { speech, firstClause: 0 };
    if (options.interruptible) {
      const message = { role: 'assistant' as const, content: text };
      this.history.push(message);
      utterance.message = message;
      this.current = utterance;
    }
    const turn = options.turn;
    if (turn) speech.onFirstSent = (atMs) => turn.firstFrameSent(atMs);
    const clauses = new AsyncQueue<string>();
    for (const clause of splitIntoClauses(text)) clauses.push(clause);
    clauses.close();
    return this.speakClauses(clauses, utterance, { turn: options.timeTts === false ? undefined : turn, synthesizer: options.synthesizer });
  }

  /**
   * Synthesises each clause as soon as it comes, so the next one is rendered while the one before
   * it plays (no pause inside a sentence for the callee to answer into), and sends the audio in
   * order, chunk by chunk; closes the speech after the last.
   */
  private async speakClauses(clauses: AsyncIterable<string>, utterance: Utterance, options: { turn?: AnsweredTurn; synthesizer?: Synthesizer }): Promise<void> {
    const { speech } = utterance;
    const synthesizer = options.synthesizer ?? this.options.synthesizer;
    const over = () => speech.stopped || this.state === 'finished';
    const rendering = new AsyncQueue<{ text: string; audio: AsyncIterable<Buffer> }>();
    let clausesFailed: { error: unknown } | undefined;
    void (async () => {
      const id = randomUUID();
      let clause = 0;
      try {
        for await (const text of clauses) {
          if (over()) break;
          options.turn?.leg('ttsRequestAtMs', this.elapsed());
          const request = { ...speechRequest(this.options.agent, text), utterance: { id, clause: clause++ }, signal: speech.signal };
          rendering.push({ text, audio: readAhead(synthesizer.synthesize(request)) });
        }
      } catch (error) {
        clausesFailed = { error };
      } finally {
        rendering.close();
      }
    })();
    try {
      for await (const { text, audio } of rendering) {
        if (over()) return;
        speech.beginClause(text);
        for await (const chunk of audio) {
          if (over()) return;
          options.turn?.leg('ttsFirstByteAtMs', this.elapsed());
          speech.sendAudio(chunk);
        }
        speech.endClause();
      }
      if (clausesFailed) throw clausesFailed.error;
    } catch (error) {
      if (over()) return;
      return this.fail(`speech synthesis failed: ${describe(error)}`);
    } finally {
      if (!speech.stopped && speech.text && !utterance.line) {
        utterance.line = { speaker: 'agent', text: speech.text, atMs: this.elapsed() };
        this.transcript.push(utterance.line);
      }
      speech.close();
    }
  }

  /** Everything the agent said has been played and nothing more is being written. */
  private onPlayedOut(): void {
    if (this.state === 'finished' || this.state === 'paused') return;
    if (this.current?.speech.isSettled) this.current = undefined;
    if (this.state === 'saying_goodbye') return this.finish();
    if (this.reply) return;
    this.state = 'listening';
    if (!this.detector.calleeSpeaking) this.silence.start();
  }

  private reprompt(): void {
    if (this.state !== 'listening') return;
    this.state = 'speaking';
    void this.say(capSpokenText(renderTemplate(this.options.agent.repromptMessage, this.spoken)), { interruptible: true });
  }

  private abortReply(): void {
    const reply = this.reply;
    this.reply = undefined;
    if (!reply) return;
    reply.controller.abort();
    reply.turn.abandon();
  }

  // ---- ending ----

  private fail(reason: string, apologise = false): void {
    if (this.state === 'finished') return;
    this.log.error({ reason }, 'conversation failed');
    if (this.decision) return this.finish();
    if (apologise) return this.decide({ outcome: 'failed', reason }, 'configured');
    this.decision = { outcome: 'failed', reason };
    this.finish();
  }

  private finish(): void {
    if (this.state === 'finished') return;
    this.state = 'finished';
    this.timers.clearAll();
    this.silence.stop();
    this.abortReply();
    this.pause = undefined;
    // Whatever is still being written is never heard: it is in the transcript as it stood.
    const current = this.current;
    if (current && !current.line && current.speech.text) this.transcript.push({ speaker: 'agent', text: current.speech.text, atMs: this.elapsed() });
    this.current = undefined;
    this.playout.release();
    void this.stream?.close().catch(() => undefined);
    const decision = this.decision ?? { outcome: 'ended_without_outcome' as const };
    // A transferred call stays up: its carrier moves it to a person (the call, not the session, asks).
    if (decision.outcome !== 'callee_hung_up' && decision.outcome !== 'transferred') this.options.onHangup(decision.outcome);
    const kept = this.addressUpdate ? { addressUpdate: this.addressUpdate } : {};
    this.resolveResult({ ...decision, ...kept, transcript: this.transcript, toolCalls: this.toolCalls, turns: this.turns });
  }

  // ---- helpers ----

  private elapsed(): number {
    return this.clock.now() - this.startedAt;
  }
}

/** What the agent said since the callee's last turn, as heard (a cut-off answer was shortened to what was heard). */
function agentWordsSinceCallee(history: readonly ChatMessage[]): string[] {
  const words: string[] = [];
  for (let i = history.length - 1; i >= 0 && history[i].role !== 'user'; i--) {
    const message = history[i];
    if (message.role === 'assistant') words.unshift(message.content);
  }
  return words;
}

/** Queues the clauses; returns how many. */
function pushAll(queue: AsyncQueue<string>, clauses: string[]): number {
  for (const clause of clauses) queue.push(clause);
  return clauses.length;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
