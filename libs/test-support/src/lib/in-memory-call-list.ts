import { isFinalStatus, type CallListRow, type Outcome } from '@codcall/call-list';
import type { CampaignCallList } from '@codcall/campaign';

const E164 = /^\+[1-9]\d{7,14}$/;

export interface FakeRow {
  name?: string;
  phone: string;
  order_id: string;
  status?: string;
  [column: string]: string | undefined;
}

/** A call list held in memory with the repository's shape; records outcomes into `recorded`. */
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
      return {
        key: String(index),
        index,
        line: index + 2,
        values,
        phone: E164.test(phone) ? { ok: true, e164: phone } : { ok: false, reason: `"${phone}" is not a valid phone number` },
        status,
      };
    });
  }

  rows(): readonly CallListRow[] {
    return this.list;
  }

  pendingRows(): CallListRow[] {
    return this.list.filter((row) => !isFinalStatus(row.status));
  }

  async record(key: string, outcome: Outcome): Promise<void> {
    await Promise.resolve();
    if (this.failRecordWith) throw this.failRecordWith;
    const row = this.list.find((r) => r.key === key);
    if (!row) throw new Error(`no row ${key}`);
    this.recorded.push({ key, outcome });
    row.status = outcome.status;
    row.values['status'] = outcome.status;
    row.values['reschedule_date'] = outcome.reschedule_date ?? '';
    row.values['reschedule_time'] = outcome.reschedule_time ?? '';
  }

  async flush(): Promise<void> {
    this.flushes++;
  }

  /** The status cell of the row for `orderId`. */
  statusOf(orderId: string): string {
    const row = this.list.find((r) => r.values['order_id'] === orderId);
    if (!row) throw new Error(`no order ${orderId}`);
    return row.status;
  }

  outcomeOf(orderId: string): Outcome | undefined {
    const row = this.list.find((r) => r.values['order_id'] === orderId);
    return this.recorded.find((entry) => entry.key === row?.key)?.outcome;
  }
}
