import { DateTime } from 'luxon';
import { renderTemplate, type AgentRuntimeConfig } from '@codcall/agent-config';
import type { Logger } from '@codcall/logging';
import type { CallAudioOutput } from '@codcall/media';
import { ClauseSplitter } from '../clause-splitter';
import { resolveDeliverySlot } from '../delivery-slot';
import type { ChatMessage, LanguageModel, SynthesisRequest, Synthesizer, ToolCall, Transcriber, TranscriberStream, TranscriptEvent } from '../providers';
import { COD_TOOLS } from '../tools';
import { AsyncQueue } from './async-queue';
import type { TurnTiming } from './turn-timing';

export interface ConversationSessionOptions {
  callId: string;
  agent: AgentRuntimeConfig;
  /** Every CSV column of the row: template variables for the welcome message and the prompt. */
  variables: Record<string, string>;
  /** The callee's IANA zone, for "tomorrow at 3". */
  timezone: string;
  now?: () => Date;
  transcriber: Transcriber;
  languageModel: LanguageModel;
  synthesizer: Synthesizer;
  output: CallAudioOutput;
  /** The session wants the call ended; called once its last words have been played. */
  onHangup: (reason: string) => void;
  logger: Logger;
}

export type ConversationOutcome =
  | 'confirmed'
  | 'cancelled'
  | 'rescheduled'
  | 'wrong_person'
  | 'do_not_call'
  | 'no_response'
  | 'callee_hung_up'
  | 'ended_without_outcome'
  | 'max_duration'
  | 'failed';

export interface TranscriptEntry {
  speaker: 'agent' | 'callee';
  text: string;
  atMs: number;
  interrupted?: boolean;
}

export interface ConversationResult {
  outcome: ConversationOutcome;
  rescheduleDate?: string;
  rescheduleTime?: string;
  cancelReason?: string;
  reason?: string;
  transcript: TranscriptEntry[];
  toolCalls: { name: string; arguments: Record<string, unknown>; atMs: number; result: string }[];
  /** Every turn the callee lived through, the outcome turn and barge-ins included. */
  turns: TurnTiming[];
}

type Decision = Pick<ConversationResult, 'outcome' | 'rescheduleDate' | 'rescheduleTime' | 'cancelReason' | 'reason'>;

const GOODBYES: Record<ConversationOutcome, string> = {
  confirmed: 'Thank you! Your order is confirmed. Goodbye.',
  cancelled: 'Your order has been cancelled. Thank you for letting us know. Goodbye.',
  rescheduled: 'Your delivery has been rescheduled. Thank you. Goodbye.',
  wrong_person: 'Sorry for the trouble. Goodbye.',
  do_not_call: "Understood. We won't call you again. Goodbye.",
  no_response: "We couldn't hear you, so we'll try again later. Goodbye.",
  callee_hung_up: '',
  ended_without_outcome: 'Thank you for your time. Goodbye.',
  max_duration: "We'll have to end the call here; we'll contact you again. Goodbye.",
  failed: "Sorry, we're having technical trouble. We'll call you back. Goodbye.",
};

/** How long a callee who paused mid-sentence gets to go on before the agent answers. */
const UNFINISHED_GRACE_MS = 1200;

const DTMF_ANNOUNCEMENT = 'You can also press 1 to confirm, 2 to cancel, or 3 to choose another day.';

/** Words a listener says to show they are following, not to take the turn. */
const BACKCHANNEL = /^(mm+|m-?hm+|uh-?huh|okay|ok|yeah|yes|right|sure|hmm+|ah+|oh)[.!]?$/i;

interface Utterance {
  text: string;
  clauses: { text: string; mark: string; played: boolean }[];
  interrupted: boolean;
}

/**
 * One call's conversation: the welcome message, then turns. The callee's audio streams into the
 * transcriber; at the end of each of their turns the model streams an answer, which is cut into
 * clauses and spoken as each clause completes. Tool calls decide the outcome; the first outcome
 * tool ends the call politely. Marks tell how far playback got, so the session knows when the
 * agent has finished speaking and what the callee actually heard.
 */
