import type { WaitReason } from './campaign-events';
import type { PlannedRow } from './campaign-plan';
import { windowOpening, type CallingWindow } from './calling-window';
import { MinHeap } from './min-heap';

/**
 * The rows a campaign has left to dial, in the order it dials them: due rows in file order, rows
 * whose number is on a call at the moment (taken first once it is free), and rows waiting for a
 * time (a retry's spacing or their calling window), earliest first. A row whose window turns out
 * never to open in all its zones (a retry that crosses a clock change) is set aside for the
 * campaign to record as outside its window.
 */
export class RowQueue {
  /** Due rows in order; `cursor` is the next one not yet taken. */
  private ready: PlannedRow[] = [];
  private cursor = 0;
  /** Rows passed over because their number was on a call at the time. */
  private readonly blocked: PlannedRow[] = [];
  private readonly later = new MinHeap<PlannedRow>((a, b) => a.dueAt - b.dueAt);
  private readonly laterReason = new Map<PlannedRow, WaitReason>();
  private readonly windowCache = new Map<string, { from: number; until: number; open: boolean }>();
  private outside: PlannedRow[] = [];
  /** Rows given a later time since the last takeNewlyLater, when asked to note them. */
  private newlyLater: PlannedRow[] = [];

  /** `noteLater`: keep the rows given a later time for takeNewlyLater (their dials are added ahead of time). */
  constructor(
    private readonly callingWindow: CallingWindow | undefined,
    private readonly options: { noteLater?: boolean } = {},
  ) {}

  /** Rows still to dial or waiting, blocked ones included. */
  get size(): number {
    return this.later.size + this.ready.length - this.cursor + this.blocked.length + this.outside.length;
  }

  /** Rows found since the last call to be outside their window for good (in this run). */
  takeOutsideWindow(): PlannedRow[] {
    const rows = this.outside;
    this.outside = [];
    return rows;
  }

  get blockedCount(): number {
    return this.blocked.length;
  }

  /** The row waiting for a time that is due first, and why it waits. */
  nextLater(): { entry: PlannedRow; reason: WaitReason; waiting: number } | undefined {
    const entry = this.later.peek();
    return entry && { entry, reason: this.laterReason.get(entry) ?? 'retry', waiting: this.later.size };
  }

  pushReady(entries: readonly PlannedRow[]): void {
    this.ready.push(...entries);
  }

  pushLater(entry: PlannedRow, reason: WaitReason): void {
    this.laterReason.set(entry, reason);
    this.later.push(entry);
    if (this.options.noteLater) this.newlyLater.push(entry);
  }

  /** The rows given a later time (a retry, a callback, a window to open) since the last call, with `noteLater`. */
  takeNewlyLater(): PlannedRow[] {
    const rows = this.newlyLater;
    this.newlyLater = [];
    return rows;
  }

  /**
   * When the row's next dial may be made if nothing else holds it: its due time (or `from`), or its
   * window's next opening after it, and until when (the window's end); undefined if the window never opens.
   */
  dialTimeFor(entry: PlannedRow, from = entry.dueAt): { at: number; notAfter?: number } | undefined {
    const window = this.callingWindow;
    if (!window || entry.zones.length === 0) return { at: from };
    const state = windowOpening(window, entry.zones, from);
    if (!state) return undefined;
    if (state.open) return { at: from, notAfter: state.until };
    const opened = windowOpening(window, entry.zones, state.opensAt);
    return opened?.open ? { at: state.opensAt, notAfter: opened.until } : undefined;
  }

  /** Moves the rows whose time has come to the due rows. */
  promoteDue(now: number): void {
    while (this.later.size && this.later.peek()!.dueAt <= now) {
      const entry = this.later.pop()!;
      this.laterReason.delete(entry);
      this.ready.push(entry);
    }
    // Keep the array from growing without end in a long campaign.
    if (this.cursor > 4096 && this.cursor * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.cursor);
      this.cursor = 0;
    }
  }

  hasReadyRow(numbersInFlight: ReadonlySet<string>): boolean {
    return this.cursor < this.ready.length || this.blocked.some((entry) => !numbersInFlight.has(entry.e164));
  }

  /** The next due row whose number is free and whose window is open; closed-window rows move to `later`. */
  takeNext(now: number, numbersInFlight: ReadonlySet<string>): PlannedRow | undefined {
    const usable = (entry: PlannedRow): boolean => {
      const opensAt = this.opensAt(entry, now);
      if (opensAt === undefined) {
        this.outside.push(entry);
        return false;
      }
      if (opensAt <= now) return true;
      entry.dueAt = opensAt;
      this.pushLater(entry, 'calling window');
      return false;
    };
    for (let i = 0; i < this.blocked.length; i++) {
      const entry = this.blocked[i];
      if (numbersInFlight.has(entry.e164)) continue;
      this.blocked.splice(i--, 1);
      if (usable(entry)) return entry;
    }
    while (this.cursor < this.ready.length) {
      const entry = this.ready[this.cursor++];
      if (numbersInFlight.has(entry.e164)) {
        this.blocked.push(entry);
        continue;
      }
      if (usable(entry)) return entry;
    }
    return undefined;
  }

  /** When the row's calling window is next open (now if it is; undefined if never). Cached per set of zones while the answer holds. */
  private opensAt(entry: PlannedRow, now: number): number | undefined {
    const window = this.callingWindow;
    if (!window || entry.zones.length === 0) return now;
    const key = entry.zones.join(' ');
    const cached = this.windowCache.get(key);
    if (cached && now >= cached.from && now < cached.until) return cached.open ? now : cached.until;
    const state = windowOpening(window, entry.zones, now);
    if (!state) return undefined;
    this.windowCache.set(key, state.open ? { from: now, until: state.until, open: true } : { from: now, until: state.opensAt, open: false });
    return state.open ? now : state.opensAt;
  }
}
