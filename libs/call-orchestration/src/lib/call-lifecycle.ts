import type { CallState } from './call-record';

/**
 * One call's lifecycle, in order. A call only moves forward (it may skip phases: a busy line goes
 * from ringing to ending), and it is settled exactly once.
 *
 * - queued: the dial is asked for (and stored before the carrier is asked); the carrier may have
 *   queued it, but has not said the phone rings.
 * - ringing: the carrier says the phone rings.
 * - answered: someone (or something) picked up, or the carrier fetched the answer document.
 * - streaming: the media stream started with a valid token; a conversation runs.
 * - ending: the outcome is decided; the line is being hung up and the call persisted.
 * - settled: the outcome is recorded and persisted; waiters are told.
 */
export const CALL_PHASES = ['queued', 'ringing', 'answered', 'streaming', 'ending', 'settled'] as const;
export type CallPhase = (typeof CALL_PHASES)[number];

const RANK: Record<CallPhase, number> = Object.fromEntries(CALL_PHASES.map((phase, i) => [phase, i])) as Record<CallPhase, number>;

/** True when `to` comes after `from`: the only moves a call makes. */
export function isForward(from: CallPhase, to: CallPhase): boolean {
  return RANK[to] > RANK[from];
}

/** The call's phase is at `phase` or past it. */
export function reached(current: CallPhase, phase: CallPhase): boolean {
  return RANK[current] >= RANK[phase];
}

/** What clients see: they tell a call in progress from one that is over, not the gateway's inner steps. */
export function publicState(phase: CallPhase): CallState {
  switch (phase) {
    case 'queued':
    case 'ringing':
      return phase;
    case 'answered':
    case 'streaming':
    case 'ending':
      return 'in_progress';
    case 'settled':
      return 'completed';
  }
}

export function isCallPhase(value: unknown): value is CallPhase {
  return typeof value === 'string' && (CALL_PHASES as readonly string[]).includes(value);
}
