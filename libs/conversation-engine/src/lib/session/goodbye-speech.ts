import { renderTemplate, type AgentRuntimeConfig } from '@codcall/agent-config';
import type { GoodbyeKey } from '@codcall/languages';
import { PreparedSpeech } from '../greeting-cache';
import type { SynthesisRequest, Synthesizer } from '../providers';
import type { Decision } from './conversation-result';
import { spokenOutcomeVariables } from './spoken-outcome';
import { callLanguage, speechRequest, splitIntoClauses } from './spoken-text';

/** A synthesiser that can synthesise a phrase ahead of its use (PreparedSpeech). */
interface PreparingSynthesizer extends Synthesizer {
  prepare(request: Omit<SynthesisRequest, 'signal'>): void;
  /** Whether the phrase's audio is (being) prepared; without it, a prepare() call counts. */
  isPrepared?(request: Omit<SynthesisRequest, 'signal'>): boolean;
}

/** A goodbye that names the outcome's day or time cannot be prepared before the outcome is known. */
const OUTCOME_PLACEHOLDER = /\{\{?\s*(reschedule_date|reschedule_time|callback_time)\s*\}?\}/;

/**
 * The agent's configured goodbyes for one call, with the row's variables filled in. Through the
 * gateway's shared PreparedSpeech a goodbye without row variables is synthesised once per process
 * for all calls; otherwise a small cache of this call's own holds them (bounded: a handful of
 * short phrases, dropped with the session).
 */
export class GoodbyeSpeech {
  readonly synthesizer: PreparingSynthesizer;
  private readonly prepared = new Set<string>();

  /** `variables`: the row as the agent says it; `timezone`: the callee's, for a callback's time. */
  constructor(
    private readonly agent: AgentRuntimeConfig,
    private readonly variables: Record<string, string>,
    synthesizer: Synthesizer,
    private readonly timezone: string,
  ) {
    this.synthesizer = isPreparing(synthesizer) ? synthesizer : new PreparedSpeech(synthesizer, { maxEntries: 16, maxConcurrent: 2, maxQueued: 16 });
  }

  /** The words for an outcome, or '' when the agent says nothing (a callee who hung up). */
  textFor(decision: Decision): string {
    if (decision.outcome === 'callee_hung_up') return '';
    const template = this.templateFor(decision.outcome);
    return renderTemplate(template, { ...this.variables, ...spokenOutcomeVariables(decision, callLanguage(this.agent), this.timezone) }).trim();
  }

  /**
   * Starts synthesising the goodbyes the call's outcome tools can end it with, so the callee hears
   * one the moment a tool-only answer arrives; one that names the outcome's day or time waits until
   * it is known. Timers' goodbyes (no_response, max_duration, failed) are not prepared: nobody is
   * waiting on a model then, and most calls never need them.
   */
  prepareAll(outcomes: readonly GoodbyeKey[]): void {
    for (const outcome of outcomes) {
      if (OUTCOME_PLACEHOLDER.test(this.templateFor(outcome))) continue;
      this.prepare(this.textFor({ outcome }));
    }
  }

  /** A transfer is announced with the agent's transfer message; every other outcome has its goodbye. */
  private templateFor(outcome: GoodbyeKey): string {
    if (outcome === 'transferred') return this.agent.transferMessage || this.agent.goodbyeMessages.transferred || '';
    return this.agent.goodbyeMessages[outcome] ?? '';
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
