import type { CallListRow } from './call-list-repository';

/**
 * Rows that are the same order to the same number (order id, trimmed, and the E.164 number),
 * each group in file order, groups in the order of their first row. A campaign calls such a
 * group once and records the outcome in every row. Rows without an order id or with an unusable
 * number are never grouped: nothing says they are the same order.
 */
export function findDuplicateRows(rows: readonly CallListRow[]): CallListRow[][] {
  const groups = new Map<string, CallListRow[]>();
  for (const row of rows) {
    const orderId = (row.values['order_id'] ?? '').trim();
    if (!orderId || !row.phone.ok) continue;
    const key = `${orderId}\u0000${row.phone.e164}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}