export class ConversationSession {
  readonly result: Promise<ConversationResult>;
  private resolveResult!: (result: ConversationResult) => void;
  private readonly now: () => Date;
  private readonly startedAt: number;
  private readonly log: Logger;
  private readonly history: ChatMessage[] = [];
  private readonly transcript: TranscriptEntry[] = [];
  private readonly toolCalls: ConversationResult['toolCalls'] = [];
  private readonly turns: ConversationResult['turns'] = [];
  private stream?: TranscriberStream;
  private response?: AbortController;
  private current?: Utterance;
  private pendingMarks = new Set<string>();
  private markCounter = 0;
  private calleeText = '';
  private calleeSpeaking = false;
  private decision?: Decision;
  private hangupAfterPlayback = false;
  /** The goodbye is being written or synthesised: no played mark may end the call before it is said. */
  private preparingGoodbye = false;
  private finished = false;
  private timers = new Map<string, NodeJS.Timeout>();
  private silentSince?: number;
  private reprompted = false;

  constructor(private readonly options: ConversationSessionOptions) {
    this.result = new Promise((resolve) => (this.resolveResult = resolve));
    this.now = options.now ?? (() => new Date());
    this.startedAt = this.now().getTime();
    this.log = options.logger;
    this.history.push({ role: 'system', content: this.systemPrompt() });
  }

  async start(): Promise<void> {
    const { agent } = this.options;
    this.setTimer('max-duration', agent.timing.maxCallSeconds * 1000, () => this.decide({ outcome: 'max_duration' }, true));
    const welcome = welcomeText(agent, this.options.variables);
    // Speak first: the seed system waited in silence for the callee.
    const opening = this.speakText(welcome);
    this.history.push({ role: 'assistant', content: welcome });
    try {
      this.stream = await this.options.transcriber.open({
        callId: this.options.callId,
        language: agent.transcriber.language,
        model: agent.transcriber.model,
        endpointingMs: agent.transcriber.endpointingMs,
      });
    } catch (error) {
      this.fail(`the transcriber could not start: ${describe(error)}`);
      return;
    }
    void this.listen(this.stream);
    await opening;
  }

  handleAudio(mulaw: Buffer): void {
    this.stream?.sendAudio(mulaw);
  }

  handleMark(name: string): void {
    if (!this.pendingMarks.delete(name)) return;
    const clause = this.current?.clauses.find((c) => c.mark === name);
    if (clause) clause.played = true;
    if (this.pendingMarks.size > 0 || this.response || this.preparingGoodbye) return;
    // Everything the agent said has been heard.
    if (this.hangupAfterPlayback) return this.finish();
    this.startSilenceWatch();
  }

  handleDtmf(digit: string): void {
    if (!this.options.agent.dtmfEnabled || this.finished) return;
    const meaning: Record<string, string> = {
      '1': 'confirm the order',
      '2': 'cancel the order',
      '3': 'deliver on another day',
    };
    if (!meaning[digit]) return;
    this.takeTurn(`[The customer pressed ${digit} on the keypad, meaning: ${meaning[digit]}.]`);
  }

  /**
   * An answering machine took the call: stop the conversation, say `text` after its beep, and
   * hang up once it has been played.
   */
  leaveMessage(text: string): void {
    if (this.finished || this.decision) return;
    this.abortResponse();
    this.closeUtterance();
    if (this.pendingMarks.size > 0) this.options.output.clear();
    this.pendingMarks.clear();
    this.stopSilenceWatch();
    this.clearTimer('reply');
    this.decision = { outcome: 'ended_without_outcome', reason: 'voicemail message left' };
    this.hangupAfterPlayback = true;
    void this.speakText(capSpokenText(renderTemplate(text, this.options.variables))).then(() => {
      if (this.pendingMarks.size === 0) this.finish();
    });
  }

  handleStreamEnd(): void {
    if (this.finished) return;
    this.abortResponse();
    if (this.decision) return this.finish();
    this.decision = { outcome: 'callee_hung_up' };
    this.finish();
  }

  // ---- listening ----

  private async listen(stream: TranscriberStream): Promise<void> {
    try {
      for await (const event of stream) this.onTranscript(event);
    } catch (error) {
      if (!this.finished) this.fail(`the transcriber failed: ${describe(error)}`);
    }
  }

