import { renderTemplate, type AgentRuntimeConfig, type GoodbyeOutcome } from '@codcall/agent-config';
import { PreparedSpeech } from '../greeting-cache';
import type { SynthesisRequest, Synthesizer } from '../providers';
import type { Decision } from './conversation-result';
import { speechRequest, splitIntoClauses } from './spoken-text';

/** A synthesiser that can synthesise a phrase ahead of its use (PreparedSpeech). */
interface PreparingSynthesizer extends Synthesizer {
  prepare(request: Omit<SynthesisRequest, 'signal'>): void;
  /** Whether the phrase's audio is (being) prepared; without it, a prepare() call counts. */
  isPrepared?(request: Omit<SynthesisRequest, 'signal'>): boolean;
}

/**
 * The goodbyes an outcome tool can end the call with when the model wrote none: prepared while
 * the call goes on, so the callee hears the goodbye the moment the tool call arrives. Timers'
 * goodbyes (no_response, max_duration, failed) are not prepared: nobody is waiting on a model
 * then, and most calls never need them.
 */
const PREPARED_OUTCOMES: GoodbyeOutcome[] = ['confirmed', 'cancelled', 'wrong_person', 'do_not_call', 'ended_without_outcome', 'rescheduled'];

/**
 * The agent's configured goodbyes for one call, with the row's variables filled in. Through the
 * gateway's shared PreparedSpeech a goodbye without row variables is synthesised once per process
 * for all calls; otherwise a small cache of this call's own holds them (bounded: a handful of
 * short phrases, dropped with the session).
 */
export class GoodbyeSpeech {
  readonly synthesizer: PreparingSynthesizer;
  private readonly prepared = new Set<string>();

  constructor(
    private readonly agent: AgentRuntimeConfig,
    private readonly variables: Record<string, string>,
    synthesizer: Synthesizer,
  ) {
    this.synthesizer = isPreparing(synthesizer) ? synthesizer : new PreparedSpeech(synthesizer, { maxEntries: 16, maxConcurrent: 2, maxQueued: 16 });
  }

  /** The words for an outcome, or '' when the agent says nothing (a callee who hung up). */
  textFor(decision: Decision): string {
    if (decision.outcome === 'callee_hung_up') return '';
    const template = this.agent.goodbyeMessages[decision.outcome] ?? '';
    return renderTemplate(template, { ...this.variables, reschedule_date: decision.rescheduleDate ?? '', reschedule_time: decision.rescheduleTime ?? '' }).trim();
  }

  /** Starts synthesising the outcome tools' goodbyes; one that needs the new delivery date waits until it is known. */
  prepareAll(): void {
    for (const outcome of PREPARED_OUTCOMES) {
      const template = this.agent.goodbyeMessages[outcome] ?? '';
      if (/\{\{?\s*reschedule_(date|time)\s*\}?\}/.test(template)) continue;
      this.prepare(this.textFor({ outcome }));
    }
  }

  /**
   * Whether this text's audio was prepared ahead (no synthesis request of its own when spoken). A
   * busy cache may have queued or dropped a preparation: then it is synthesised now, and says so.
   */
  isPrepared(text: string): boolean {
    if (!this.prepared.has(text)) return false;
    const { synthesizer } = this;
    return !synthesizer.isPrepared || splitIntoClauses(text).every((clause) => synthesizer.isPrepared!(speechRequest(this.agent, clause)));
  }

  private prepare(text: string): void {
    if (!text || this.prepared.has(text)) return;
    this.prepared.add(text);
    for (const clause of splitIntoClauses(text)) this.synthesizer.prepare(speechRequest(this.agent, clause));
  }
}

function isPreparing(synthesizer: Synthesizer): synthesizer is PreparingSynthesizer {
  return typeof (synthesizer as Partial<PreparingSynthesizer>).prepare === 'function';
}
