import { stat } from 'node:fs/promises';
import { CallListRepository, recogniseStatus, type CallListRow } from '@codcall/call-list';
import type { CampaignEvent } from '@codcall/campaign';
import { CampaignStore, type StoredOutcome } from '@codcall/campaign-store';
import type { CampaignRowsPage, CampaignRowView } from '@codcall/gateway-api';
import { maskPhone } from '@codcall/logging';
import type { CampaignFolder } from './campaign-folder';

/** One page of a campaign's rows, as GET /campaigns/:id/rows asks for it (checked by the edge). */
export interface CampaignRowsQuery {
  offset: number;
  limit: number;
  /** by_status names (`pending`: no status yet); none: every status. */
  statuses?: readonly string[];
  /** Part of the order id or the name, any case. */
  search?: string;
}

/** What a run has open: its call list (statuses live) and its store. */
export interface OpenCampaignFiles {
  repository?: CallListRepository;
  store?: CampaignStore;
}

/** The cells the service never writes, read once per campaign; the number masked at once. */
interface FixedRow {
  key: string;
  line: number;
  name: string;
  orderId: string;
  phone: string;
  /** Order id and name in lower case, for the search. */
  searchText: string;
}

/** The outcome cells as the file read when it was parsed: `status` as codcall reads it. */
interface ParsedCells {
  status: string;
  rescheduleDate: string;
  rescheduleTime: string;
}

/** What the store says of the rows it has touched, by row key. */
interface StoreOverlay {
  attempts: Map<string, number>;
  /** Rows whose outcome cells this campaign wrote, with that outcome (a done row's final one). */
  recordedOutcomes: Map<string, StoredOutcome>;
  /** The latest call placed for the row. */
  callIds: Map<string, string>;
}

/** How often a stopped campaign's file is looked at again at most. */
const REREAD_MS = 1000;
/** Campaigns whose rows are kept in memory at once (each is tens of megabytes at 100,000 rows). */
const KEPT_CAMPAIGNS = 4;

/**
 * A campaign's rows for its page in the dashboard: the fixed cells (name, order id, masked number,
 * line) read once, the statuses live from the run's call list while it runs (else from the file,
 * parsed again only once it changed, at most once a second), and attempts, call ids and the
 * outcome cells from the store, read once and then kept current by the run's events (reading a
 * 100,000-row store takes a second or more: it is read again only after a run ended).
 * Only one parse of the file is ever held: the run's own while it runs, else one of its own.
 */
export class CampaignRowsView {
  private fixed?: FixedRow[];
  private parsed?: { cells: ParsedCells[]; fileKey: string; checkedAt: number };
  private parsing?: Promise<void>;
  private overlay?: StoreOverlay;