  private onTranscript(event: TranscriptEvent): void {
    if (this.finished) return;
    switch (event.type) {
      case 'speech_started':
        this.calleeSpeaking = true;
        // They went on talking: what they said so far waits for the rest.
        this.clearTimer('reply');
        this.stopSilenceWatch();
        if (this.options.agent.timing.interruptOnSpeechStarted && this.canBeInterrupted()) this.bargeIn('speech started');
        break;
      case 'interim':
        this.stopSilenceWatch();
        this.maybeBargeIn(event.text);
        break;
      case 'final':
        this.stopSilenceWatch();
        this.maybeBargeIn(event.text);
        if (event.text.trim()) this.calleeText = `${this.calleeText} ${event.text.trim()}`.trim();
        if (event.endOfTurn) this.endOfCalleeTurn('endpoint');
        break;
      case 'utterance_end':
        this.endOfCalleeTurn('utterance_end');
        break;
    }
  }

  private endOfCalleeTurn(source: 'endpoint' | 'utterance_end'): void {
    this.calleeSpeaking = false;
    if (!this.calleeText) return;
    // The recogniser's utterance end is a long gap: the turn is over whatever the words were.
    if (source === 'utterance_end') return this.commitCalleeTurn();
    // A pause after "and", "but", "because"... is a breath, not the end of a turn.
    const grace = looksUnfinished(this.calleeText) ? UNFINISHED_GRACE_MS : 0;
    const delay = Math.max(this.options.agent.timing.replyDelayMs, grace);
    if (delay > 0) this.setTimer('reply', delay, () => this.commitCalleeTurn());
    else this.commitCalleeTurn();
  }

  private commitCalleeTurn(): void {
    this.clearTimer('reply');
    const text = this.calleeText;
    this.calleeText = '';
    if (text) this.takeTurn(text);
  }

  private maybeBargeIn(text: string): void {
    if (!this.canBeInterrupted()) return;
    const said = text.trim();
    if (said.split(/\s+/).filter(Boolean).length < this.options.agent.timing.interruptionWords || BACKCHANNEL.test(said)) return;
    this.bargeIn('words');
  }

  /** The agent is talking, may be cut off (interruptionWords 0 says never), and is not saying goodbye. */
  private canBeInterrupted(): boolean {
    return this.options.agent.timing.interruptionWords !== 0 && this.isAgentSpeaking() && !this.hangupAfterPlayback;
  }

  private bargeIn(trigger: 'words' | 'speech started'): void {
    this.log.info({ trigger }, 'callee interrupted the agent');
    this.options.output.clear();
    this.abortResponse();
    if (this.current) this.current.interrupted = true;
    this.closeUtterance();
  }

  private isAgentSpeaking(): boolean {
    return this.pendingMarks.size > 0 || this.response !== undefined;
  }

  // ---- answering ----

  private takeTurn(text: string): void {
    if (this.finished || this.decision) return;
    this.clearTimer('reply');
    this.stopSilenceWatch();
    this.reprompted = false;
    this.transcript.push({ speaker: 'callee', text, atMs: this.elapsed() });
    this.history.push({ role: 'user', content: text });
    if (this.response) {
      // They added to what they said before we answered: answer all of it.
      this.abortResponse();
      this.closeUtterance();
    }
    void this.respond(this.elapsed());
  }

  private async respond(calleeEndedAtMs: number, tools = COD_TOOLS): Promise<void> {
    const controller = new AbortController();
    this.response = controller;
    const clauses = new AsyncQueue<string>();
    const speaking = this.speakClauses(clauses, controller.signal, calleeEndedAtMs);
    const splitter = new ClauseSplitter();
    const calls: ToolCall[] = [];
    let text = '';
    try {
      for await (const delta of this.options.languageModel.stream({ messages: [...this.history], tools, signal: controller.signal })) {
        if (controller.signal.aborted) break;
        if (delta.type === 'text') {
          text += delta.text;
          for (const clause of splitter.push(delta.text)) clauses.push(clause);
        } else calls.push(delta.call);
      }
      for (const clause of splitter.flush()) clauses.push(clause);
    } catch (error) {
      clauses.close();
      if (controller.signal.aborted) return;
      this.response = undefined;
      return this.fail(`the language model failed: ${describe(error)}`, true);
    }
    clauses.close();
    await speaking;
    if (controller.signal.aborted || this.finished) return;
    this.response = undefined;
    this.history.push({ role: 'assistant', content: text.trim(), ...(calls.length ? { toolCalls: calls } : {}) });
    this.closeUtterance();

    const decided = await this.runTools(calls, text.trim() !== '');
    if (decided === 'retry') return this.respond(calleeEndedAtMs);
    if (this.pendingMarks.size === 0 && !this.response && !this.preparingGoodbye) {
      // Nothing is left to play (e.g. a tool-only answer): act as if the last mark came back.
      if (this.hangupAfterPlayback) this.finish();
      else this.startSilenceWatch();
    }
  }

