import { useMemo, useState } from 'react';
import { buildDashboardReport, type DashboardReport } from '../../lib/call-report';
import { rowValues } from '../../lib/csv-text';
import { hrefOf } from '../../lib/routes';
import { csvTableOf } from '../campaign-rows';
import { ErrorNote, percent, Section, useLoaded } from '../components';
import { BarChart } from '../report-charts';
import { useApi } from '../session';

/** A campaign's numbers: answer and confirmation rates, outcomes per language and hour, turn latency, speech cost. */
export function ReportPage({ campaignId }: { campaignId?: string }) {
  const api = useApi();
  const campaigns = useLoaded(() => api.campaigns(), [api]);
  const chosen = campaignId ?? campaigns.value?.campaigns[0]?.campaign_id;
  const data = useLoaded(
    () => (chosen ? Promise.all([api.csv(chosen), api.calls(chosen)]) : Promise.resolve(undefined)),
    [api, chosen],
  );
  const report = useMemo(() => {
    if (!data.value) return undefined;
    const [bytes, calls] = data.value;
    const table = csvTableOf(bytes);
    const rows = table.rows.map(({ cells }) => rowValues(table, cells)).map((row) => ({ status: (row['status'] ?? '').trim().toLowerCase(), language: row['language'] ?? '' }));
    return buildDashboardReport(rows, calls.calls);
  }, [data.value]);

  return (
    <>
      <h1>Report</h1>
      <ErrorNote error={campaigns.error ?? data.error} />
      <label>
        Campaign{' '}
        <select value={chosen ?? ''} onChange={(event) => (location.hash = hrefOf({ page: 'report', campaignId: event.target.value }))}>
          {(campaigns.value?.campaigns ?? []).map((campaign) => (
            <option key={campaign.campaign_id} value={campaign.campaign_id}>
              {campaign.name} ({campaign.state})
            </option>
          ))}
        </select>
      </label>
      {campaigns.value && !chosen && <p>No campaigns yet.</p>}
      {report && <ReportBody report={report} />}
    </>
  );
}

function ReportBody({ report }: { report: DashboardReport }) {
  const [pricePerThousand, setPricePerThousand] = useState('0.05');
  const price = Number(pricePerThousand);
  // Chart inputs change only with the report, so the charts are drawn once per report.
  const charts = useMemo(() => {
    const languages = Object.keys(report.outcomesByLanguage).sort();
    const hours = Object.keys(report.outcomesByHour).map(Number).sort((a, b) => a - b);
    const statuses = [...new Set([...Object.values(report.outcomesByLanguage), ...Object.values(report.outcomesByHour)].flatMap((counts) => Object.keys(counts)))].sort();
    return {
      languages,
      byLanguage: statuses.map((status) => ({ label: status, values: languages.map((language) => report.outcomesByLanguage[language][status] ?? 0) })),
      hours: hours.map((hour) => `${String(hour).padStart(2, '0')}:00`),
      byHour: statuses.map((status) => ({ label: status, values: hours.map((hour) => report.outcomesByHour[hour][status] ?? 0) })),
      latencyLabels: report.latencyHistogram.map(([from]) => `${from}–${from + 249} ms`),
      latency: [{ label: 'turns', values: report.latencyHistogram.map(([, count]) => count) }],
    };
  }, [report]);
  const perOrder = report.ttsCharactersPerConfirmedOrder;

  return (
    <>
      <dl className="counters" aria-label="Headline numbers">
        <div>
          <dt>calls</dt>
          <dd>{report.calls}</dd>
        </div>
        <div>
          <dt>answer rate</dt>
          <dd data-testid="answer-rate">{percent(report.answerRate)}</dd>
        </div>
        <div>
          <dt>confirmation rate</dt>
          <dd data-testid="confirmation-rate">{percent(report.confirmationRate)}</dd>
        </div>
        <div>
          <dt>turn latency p50 / p95</dt>
          <dd>
            {report.latencyP50 ?? '—'} / {report.latencyP95 ?? '—'} ms
          </dd>
        </div>
      </dl>
      <div className="two-columns">
        <Section title="Outcomes per language">
          <BarChart title="Outcomes per language" labels={charts.languages} series={charts.byLanguage} stacked />
        </Section>
        <Section title="Outcomes per hour (UTC)">
          <BarChart title="Outcomes per hour" labels={charts.hours} series={charts.byHour} stacked />
        </Section>
      </div>
      <div className="two-columns">
        <Section title="Turn latency">
          <BarChart title="Turn latency distribution" labels={charts.latencyLabels} series={charts.latency} />
        </Section>
        <Section title="Speech synthesis">
          <p>
            {report.ttsCharacters} TTS characters in all; {perOrder ?? '—'} per confirmed order ({report.confirmedOrders} confirmed).
          </p>
          <label>
            Price per 1,000 characters <input inputMode="decimal" value={pricePerThousand} onChange={(event) => setPricePerThousand(event.target.value)} />
          </label>
          <p data-testid="cost-per-order">
            Estimated speech cost per confirmed order: {perOrder !== null && Number.isFinite(price) ? (perOrder * price / 1000).toFixed(4) : '—'}
          </p>
        </Section>
      </div>
    </>
  );
}
