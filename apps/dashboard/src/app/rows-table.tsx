import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  filterFn_equalsString,
  filterFn_includesString,
  globalFilteringFeature,
  tableFeatures,
  useTable,
  type ColumnFiltersState,
} from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { maskPhone } from '../lib/phone-mask';
import { hrefOf } from '../lib/routes';
import type { CampaignRow } from './campaign-rows';

const features = tableFeatures({
  columnFilteringFeature,
  globalFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
  filterFns: { includesString: filterFn_includesString, equalsString: filterFn_equalsString },
});
const helper = createColumnHelper<typeof features, CampaignRow>();

/** The campaign's rows: filter by status, search by order id or name; numbers masked. */
export function RowsTable({ campaignId, rows }: { campaignId: string; rows: CampaignRow[] }) {
  const [columnFilters, setColumnFilters] = useState<ColumnFiltersState>([]);
  const [globalFilter, setGlobalFilter] = useState('');
  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor('line', { header: 'Line', enableGlobalFilter: false }),
        helper.accessor('orderId', { header: 'Order' }),
        helper.accessor('name', { header: 'Name' }),
        helper.accessor('phone', { header: 'Phone', enableGlobalFilter: false, cell: (info) => maskPhone(info.getValue()) }),
        helper.accessor('status', { header: 'Status', filterFn: 'equalsString', enableGlobalFilter: false, cell: (info) => <span className={`status status-${info.getValue() || 'none'}`}>{info.getValue() || '—'}</span> }),
        helper.accessor('reschedule', { header: 'Reschedule', enableGlobalFilter: false }),
        helper.accessor('attempts', { header: 'Attempts', enableGlobalFilter: false }),
        helper.accessor('callId', {
          header: 'Call',
          enableGlobalFilter: false,
          cell: (info) => {
            const callId = info.getValue();
            return callId ? <a href={hrefOf({ page: 'call', campaignId, callId })}>Open call (line {info.row.original.line})</a> : '';
          },
        }),
      ]),
    [campaignId],
  );
  const table = useTable({
    features,
    columns,
    data: rows,
    state: { columnFilters, globalFilter },
    onColumnFiltersChange: setColumnFilters,
    onGlobalFilterChange: setGlobalFilter,
    globalFilterFn: 'includesString',
  });
  const statuses = [...new Set(rows.map((row) => row.status))].sort();
  const statusFilter = (columnFilters.find((filter) => filter.id === 'status')?.value as string | undefined) ?? '';

  return (
    <div>
      <div className="filters">
        <label>
          Status{' '}
          <select value={statusFilter} onChange={(event) => setColumnFilters(event.target.value === '' ? [] : [{ id: 'status', value: event.target.value }])}>
            <option value="">all</option>
            {statuses.map((status) => (
              <option key={status} value={status}>
                {status || '(not called)'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search order id or name <input type="search" value={globalFilter} onChange={(event) => setGlobalFilter(event.target.value)} />
        </label>
      </div>
      <div className="table-wrap">
        <table className="rows">
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} scope="col">
                    {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-line={row.original.line}>
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