  /** Runs the model's tool calls; 'retry' when the model must answer again (a refused date). */
  private async runTools(calls: ToolCall[], saidSomething: boolean): Promise<'done' | 'retry'> {
    let retry = false;
    for (const call of calls) {
      const args = parseArguments(call.arguments);
      const result = this.applyTool(call.name, args);
      this.toolCalls.push({ name: call.name, arguments: args, atMs: this.elapsed(), result: result.message });
      this.history.push({ role: 'tool', toolCallId: call.id, content: result.message });
      if (result.decision) {
        this.decide(result.decision, !saidSomething);
        return 'done';
      }
      retry = true;
    }
    return retry ? 'retry' : 'done';
  }

  private applyTool(name: string, args: Record<string, unknown>): { message: string; decision?: Decision } {
    switch (name) {
      case 'confirm_order':
        return { message: 'Order confirmed. Say a short goodbye.', decision: { outcome: 'confirmed' } };
      case 'cancel_order': {
        const reason = typeof args['reason'] === 'string' && args['reason'].trim() ? args['reason'].trim() : undefined;
        return { message: 'Order cancelled. Say a short goodbye.', decision: { outcome: 'cancelled', ...(reason ? { cancelReason: reason } : {}) } };
      }
      case 'wrong_person':
        return { message: 'Noted as a wrong number. Apologise briefly and say goodbye; reveal nothing about the order.', decision: { outcome: 'wrong_person' } };
      case 'do_not_call': {
        const reason = typeof args['reason'] === 'string' && args['reason'].trim() ? args['reason'].trim() : undefined;
        return { message: 'Noted: this number will not be called again. Say a short goodbye.', decision: { outcome: 'do_not_call', ...(reason ? { reason } : {}) } };
      }
      case 'end_call':
        return { message: 'Ending the call.', decision: { outcome: 'ended_without_outcome', reason: typeof args['reason'] === 'string' ? args['reason'] : undefined } };
      case 'reschedule_delivery': {
        const slot = resolveDeliverySlot(String(args['date'] ?? ''), args['time'] === undefined ? undefined : String(args['time']), {
          now: this.now(),
          timezone: this.options.timezone,
        });
        if (!slot.ok) return { message: `Not rescheduled: ${slot.message}.` };
        return {
          message: `Delivery rescheduled to ${slot.date} at ${slot.time}. Say a short goodbye.`,
          decision: { outcome: 'rescheduled', rescheduleDate: slot.date, rescheduleTime: slot.time },
        };
      }
      default:
        return { message: `Unknown tool ${name}; use only the tools offered.` };
    }
  }

  /** Settles the outcome once; the call ends after a goodbye has been played. */
  private decide(decision: Decision, needsGoodbye: boolean): void {
    if (this.decision || this.finished) return;
    this.decision = decision;
    this.stopSilenceWatch();
    this.clearTimer('max-duration');
    this.hangupAfterPlayback = true;
    if (needsGoodbye) {
      this.abortResponse();
      this.closeUtterance();
      void this.speakGoodbye(decision.outcome);
    } else if (this.pendingMarks.size === 0 && !this.response) this.finish();
  }

  private async speakGoodbye(outcome: ConversationOutcome): Promise<void> {
    this.preparingGoodbye = true;
    try {
      await this.writeAndSpeakGoodbye(outcome);
    } finally {
      this.preparingGoodbye = false;
    }
    if (this.pendingMarks.size === 0) this.finish();
  }