  constructor(
    private readonly folder: CampaignFolder,
    private readonly campaignId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** What a run event says of a row, as the store has it now too. */
  apply(event: CampaignEvent): void {
    const overlay = this.overlay;
    if (!overlay) return; // read whole when first asked for
    switch (event.type) {
      case 'row-started':
        overlay.attempts.set(event.row.key, Math.max(event.attempt, overlay.attempts.get(event.row.key) ?? 0));
        break;
      case 'call-placed':
      case 'call-resumed':
        overlay.callIds.set(event.row.key, event.callId);
        break;
      case 'retry-scheduled':
        // A callback is written to the CSV at once; a retry leaves the row's cells as they were.
        if (event.outcome.status === 'callback_requested') overlay.recordedOutcomes.set(event.row.key, event.outcome);
        break;
      case 'row-finished':
        overlay.recordedOutcomes.set(event.row.key, event.outcome);
        if (event.attempts) overlay.attempts.set(event.row.key, event.attempts);
        if (event.callId) overlay.callIds.set(event.row.key, event.callId);
        break;
    }
  }

  /** The run ended: what it left in the store is read whole when next asked (an attempt taken back has no event). */
  runEnded(): void {
    this.overlay = undefined;
  }

  async page(open: OpenCampaignFiles | undefined, query: CampaignRowsQuery): Promise<CampaignRowsPage> {
    const repository = open?.repository;
    let live: readonly CallListRow[] | undefined;
    if (repository) {
      live = repository.rows();
      this.fixed ??= live.map(fixedRow);
      this.parsed = undefined; // the run's parse is the one kept meanwhile
    } else await this.readFile();
    const fixed = this.fixed!;
    const cells = (index: number): ParsedCells => (live ? cellsOf(live[index]) : this.parsed!.cells[index]);
    const statusOf = (index: number): string => statusName(live ? live[index].status : this.parsed!.cells[index].status);
    const store = this.storeOverlay(open?.store);

    const wanted = query.statuses?.length ? new Set(query.statuses) : undefined;
    const search = query.search ? searchable(query.search) : '';
    const end = query.offset + query.limit;
    const chosen: number[] = [];
    let matching = 0;
    for (let index = 0; index < fixed.length; index++) {
      if (search && !fixed[index].searchText.includes(search)) continue;
      if (wanted && !wanted.has(statusOf(index))) continue;
      if (matching >= query.offset && matching < end) chosen.push(index);
      matching++;
    }
    const rows = chosen.map((index): CampaignRowView => {
      const row = fixed[index];
      const status = statusOf(index);
      const callId = store.callIds.get(row.key);
      const { date, time } = rescheduleCells(cells(index), live ? live[index].status : undefined, store.recordedOutcomes.get(row.key));
      return {
        line: row.line,
        name: row.name,
        phone: row.phone,
        order_id: row.orderId,
        status,
        reschedule_date: date,
        reschedule_time: time,
        attempts: store.attempts.get(row.key) ?? 0,
        ...(callId ? { call_id: callId } : {}),
      };
    });
    return { total: fixed.length, matching, offset: query.offset, limit: query.limit, rows };
  }

  /** The file as it now reads, parsed again only when it changed since, and not more than once a second. */
  private async readFile(): Promise<void> {
    if (this.parsed && this.now() - this.parsed.checkedAt < REREAD_MS) return;
    if (!this.parsing) {
      this.parsing = this.parseIfChanged().finally(() => (this.parsing = undefined));
    }
    await this.parsing;
  }

  private async parseIfChanged(): Promise<void> {
    const { size, mtimeMs } = await stat(this.folder.callList);
    const fileKey = `${size} ${mtimeMs}`;
    if (this.parsed?.fileKey === fileKey) {
      this.parsed.checkedAt = this.now();
      return;
    }
    this.parsed = undefined; // let go before the new one is read: one parse held at a time
    const repository = await CallListRepository.open(this.folder.callList, { readOnly: true });
    try {
      const rows = repository.rows();
      this.fixed ??= rows.map(fixedRow);
      // A status replayed from a journal (a run cut short) is shown; its row's other cells are not yet written.
      const cells = rows.map((row) => {
        const read = cellsOf(row);
        return read.status === row.status ? read : { status: row.status, rescheduleDate: '', rescheduleTime: '' };
      });
      this.parsed = { cells, fileKey, checkedAt: this.now() };
    } finally {
      await repository.close();
    }
  }

  private storeOverlay(runStore: CampaignStore | undefined): StoreOverlay {
    if (this.overlay) return this.overlay;
    const store = runStore ?? CampaignStore.openForReading(this.folder.store, { key: this.campaignId });
    try {
      const overlay: StoreOverlay = { attempts: new Map(), recordedOutcomes: new Map(), callIds: new Map() };
      for (const row of store?.rows().values() ?? []) {
        overlay.attempts.set(row.rowKey, row.attempts);
        if (row.state === 'done' && row.finalOutcome) overlay.recordedOutcomes.set(row.rowKey, row.finalOutcome);
        else if (row.lastOutcome?.status === 'callback_requested') overlay.recordedOutcomes.set(row.rowKey, row.lastOutcome);
      }
      // Oldest first: the last attempt that reached the gateway is the one kept.
      for (const attempt of store?.attempts() ?? []) if (attempt.callId) overlay.callIds.set(attempt.rowKey, attempt.callId);
      this.overlay = overlay;
      return overlay;
    } finally {
      if (!runStore) store?.close();
    }
  }
}

/** The rows of the few campaigns last asked for; the others' are let go. */
export class CampaignRowsCache {
  private readonly views = new Map<string, CampaignRowsView>();

  of(campaignId: string, folder: CampaignFolder): CampaignRowsView {
    let view = this.views.get(campaignId);
    if (view) this.views.delete(campaignId);
    else view = new CampaignRowsView(folder, campaignId);
    this.views.set(campaignId, view);
    for (const oldest of this.views.keys()) {
      if (this.views.size <= KEPT_CAMPAIGNS) break;
      this.views.delete(oldest);
    }
    return view;
  }

  apply(campaignId: string, event: CampaignEvent): void {
    this.views.get(campaignId)?.apply(event);
  }

  runEnded(campaignId: string): void {
    this.views.get(campaignId)?.runEnded();
  }
}

function fixedRow(row: CallListRow): FixedRow {
  const name = row.values['name'] ?? '';
  const orderId = row.values['order_id'] ?? '';
  return { key: row.key, line: row.line, name, orderId, phone: maskPhone(row.values['recipient_phone_number']), searchText: searchable(`${orderId}\n${name}`) };
}

function cellsOf(row: CallListRow): ParsedCells {
  const cell = row.values['status'] ?? '';
  return { status: recogniseStatus(cell).status ?? cell.trim(), rescheduleDate: row.values['reschedule_date'] ?? '', rescheduleTime: row.values['reschedule_time'] ?? '' };
}

/** As CampaignView.by_status names a status: lower case, and `pending` for none yet. */
function statusName(status: string): string {
  return status.trim().toLowerCase() || 'pending';
}

function searchable(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/**
 * The reschedule cells the CSV shows: from the outcome the campaign wrote to the row (a rescheduled
 * one has them, any other status empties them, as the call list writes them); a row whose status
 * the run changed otherwise has them emptied too; else the file's.
 */
function rescheduleCells(parsed: ParsedCells, liveStatus: string | undefined, recorded: StoredOutcome | undefined): { date: string; time: string } {
  if (recorded) {
    const rescheduled = recorded.status === 'rescheduled';
    return { date: rescheduled ? (recorded.reschedule_date ?? '') : '', time: rescheduled ? (recorded.reschedule_time ?? '') : '' };
  }
  if (liveStatus !== undefined && liveStatus !== parsed.status) return { date: '', time: '' };
  return { date: parsed.rescheduleDate, time: parsed.rescheduleTime };
}
