import type { CallRecordView, CampaignPreflightView, CampaignView } from '@codcall/gateway-api';
import { useEffect, useMemo, useState } from 'react';
import { applyCampaignEvent, emptyProgress, timelineFromCalls, type CampaignProgress } from '../../lib/campaign-progress';
import type { CsvTable } from '../../lib/csv-text';
import type { CampaignAction } from '../../lib/dashboard-api';
import { hrefOf } from '../../lib/routes';
import { campaignRows, csvTableOf } from '../campaign-rows';
import { ErrorNote, formatTime, ProgressBar, Section, StatusCounts } from '../components';
import { OutcomeChart } from '../outcome-chart';
import { RowsTable } from '../rows-table';
import { CampaignControls } from './campaigns-page';
import { useApi } from '../session';

/** One campaign, live: counters and a chart from its events, its rows, its CSV. */
export function CampaignPage({ campaignId }: { campaignId: string }) {
  const api = useApi();
  const [progress, setProgress] = useState<CampaignProgress>(emptyProgress);
  const [csv, setCsv] = useState<{ bytes: ArrayBuffer; table: CsvTable } | undefined>();
  const [callsByLine, setCallsByLine] = useState<Map<number, string>>(new Map());
  const [calls, setCalls] = useState<CallRecordView[]>([]);
  const [error, setError] = useState<unknown>();
  const [finishedAt, setFinishedAt] = useState(0);

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
          if (event.type === 'finished') setFinishedAt(Date.now());
          else if (event.type === 'outcome' || event.type === 'state' || event.type === 'waiting') refreshView();
        },
        controller.signal,
      )
      .catch(setError);
    return () => {
      clearTimeout(refresh);
      controller.abort();
    };
  }, [api, campaignId]);

  // The CSV and the call list once on opening and again when the campaign finishes; the events keep the rows current between.
  useEffect(() => {
    let current = true;
    api.csv(campaignId).then((bytes) => current && setCsv({ bytes, table: csvTableOf(bytes) }), setError);
    api.callSummaries(campaignId).then((list) => {
      if (!current) return;
      const byLine = new Map<number, string>();
      for (const call of [...list.calls].sort((a, b) => a.attempt - b.attempt)) byLine.set(call.line, call.call_id);
      setCallsByLine(byLine);
      setCalls(list.calls);
    }, setError);
    return () => {
      current = false;
    };
  }, [api, campaignId, finishedAt]);

  const rows = useMemo(() => campaignRows(csv?.table, progress.rows, callsByLine), [csv, progress.rows, callsByLine]);
  const view = progress.view;
  // Opened after (some of) its calls ended, the chart starts from the call records; the events carry it on.
  const timeline = useMemo(
    () => (progress.timeline.length > 1 || !view ? progress.timeline : timelineFromCalls(view.created_at, calls)),
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

  function download() {
    if (!csv || !view) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([csv.bytes], { type: 'text/csv' }));
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
              <button type="button" onClick={download} disabled={!csv}>
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
        <RowsTable campaignId={campaignId} rows={rows} />
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