  private async writeAndSpeakGoodbye(outcome: ConversationOutcome): Promise<void> {
    const fallback = GOODBYES[outcome];
    let text = '';
    if (['confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'do_not_call'].includes(outcome)) {
      // The model's own goodbye, in its voice and language; no tools, so it cannot reopen the call.
      try {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 4000);
        for await (const delta of this.options.languageModel.stream({ messages: [...this.history], tools: [], signal: controller.signal })) {
          if (delta.type === 'text') text += delta.text;
        }
        clearTimeout(timer);
      } catch (error) {
        this.log.warn({ err: error }, 'no goodbye from the language model; using the fixed one');
        text = '';
      }
    }
    text = text.trim() || fallback;
    if (!text) return;
    this.history.push({ role: 'assistant', content: text });
    await this.speakText(text);
  }

  // ---- speaking ----

  private async speakText(text: string): Promise<void> {
    const queue = new AsyncQueue<string>();
    const controller = new AbortController();
    for (const clause of splitIntoClauses(text)) queue.push(clause);
    queue.close();
    await this.speakClauses(queue, controller.signal);
    this.closeUtterance();
  }

  private async speakClauses(clauses: AsyncIterable<string>, signal: AbortSignal, calleeEndedAtMs?: number): Promise<void> {
    let firstAudio = true;
    for await (const clause of clauses) {
      if (signal.aborted || this.finished) return;
      const utterance = (this.current ??= { text: '', clauses: [], interrupted: false });
      try {
        for await (const chunk of this.options.synthesizer.synthesize({ ...speechRequest(this.options.agent, clause), signal })) {
          if (signal.aborted || this.finished) return;
          if (firstAudio && calleeEndedAtMs !== undefined) {
            const at = this.elapsed();
            this.turns.push({ kind: 'text', calleeSpeechEndedAtMs: calleeEndedAtMs, firstFrameSentAtMs: at, latencyMs: at - calleeEndedAtMs });
          }
          firstAudio = false;
          this.options.output.sendAudio(chunk);
        }
      } catch (error) {
        if (signal.aborted) return;
        this.fail(`speech synthesis failed: ${describe(error)}`);
        return;
      }
      const mark = `m${++this.markCounter}`;
      utterance.clauses.push({ text: clause, mark, played: false });
      utterance.text = `${utterance.text} ${clause}`.trim();
      this.pendingMarks.add(mark);
      this.options.output.sendMark(mark);
    }
  }

  /** Writes the agent's utterance to the transcript; an interrupted one keeps only what was played. */
  private closeUtterance(): void {
    const utterance = this.current;
    this.current = undefined;
    if (!utterance || !utterance.text) return;
    if (utterance.interrupted) {
      const heard = utterance.clauses.filter((c) => c.played).map((c) => c.text).join(' ');
      const last = this.history[this.history.length - 1];
      if (last?.role === 'assistant' && !last.toolCalls) last.content = heard;
      else this.history.push({ role: 'assistant', content: heard });
      this.pendingMarks.clear();
    }
    this.transcript.push({ speaker: 'agent', text: utterance.text, atMs: this.elapsed(), ...(utterance.interrupted ? { interrupted: true } : {}) });
  }

  private abortResponse(): void {
    this.response?.abort();
    this.response = undefined;
  }

  // ---- silence ----

  private startSilenceWatch(): void {
    if (this.finished || this.decision || this.calleeSpeaking) return;
    const { repromptAfterSeconds, hangupAfterSilenceSeconds } = this.options.agent.timing;
    this.silentSince ??= this.now().getTime();
    const silentFor = this.now().getTime() - this.silentSince;
    this.setTimer('silence-hangup', Math.max(0, hangupAfterSilenceSeconds * 1000 - silentFor), () => this.decide({ outcome: 'no_response', reason: `no answer for ${hangupAfterSilenceSeconds} s` }, true));
    if (!this.reprompted) {
      this.setTimer('reprompt', Math.max(0, repromptAfterSeconds * 1000 - silentFor), () => {
        this.reprompted = true;
        this.clearTimer('silence-hangup');
        const text = capSpokenText(renderTemplate(this.options.agent.repromptMessage, this.options.variables));
        this.history.push({ role: 'assistant', content: text });
        void this.speakText(text);
      });
    }
  }

  private stopSilenceWatch(): void {
    this.silentSince = undefined;
    this.clearTimer('reprompt');
    this.clearTimer('silence-hangup');
  }

