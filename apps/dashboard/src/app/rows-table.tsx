import type { CampaignRowView } from '@codcall/gateway-api';
import { useEffect, useState } from 'react';
import { pageOffset, type RowsQuery } from '../lib/campaign-rows-page';
import { hrefOf } from '../lib/routes';

/** Typing waits this long for the next key before the search goes to the service. */
const SEARCH_DEBOUNCE_MS = 250;

export interface RowsTableProps {
  campaignId: string;
  query: RowsQuery;
  onQuery: (query: RowsQuery) => void;
  /** The page's rows as shown (the service's, with the live events over them). */
  rows: readonly CampaignRowView[];
  /** Rows matching the query, and in the campaign; undefined before the first page came. */
  matching?: number;
  total?: number;
  /** The statuses to filter by (the campaign view's by_status). */
  statuses: readonly string[];
  loading: boolean;
}

/** The campaign's rows a page at a time: the status filter, the search and the paging are the service's; numbers come masked. */
export function RowsTable({ campaignId, query, onQuery, rows, matching, total, statuses, loading }: RowsTableProps) {
  const [search, setSearch] = useState(query.search);
  useEffect(() => {
    if (search === query.search) return;
    const timer = setTimeout(() => onQuery({ ...query, search, offset: 0 }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, query, onQuery]);
  const options = [...new Set([...statuses, ...(query.status ? [query.status] : [])])].sort();
  const first = matching ? query.offset + 1 : 0;
  const last = query.offset + rows.length;

  return (
    <div>
      <div className="filters">
        {/* Beside its select, not around it: a label's text would otherwise take in every option's. */}
        <span>
          <label htmlFor={`rows-status-${campaignId}`}>Status</label>{' '}
          <select id={`rows-status-${campaignId}`} value={query.status} onChange={(event) => onQuery({ ...query, status: event.target.value, offset: 0 })}>
            <option value="">all</option>
            {options.map((status) => (
              <option key={status} value={status}>
                {status === 'pending' ? 'pending (not called yet)' : status}
              </option>
            ))}
          </select>
        </span>
        <label>
          Search order id or name <input type="search" value={search} maxLength={100} onChange={(event) => setSearch(event.target.value)} />
        </label>
      </div>
      <div className="table-wrap">
        <table className="rows" aria-busy={loading}>
          <thead>
            <tr>
              {['Line', 'Order', 'Name', 'Phone', 'Status', 'Reschedule', 'Attempts', 'Call'].map((name) => (
                <th key={name} scope="col">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.line} data-line={row.line}>
                <td>{row.line}</td>
                <td>{row.order_id}</td>
                <td>{row.name}</td>
                <td>{row.phone}</td>
                <td>
                  <span className={`status status-${row.status || 'none'}`}>{row.status || '—'}</span>
                </td>
                <td>{[row.reschedule_date, row.reschedule_time].filter(Boolean).join(' ')}</td>
                <td>{row.attempts || ''}</td>
                <td>{row.call_id ? <a href={hrefOf({ page: 'call', campaignId, callId: row.call_id })}>Open call (line {row.line})</a> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages of rows">
        <button type="button" disabled={query.offset === 0} onClick={() => onQuery({ ...query, offset: pageOffset(query, matching ?? 0, -1) })}>
          Previous rows
        </button>
        <span role="status" data-testid="rows-range">
          {matching === undefined ? 'Loading rows…' : `${first}–${last} of ${matching}${total !== undefined && matching !== total ? ` matching (${total} rows)` : ' rows'}`}
        </span>
        <button type="button" disabled={matching === undefined || last >= matching} onClick={() => onQuery({ ...query, offset: pageOffset(query, matching ?? 0, 1) })}>
          Next rows
        </button>
      </nav>
    </div>
  );
}
