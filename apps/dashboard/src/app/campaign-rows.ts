import type { LiveRow } from '../lib/campaign-progress';
import { parseCsvText, rowValues, type CsvTable } from '../lib/csv-text';

/** A row of the campaign as the table shows it: the CSV's cells with the live status over them. */
export interface CampaignRow {
  line: number;
  name: string;
  phone: string;
  orderId: string;
  status: string;
  reschedule: string;
  attempts: string;
  callId: string;
}

/** The CSV's bytes as text for display (the download keeps the bytes themselves). */
export function csvTableOf(bytes: ArrayBuffer): CsvTable {
  return parseCsvText(new TextDecoder('utf-8').decode(bytes));
}

/** The CSV's rows with what the event stream said of each since (a newer status, its call). */
export function campaignRows(table: CsvTable | undefined, live: ReadonlyMap<number, LiveRow>, calls: ReadonlyMap<number, string>): CampaignRow[] {
  if (!table) return [];
  return table.rows.map(({ line, cells }) => {
    const values = rowValues(table, cells);
    const event = live.get(line);
    const date = event?.rescheduleDate ?? values['reschedule_date'] ?? '';
    const time = event?.rescheduleTime ?? values['reschedule_time'] ?? '';
    return {
      line,
      name: values['name'] ?? '',
      phone: values['recipient_phone_number'] ?? '',
      orderId: values['order_id'] ?? '',
      status: event?.status ?? values['status'] ?? '',
      reschedule: [date, time].filter(Boolean).join(' '),
      attempts: event ? String(event.attempts) : '',
      callId: event?.callId ?? calls.get(line) ?? '',
    };
  });
}
