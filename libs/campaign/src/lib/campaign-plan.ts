import type { CallListRow } from '@codcall/call-list';
import type { Attempt, RowAfterAttempt, StoredRow } from '@codcall/campaign-store';
import { isAlwaysOpen, neverOpenReason, windowOpening, type CallingWindow } from './calling-window';
import type { CallOutcome } from './gateway-client';
import type { RowZones } from './recipient-zone-lookup';
import { isRetried, rowAfterAttempt, type RetryPolicy } from './retry-policy';

/** A row the campaign still has to call (or to finish asking about). */
export interface PlannedRow {
  row: CallListRow;
  /** Later rows that are the same order to the same number: called with `row`, and given its outcome. */
  duplicates: CallListRow[];
  e164: string;
  /** The zones whose calling window the row waits for; none when there is no window or it is always open. */
  zones: readonly string[];
  /** Where the zones came from, for the reason given if the window turns out never to open for them. */
  zoneSource?: string;
  /** Attempts started before this one. */
  attempts: number;
  dueAt: number;
  /** An attempt an earlier run left open: a call it placed and never saw end, or (callId unknown) a dial in doubt to re-send with its key. */
  resume?: { attemptId: number; attemptNo: number; ref: string; callId?: string };
}

/** A row whose outcome is known without a call: an invalid number, the do-not-call list, or what the store already says. */
export interface SettledRow {
  row: CallListRow;
  duplicates: CallListRow[];
  outcome: CallOutcome;
  e164?: string;
  /** The store already has the row done: only the CSV is behind. */
  fromStore: boolean;
}

/** A dial an earlier run began and never heard back about, with no way to ask: counted as a failed attempt. */
export interface InterruptedAttempt {
  attemptId: number;
  row: CallListRow;
  duplicates: CallListRow[];
  attemptNo: number;
  outcome: CallOutcome;
  after: RowAfterAttempt;
}

/**
 * A row not dialled because the run's calling window never opens in its zones, or its zone cannot
 * be known: recorded as outside_window in the CSV only (not final, and nothing in the store), so a
 * later run with another window or a timezone cell calls it as it would have been called.
 */
export interface OutsideWindowRow {
  row: CallListRow;
  duplicates: CallListRow[];
  e164: string;
  reason: string;
}

export interface CampaignPlan {
  /** Rows settled without a call: written to the store (unless `fromStore`) and to the CSV. */
  settled: SettledRow[];
  outsideWindow: OutsideWindowRow[];
  /** Calls placed by an earlier run: asked after, never dialled. */
  resume: PlannedRow[];
  /** Due now, in order: dials in doubt re-sent with their key first, then the rest in file order. */
  ready: PlannedRow[];
  /** Waiting for a retry's spacing. */
  later: PlannedRow[];
  /** Attempts to finish in the store as failed before anything else. */
  interrupted: InterruptedAttempt[];
}

export interface PlanInput {
  /** The rows this run processes, in file order. */
  rows: readonly CallListRow[];
  /** Groups of those rows that are the same order to the same number. */
  duplicateGroups: readonly (readonly CallListRow[])[];
  stored: ReadonlyMap<string, StoredRow>;
  openAttempts: readonly Attempt[];
  isDoNotCall: (e164: string) => boolean;
  policy: RetryPolicy;
  now: number;
  idempotentDials: boolean;
  callingWindow?: CallingWindow;
  /** Each row's zones by row key (RecipientZoneLookup), resolved before planning; read only with a calling window. */
  zones: ReadonlyMap<string, RowZones>;
}

/**
 * What the CSV and the store say is left to do, decided without doing any of it (no I/O, no
 * writes): the campaign applies the plan (interrupted attempts finished in the store first, then
 * the rows settled without a call and those outside their window, then the dials). A duplicate
 * group is planned as its first row, carrying the others.
 */