  // ---- ending ----

  private fail(reason: string, apologise = false): void {
    if (this.finished) return;
    this.log.error({ reason }, 'conversation failed');
    if (this.decision) return this.finish();
    this.decision = { outcome: 'failed', reason };
    this.hangupAfterPlayback = true;
    if (apologise) void this.speakText(GOODBYES.failed).then(() => this.pendingMarks.size === 0 && this.finish(), () => this.finish());
    else this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.abortResponse();
    this.closeUtterance();
    void this.stream?.close().catch(() => undefined);
    const decision = this.decision ?? { outcome: 'ended_without_outcome' as const };
    if (decision.outcome !== 'callee_hung_up') this.options.onHangup(decision.outcome);
    this.resolveResult({ ...decision, transcript: this.transcript, toolCalls: this.toolCalls, turns: this.turns });
  }

  // ---- helpers ----

  private systemPrompt(): string {
    const now = DateTime.fromJSDate(this.now()).setZone(this.options.timezone);
    const rendered = renderTemplate(this.options.agent.systemPrompt, this.options.variables);
    const row = Object.entries(this.options.variables)
      .map(([key, value]) => `${key}: ${value}`)
      .join('\n');
    return `${rendered}\n\nToday is ${now.toFormat('cccc, d LLLL yyyy')} and the time is ${now.toFormat('HH:mm')} (${this.options.timezone}) where the customer is.\nOrder details:\n${row}`;
  }

  private elapsed(): number {
    return this.now().getTime() - this.startedAt;
  }

  private setTimer(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    const timer = setTimeout(() => {
      this.timers.delete(name);
      if (!this.finished) fn();
    }, ms);
    this.timers.set(name, timer);
  }

  private clearTimer(name: string): void {
    const timer = this.timers.get(name);
    if (timer) clearTimeout(timer);
    this.timers.delete(name);
  }
}

/** How the agent's words are cut for synthesis; the greeting cache must cut them the same way. */
export function splitIntoClauses(text: string): string[] {
  const splitter = new ClauseSplitter();
  return [...splitter.push(text), ...splitter.flush()];
}

function speechRequest(agent: AgentRuntimeConfig, text: string): Omit<SynthesisRequest, 'signal'> {
  return { text, language: agent.language, voice: agent.synthesizer.voiceId ?? agent.synthesizer.voice, model: agent.synthesizer.model };
}

/**
 * The longest rendered message (welcome, reprompt, voicemail) the agent speaks: the agent's
 * templates are limited, but a row's cells fill them in, and each character becomes audio held in
 * memory. About a minute of speech.
 */
export const MAX_SPOKEN_MESSAGE_CHARS = 1200;

/** Cuts a rendered message to MAX_SPOKEN_MESSAGE_CHARS, at a word boundary when there is one. */
export function capSpokenText(text: string): string {
  if (text.length <= MAX_SPOKEN_MESSAGE_CHARS) return text;
  const cut = text.slice(0, MAX_SPOKEN_MESSAGE_CHARS);
  const space = cut.lastIndexOf(' ');
  return (space > MAX_SPOKEN_MESSAGE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd();
}

/** What the agent says first: the welcome message for this row, and the keypad options when enabled. */
export function welcomeText(agent: AgentRuntimeConfig, variables: Record<string, string>): string {
  const welcome = capSpokenText(renderTemplate(agent.welcomeMessage, variables));
  return agent.dtmfEnabled ? `${welcome} ${DTMF_ANNOUNCEMENT}` : welcome;
}

/** The synthesis requests of a call's welcome message, to prepare while the phone rings. */
export function welcomeSpeechRequests(agent: AgentRuntimeConfig, variables: Record<string, string>): Omit<SynthesisRequest, 'signal'>[] {
  return splitIntoClauses(welcomeText(agent, variables)).map((clause) => speechRequest(agent, clause));
}

/** Words after which a pause is a breath: "I want it delivered on... Friday". */
function looksUnfinished(text: string): boolean {
  return /(,|\.\.\.|…|\b(and|but|or|so|because|if|then|the|a|an|to|on|at|my|I|I'm|um|uh|er|like))\s*$/i.test(text.trim());
}

function parseArguments(raw: string): Record<string, unknown> {
  if (!raw.trim()) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
