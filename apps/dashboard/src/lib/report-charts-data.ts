import type { CampaignReportView } from '@codcall/gateway-api';

export interface ChartSeries {
  label: string;
  values: number[];
}

/** The report page's charts: bar groups (labels) and one series per outcome status, or one of turns. */
export interface ReportChartsData {
  languages: string[];
  byLanguage: ChartSeries[];
  hours: string[];
  byHour: ChartSeries[];
  latencyLabels: string[];
  latency: ChartSeries[];
}

/** The service's report as the page's Chart.js bars: nothing is counted here, only laid out. */
export function reportChartsData(report: CampaignReportView): ReportChartsData {
  const languages = Object.keys(report.outcomes_by_language).sort();
  const hours = report.outcomes_by_hour_utc;
  const statuses = [...new Set([...Object.values(report.outcomes_by_language), ...hours.map((hour) => hour.by_status)].flatMap((counts) => Object.keys(counts)))].sort();
  const { bucket_ms: width, buckets } = report.turn_latency_histogram;
  return {
    languages,
    byLanguage: statuses.map((status) => ({ label: status, values: languages.map((language) => report.outcomes_by_language[language][status] ?? 0) })),
    hours: hours.map(({ hour }) => `${String(hour).padStart(2, '0')}:00`),
    byHour: statuses.map((status) => ({ label: status, values: hours.map((hour) => hour.by_status[status] ?? 0) })),
    latencyLabels: buckets.map(({ from_ms }) => `${from_ms}–${from_ms + width - 1} ms`),
    latency: [{ label: 'turns', values: buckets.map(({ turns }) => turns) }],
  };
}

/** Speech cost per confirmed order at a price per 1,000 characters; undefined when either is unknown. */
export function speechCostPerOrder(report: CampaignReportView, pricePerThousand: string): string | undefined {
  const perOrder = report.tts_characters.per_confirmed_order;
  const price = pricePerThousand.trim() === '' ? NaN : Number(pricePerThousand);
  if (perOrder === null || !Number.isFinite(price) || price < 0) return undefined;
  return ((perOrder * price) / 1000).toFixed(4);
}
