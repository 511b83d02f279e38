import type { SessionClock } from './clock';
import { SessionTimers } from './clock';

export interface SilenceWatchOptions {
  repromptAfterSeconds: number;
  hangupAfterSilenceSeconds: number;
  /** The callee has been silent too long once: check they are still there. */
  onReprompt: () => void;
  /** The callee stayed silent for `hangupAfterSilenceSeconds`. */
  onGiveUp: () => void;
}

/**
 * Counts the callee's silence while the agent waits for them: one reprompt, then giving up. The
 * silence is counted from when the agent first began waiting, across a reprompt, so a reprompt
 * does not restart the count; the callee's speech (or their turn) does.
 */
export class SilenceWatch {
  private silentSince?: number;
  private reprompted = false;
  private readonly timers: SessionTimers;

  constructor(
    private readonly clock: SessionClock,
    private readonly options: SilenceWatchOptions,
  ) {
    this.timers = new SessionTimers(clock);
  }

  /** The agent is waiting for the callee. */
  start(): void {
    const { repromptAfterSeconds, hangupAfterSilenceSeconds } = this.options;
    this.silentSince ??= this.clock.now();
    const silentFor = this.clock.now() - this.silentSince;
    this.timers.set('give-up', hangupAfterSilenceSeconds * 1000 - silentFor, () => this.options.onGiveUp());
    if (!this.reprompted) {
      this.timers.set('reprompt', repromptAfterSeconds * 1000 - silentFor, () => {
        this.reprompted = true;
        // The reprompt is speech: the watch starts again once it has been played.
        this.timers.clear('give-up');
        this.options.onReprompt();
      });
    }
  }

  /** The callee spoke, or the agent is busy: no silence is being counted. */
  stop(): void {
    this.silentSince = undefined;
    this.timers.clearAll();
  }

  /** The callee took a turn: the next silence may be reprompted again. */
  calleeTookTurn(): void {
    this.stop();
    this.reprompted = false;
  }
}
