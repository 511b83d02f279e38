import { CampaignOptionsError } from './errors';

export const DEFAULT_CALLS_PER_SECOND = 1;

/**
 * Calls started per second, across the whole campaign: starts are spaced at least 1/cps apart
 * (a carrier's CPS limit is a rate, and Twilio starts accounts at 1). `Infinity` for no limit.
 */
export class CallPacer {
  private readonly spacingMs: number;
  private lastStart = -Infinity;

  constructor(callsPerSecond: number) {
    if (!(callsPerSecond > 0)) throw new CampaignOptionsError(`calls per second must be above 0, got ${callsPerSecond}`);
    this.spacingMs = 1000 / callsPerSecond;
  }

  /** The earliest time a call may start, given it is `now`. */
  nextStartAt(now: number): number {
    return Math.max(now, this.lastStart + this.spacingMs);
  }

  /** A call starts at `now` (call only when nextStartAt(now) <= now). */
  take(now: number): void {
    this.lastStart = now;
  }
}
