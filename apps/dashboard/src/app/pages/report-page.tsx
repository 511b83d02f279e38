import type { CampaignReportView, TurnKindReportView } from '@codcall/gateway-api';
import { useMemo, useState } from 'react';
import { reportChartsData, speechCostPerOrder } from '../../lib/report-charts-data';
import { hrefOf } from '../../lib/routes';
import { ErrorNote, percent, Section, useLoaded } from '../components';
import { BarChart } from '../report-charts';
import { useApi } from '../session';

/**
 * A campaign's numbers as the service computes them (GET /campaigns/:id/report, the CLI's report):
 * answer and confirmation rates, outcomes per language and hour, turn latency, speech cost.
 */
export function ReportPage({ campaignId }: { campaignId?: string }) {
  const api = useApi();
  const campaigns = useLoaded(() => api.campaigns(), [api]);
  const chosen = campaignId ?? campaigns.value?.campaigns[0]?.campaign_id;
  const report = useLoaded(() => (chosen ? api.report(chosen) : Promise.resolve(undefined)), [api, chosen]);

  return (
    <>
      <h1>Report</h1>
      <ErrorNote error={campaigns.error ?? report.error} />
      <div className="filters report-picker">
        <label>
          Campaign{' '}
          <select value={chosen ?? ''} onChange={(event) => (location.hash = hrefOf({ page: 'report', campaignId: event.target.value }))}>
            {(campaigns.value?.campaigns ?? []).map((campaign) => (
              <option key={campaign.campaign_id} value={campaign.campaign_id}>
                {campaign.name} ({campaign.state})
              </option>
            ))}
          </select>
        </label>{' '}
        {chosen && (
          <button type="button" onClick={report.reload} disabled={report.loading}>
            Refresh
          </button>
        )}
      </div>
      {campaigns.value && !chosen && <p>No campaigns yet.</p>}
      {chosen && report.loading && !report.value && <p role="status">Computing the report…</p>}
      {report.value && <ReportBody report={report.value} />}
    </>
  );
}

function ReportBody({ report }: { report: CampaignReportView }) {
  const [pricePerThousand, setPricePerThousand] = useState('0.05');
  // Chart inputs change only with the report, so the charts are drawn once per report.
  const charts = useMemo(() => reportChartsData(report), [report]);
  const perOrder = report.tts_characters.per_confirmed_order;
  const cost = speechCostPerOrder(report, pricePerThousand);

  return (
    <>
      <dl className="counters" aria-label="Headline numbers">
        <div>
          <dt>calls</dt>
          <dd data-testid="attempts">{report.attempts}</dd>
        </div>
        <div>
          <dt>answer rate</dt>
          <dd data-testid="answer-rate">{percent(report.answer_rate)}</dd>
        </div>
        <div>
          <dt>confirmation rate</dt>
          <dd data-testid="confirmation-rate">{percent(report.confirmation_rate)}</dd>
        </div>
        <div>
          <dt>turn latency p50 / p95</dt>
          <dd data-testid="turn-latency">
            {report.turn_latency_ms.p50 ?? '—'} / {report.turn_latency_ms.p95 ?? '—'} ms
          </dd>
        </div>
        <div>
          <dt>average call</dt>
          <dd>{report.call_seconds.average === null ? '—' : `${report.call_seconds.average.toFixed(1)} s`}</dd>
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
          <TurnLegsTable title="Text turns, leg by leg" turns={report.turn_legs.text} />
          <TurnLegsTable title="Outcome turns, leg by leg" turns={report.turn_legs.outcome} />
        </Section>
        <Section title="Speech synthesis">
          <p>
            {report.tts_characters.total} TTS characters over {report.tts_characters.calls} calls; {report.tts_characters.per_answered_call ?? '—'} per answered call,{' '}
            {perOrder ?? '—'} per confirmed order ({report.by_status['confirmed'] ?? 0} confirmed).
          </p>
          <label>
            Price per 1,000 characters <input inputMode="decimal" value={pricePerThousand} onChange={(event) => setPricePerThousand(event.target.value)} />
          </label>
          <p data-testid="cost-per-order">Estimated speech cost per confirmed order: {cost ?? '—'}</p>
          {report.cost_estimate !== null && <p>Call cost estimate (the campaign's cost per minute): {report.cost_estimate.toFixed(4)}</p>}
        </Section>
      </div>
    </>
  );
}

/** p50 and p95 of each leg of one kind of turn, as the CLI's report prints them. */
function TurnLegsTable({ title, turns }: { title: string; turns: TurnKindReportView }) {
  if (turns.turns === 0) return null;
  return (
    <div className="table-wrap">
      <table aria-label={title}>
        <caption>
          {title} ({turns.turns} turns)
        </caption>
        <thead>
          <tr>
            <th scope="col">Leg</th>
            <th scope="col">n</th>
            <th scope="col">p50</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {turns.legs
            .filter(({ spread }) => spread.n > 0)
            .map(({ name, spread }) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{spread.n}</td>
                <td>{spread.p50 ?? '—'} ms</td>
                <td>{spread.p95 ?? '—'} ms</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
