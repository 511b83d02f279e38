import type { CallRecordView, CampaignPreflightView, CampaignRowsPage, CampaignView } from '@codcall/gateway-api';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { applyCampaignEvent, emptyProgress, MAX_CHART_POINTS, timelineFromCalls, type CampaignProgress } from '../../lib/campaign-progress';
import { FIRST_ROWS_PAGE, Throttle, withLiveRows, type RowsQuery } from '../../lib/campaign-rows-page';
import type { CampaignAction } from '../../lib/dashboard-api';
import { hrefOf } from '../../lib/routes';
import { ErrorNote, formatTime, ProgressBar, Section, StatusCounts } from '../components';
import { OutcomeChart } from '../outcome-chart';
import { RowsTable } from '../rows-table';
import { CampaignControls } from './campaigns-page';
import { useApi } from '../session';

/** The page of rows is fetched again at most this often while outcomes arrive. */
const ROWS_REFRESH_MS = 1000;

/** One campaign, live: counters and a chart from its events, one page of its rows from the service, its CSV on demand. */
export function CampaignPage({ campaignId }: { campaignId: string }) {
  const api = useApi();
  const [progress, setProgress] = useState<CampaignProgress>(emptyProgress);
  const [query, setQuery] = useState<RowsQuery>(FIRST_ROWS_PAGE);
  const [page, setPage] = useState<{ page: CampaignRowsPage; fetchedAtMs: number } | undefined>();
  const [loadingRows, setLoadingRows] = useState(false);
  const [calls, setCalls] = useState<CallRecordView[]>([]);
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<unknown>();
  const [rowsRound, setRowsRound] = useState(0);
  // Outcomes ask for the page again, at most once a second, never while nothing changes.
  const refreshRows = useRef<Throttle>(undefined);
  refreshRows.current ??= new Throttle(() => setRowsRound((round) => round + 1), ROWS_REFRESH_MS);

  useEffect(() => {
    const controller = new AbortController();
    let refresh: ReturnType<typeof setTimeout> | undefined;
    // Counts per status come from the campaign's view, fetched again (at most twice a second) as outcomes arrive.
    const refreshView = () => {
      clearTimeout(refresh);
      refresh = setTimeout(() => api.campaign(campaignId).then((view) => !controller.signal.aborted && setProgress((before) => ({ ...before, view: before.view?.state === 'finished' ? before.view : view })), setError), 500);
    };
    api
      .followEvents(
        campaignId,
        (event) => {
          setProgress((before) => applyCampaignEvent(before, event, Date.now()));
          if (event.type === 'outcome' || event.type === 'finished') refreshRows.current?.changed();
          if (event.type === 'outcome' || event.type === 'state' || event.type === 'waiting') refreshView();
        },
        controller.signal,
      )
      .catch(setError);
    return () => {
      clearTimeout(refresh);
      refreshRows.current?.cancel();
      controller.abort();
    };
  }, [api, campaignId]);

  // The page the table shows, and nothing else: again when the query changes or outcomes came.
  useEffect(() => {
    const controller = new AbortController();
    const fetchedAtMs = Date.now();
    setLoadingRows(true);
    api.rows(campaignId, query, controller.signal).then(
      (answer) => {
        setPage({ page: answer, fetchedAtMs });
        setLoadingRows(false);
      },
      (caught: unknown) => {
        if (controller.signal.aborted) return;
        setLoadingRows(false);
        setError(caught);
      },
    );
    return () => controller.abort();
  }, [api, campaignId, query, rowsRound]);

  // Opened after calls ended, the chart starts from their records: one bounded page, and none when
  // there are more calls than the chart keeps points (it starts from the campaign's counts then).
  useEffect(() => {
    let current = true;
    api.callSummaries(campaignId, MAX_CHART_POINTS).then((list) => current && setCalls(list.calls.length < MAX_CHART_POINTS ? list.calls : []), setError);
    return () => {
      current = false;
    };
  }, [api, campaignId]);

  const rows = useMemo(() => (page ? withLiveRows(page.page.rows, page.fetchedAtMs, progress.rows, progress.calling) : []), [page, progress.rows, progress.calling]);
  const view = progress.view;
  const statuses = useMemo(() => Object.keys(view?.by_status ?? {}), [view?.by_status]);
  const onQuery = useCallback((next: RowsQuery) => setQuery(next), []);
  const timeline = useMemo(
    () => (progress.timeline.length > 1 || !view || calls.length === 0 ? progress.timeline : timelineFromCalls(view.created_at, calls)),
    [progress.timeline, view, calls],
  );

  async function act(action: CampaignAction) {
    try {
      const next = await api.control(campaignId, action);
      setProgress((before) => ({ ...before, view: next }));
    } catch (caught) {
      setError(caught);
    }
  }

  /** The CSV is fetched only now, and handed over as the service's bytes. */
  async function download() {
    if (!view) return;
    setDownloading(true);
    let bytes: ArrayBuffer;
    try {
      bytes = await api.csv(campaignId);
    } catch (caught) {
      setError(caught);
      return;
    } finally {
      setDownloading(false);
    }
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([bytes], { type: 'text/csv' }));
    link.download = view.file_name || `${campaignId}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  return (
    <>
      <h1>{view?.name ?? 'Campaign'}</h1>
      <ErrorNote error={error} />
      {!view && <p role="status">Connecting to the campaign's events…</p>}
      {view && (
        <>
          <Section title="Progress" actions={<span className={`state state-${view.state}`} data-testid="campaign-state">{view.state}</span>}>
            <Counters view={view} calling={progress.calling.size} />
            <ProgressBar done={view.rows.done} total={view.rows.total} label="Rows done" />
            <StatusCounts byStatus={view.by_status} />
            {progress.waiting && view.state === 'waiting' && (
              <p className="notice">
                {progress.waiting.rows} rows wait: {progress.waiting.reason} (next at {formatTime(progress.waiting.nextDueAt)})
              </p>
            )}
            {view.error && <p className="error">{view.error}</p>}
            {view.preflight && <PreflightSummary preflight={view.preflight} />}
            <CampaignControls campaign={view} onAction={act} />
            <p className="actions">
              <button type="button" onClick={() => void download()} disabled={downloading} aria-busy={downloading}>
                Download the CSV
              </button>
              <a href={hrefOf({ page: 'report', campaignId })}>Report</a>
            </p>
          </Section>
          <Section title="Outcomes over time">
            <OutcomeChart points={timeline} />
          </Section>
        </>
      )}
      <Section title="Rows">
        <RowsTable
          campaignId={campaignId}
          query={query}
          onQuery={onQuery}
          rows={rows}
          matching={page?.page.matching}
          total={page?.page.total}
          statuses={statuses}
          loading={loadingRows}
        />
      </Section>
    </>
  );
}

/** What the preflight said of the file when the campaign was created. */
function PreflightSummary({ preflight }: { preflight: CampaignPreflightView }) {
  const notes = [
    ...preflight.invalid_numbers.map((item) => `line ${item.line}: invalid number`),
    ...preflight.unknown_statuses.map((item) => `line ${item.line}: unknown status “${item.status}”`),
    ...preflight.duplicates.map((group) => `lines ${group.lines.join(', ')}: the same number`),
    ...preflight.unknown_languages.map((item) => `line ${item.line}: unknown language “${item.language}”`),
    ...(preflight.already_final ? [`${preflight.already_final} rows already final`] : []),
  ];
  if (notes.length === 0) return null;
  return <p className="muted">Preflight: {notes.join(' · ')}</p>;
}

function Counters({ view, calling }: { view: CampaignView; calling: number }) {
  const items: [string, number][] = [
    ['rows', view.rows.total],
    ['done', view.rows.done],
    ['calling', Math.max(calling, view.rows.in_flight)],
    ['to call', view.rows.pending],
    ['waiting', view.rows.waiting],
  ];
  return (
    <dl className="counters">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd data-testid={`count-${label.replace(' ', '-')}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