export function planCampaign(input: PlanInput): CampaignPlan {
  const { stored, policy, now } = input;
  const open = new Map<string, Attempt>(input.openAttempts.map((attempt) => [attempt.rowKey, attempt]));
  const duplicatesOf = new Map<string, CallListRow[]>();
  const taken = new Set<string>();
  for (const [first, ...others] of input.duplicateGroups) {
    duplicatesOf.set(first.key, others);
    for (const other of others) taken.add(other.key);
  }
  const plan: CampaignPlan = { settled: [], outsideWindow: [], resume: [], ready: [], later: [], interrupted: [] };
  const redial: PlannedRow[] = [];
  const neverOpen = new Map<string, boolean>();

  for (const row of input.rows) {
    if (taken.has(row.key)) continue;
    const duplicates = duplicatesOf.get(row.key) ?? [];
    const previous = stored.get(row.key);
    if (previous?.state === 'done' && previous.finalOutcome) {
      // Done in the store but not yet in the CSV: a crash came between the two writes.
      plan.settled.push({ row, duplicates, outcome: previous.finalOutcome as CallOutcome, fromStore: true });
      continue;
    }
    if (!row.phone.ok) {
      plan.settled.push({ row, duplicates, outcome: { status: 'invalid_number', reason: row.phone.reason }, fromStore: false });
      continue;
    }
    const e164 = row.phone.e164;
    const openAttempt = open.get(row.key);
    const last = previous?.lastOutcome;
    if (!openAttempt && previous?.state === 'waiting' && last && (previous.attempts >= policy.maxAttempts || !isRetried(policy, last.status))) {
      // Waiting for a retry the policy of this run no longer makes: its last outcome is final.
      plan.settled.push({ row, duplicates, outcome: last as CallOutcome, e164, fromStore: false });
      continue;
    }
    if (!openAttempt && input.isDoNotCall(e164)) {
      plan.settled.push({ row, duplicates, outcome: { status: 'do_not_call', reason: 'on the do-not-call list' }, e164, fromStore: false });
      continue;
    }
    const where = zonesOf(row, input);
    const entry: PlannedRow = {
      row, duplicates, e164, zones: where.ok ? where.zones : [], zoneSource: where.ok ? where.source : undefined,
      attempts: previous?.attempts ?? 0, dueAt: previous?.nextDueAt ?? callbackTimeInCsv(row) ?? now,
    };
    if (openAttempt?.state === 'placed' && openAttempt.callId) {
      // Asked after whatever the window: the call was placed, and only its outcome is missing.
      entry.resume = { attemptId: openAttempt.id, attemptNo: openAttempt.attemptNo, ref: openAttempt.ref, callId: openAttempt.callId };
      entry.attempts = openAttempt.attemptNo - 1;
      plan.resume.push(entry);
      continue;
    }
    const outside = outsideWindow(where, entry, input, neverOpen);
    if (outside !== undefined) {
      // Before an interrupted attempt is counted failed: the dial in doubt stays open for the run that can call.
      plan.outsideWindow.push({ row, duplicates, e164, reason: outside });
      continue;
    }
    if (openAttempt && input.idempotentDials) {
      // Re-sent first, with the same key: the gateway answers with the call if the first one arrived.
      entry.resume = { attemptId: openAttempt.id, attemptNo: openAttempt.attemptNo, ref: openAttempt.ref };
      entry.attempts = openAttempt.attemptNo - 1;
      redial.push(entry);
      continue;
    }
    if (openAttempt) {
      // Written before a dial whose answer never came back: the gateway may or may not have
      // placed the call, and without a call id it cannot be asked. Counted as a failed attempt,
      // so the retry policy (and its spacing) decides, never an immediate second dial.
      const outcome: CallOutcome = { status: 'failed', reason: 'the run stopped while dialling; the gateway may have placed this call' };
      const after = rowAfterAttempt(policy, outcome.status, openAttempt.attemptNo, now);
      plan.interrupted.push({ attemptId: openAttempt.id, row, duplicates, attemptNo: openAttempt.attemptNo, outcome, after });
      entry.attempts = openAttempt.attemptNo;
      if (after.state === 'done') {
        plan.settled.push({ row, duplicates, outcome, e164, fromStore: true });
        continue;
      }
      entry.dueAt = after.nextDueAt;
    }
    (entry.dueAt <= now ? plan.ready : plan.later).push(entry);
  }
  plan.ready.unshift(...redial);
  return plan;
}

/**
 * A row the CSV says asked for a callback, which the store does not know (another store, or a
 * new campaign name): it waits for the `callback_at` cell's time, if the file has one that reads as a moment.
 */
function callbackTimeInCsv(row: CallListRow): number | undefined {
  if (row.status !== 'callback_requested') return undefined;
  const at = Date.parse(row.values['callback_at'] ?? '');
  return Number.isFinite(at) ? at : undefined;
}

/** The zones whose calling window the row waits for: none without a window, or with one open all day every day. */
function zonesOf(row: CallListRow, input: PlanInput): { ok: true; zones: readonly string[]; source?: string } | { ok: false; reason: string } {
  if (!input.callingWindow || isAlwaysOpen(input.callingWindow)) return { ok: true, zones: [] };
  const found = input.zones.get(row.key);
  if (!found) throw new Error(`line ${row.line}: its zones were not looked up before planning`); // a bug, not a row's fault
  if (!found.ok) return { ok: false, reason: `its calling window cannot be known: ${found.reason}` };
  const source = found.source === 'country' || found.source === 'calling code' ? `${found.source} ${found.country}` : found.source === 'fallback' ? 'fallback zone (its country is unknown)' : found.source;
  return { ok: true, zones: found.zones, source };
}

/** Why the row cannot be called in this run's window, if it cannot: its zone unknown, or a window never open in all its zones. */
function outsideWindow(where: ReturnType<typeof zonesOf>, entry: PlannedRow, input: PlanInput, neverOpen: Map<string, boolean>): string | undefined {
  if (!where.ok) return where.reason;
  const window = input.callingWindow;
  if (!window || !entry.zones.length) return undefined;
  const key = entry.zones.join(' ');
  let never = neverOpen.get(key);
  if (never === undefined) neverOpen.set(key, (never = windowOpening(window, entry.zones, input.now) === undefined));
  return never ? outsideWindowReason(window, entry) : undefined;
}

/** Names the window, the zones and where they came from, and what makes a later run call the row. */
export function outsideWindowReason(window: CallingWindow, entry: Pick<PlannedRow, 'zones' | 'zoneSource'>): string {
  const from = entry.zoneSource ? ` (by its ${entry.zoneSource})` : '';
  return `${neverOpenReason(window, entry.zones)}${from}; a timezone cell or a window open in all of them calls it`;
}
