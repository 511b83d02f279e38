import { checkPhone, findDuplicateRows, recogniseStatus, type CallListRow, type Outcome } from '@codcall/call-list';
import type { CampaignCallList } from '@codcall/campaign';

export interface FakeRow {
  name?: string;
  phone: string;
  order_id: string;
  status?: string;
  [column: string]: string | undefined;
}

/**
 * A call list held in memory with the repository's shape (numbers checked and statuses read the
 * same way); records outcomes into `recorded`.
 */
export class InMemoryCallList implements CampaignCallList {
  readonly recorded: { key: string; outcome: Outcome }[] = [];
  flushes = 0;
  /** When set, record() fails with this error (a CSV that cannot be written). */
  failRecordWith?: Error;
  private readonly list: CallListRow[];

  constructor(rows: FakeRow[]) {
    this.list = rows.map((row, index) => {
      const { phone, status = '', ...rest } = row;
      const values: Record<string, string> = { name: row.name ?? `Customer ${index + 1}`, recipient_phone_number: phone, status, reschedule_date: '', reschedule_time: '' };
      for (const [column, value] of Object.entries(rest)) if (value !== undefined) values[column] = value;
      const recognised = recogniseStatus(status);
      return { key: String(index), index, line: index + 2, values, phone: checkPhone(phone), status: recognised.status ?? status.trim(), statusKind: recognised.kind };
    });
  }

  rows(): readonly CallListRow[] {
    return this.list;
  }

  pendingRows(): CallListRow[] {
    return this.list.filter((row) => row.statusKind === 'pending');
  }

  unknownStatusRows(): CallListRow[] {
    return this.list.filter((row) => row.statusKind === 'unknown');
  }

  duplicateGroups(): CallListRow[][] {
    return findDuplicateRows(this.list);
  }

  async record(key: string, outcome: Outcome): Promise<void> {
    await Promise.resolve();
    if (this.failRecordWith) throw this.failRecordWith;
    const row = this.list.find((r) => r.key === key);
    if (!row) throw new Error(`no row ${key}`);
    this.recorded.push({ key, outcome });
    row.status = outcome.status;
    row.statusKind = recogniseStatus(outcome.status).kind;
    row.values['status'] = outcome.status;
    row.values['reschedule_date'] = outcome.reschedule_date ?? '';
    row.values['reschedule_time'] = outcome.reschedule_time ?? '';
  }

  async flush(): Promise<void> {
    this.flushes++;
  }

  /** The status of the row for `orderId`, as codcall reads it. */
  statusOf(orderId: string): string {
    const row = this.list.find((r) => r.values['order_id'] === orderId);
    if (!row) throw new Error(`no order ${orderId}`);
    return row.status;
  }

  outcomeOf(orderId: string): Outcome | undefined {
    const row = this.list.find((r) => r.values['order_id'] === orderId);
    return this.recorded.find((entry) => entry.key === row?.key)?.outcome;
  }

  /** Every outcome recorded for the rows of `orderId` (duplicates have one each). */
  outcomesOf(orderId: string): Outcome[] {
    const keys = new Set(this.list.filter((r) => r.values['order_id'] === orderId).map((r) => r.key));
    return this.recorded.filter((entry) => keys.has(entry.key)).map((entry) => entry.outcome);
  }
}
