import { dirname, join, resolve } from 'node:path';
import { buildCampaignReport, campaignKey, type CampaignReport } from '@codcall/campaign';
import { CampaignStore } from '@codcall/campaign-store';
import { silentLogger } from '@codcall/logging';
import { openCsv, type CliDeps } from './cli-deps';
import { ExitCode } from './exit-codes';
import { renderTurnLegTables } from './latency-table';
import { DEFAULT_STORE_NAME } from './start-command';
import { renderStatusTable } from './status-table';

export interface ReportOptions {
  csv?: string;
  json?: boolean;
  store?: string;
  campaign?: string;
}

/**
 * `report`: counts per status from the CSV; rates, call lengths, turn latencies (leg by leg for
 * calls that kept their turns) and TTS characters from the campaign store when there is one.
 * Reading never changes the CSV or the store.
 */
export async function runReportCommand(options: ReportOptions, deps: CliDeps): Promise<number> {
  const path = resolve(deps.cwd, options.csv ?? 'call_list.csv');
  const storeOption = options.store ?? deps.env['CAMPAIGN_STORE'];
  const storePath = storeOption ? resolve(deps.cwd, storeOption) : join(dirname(path), DEFAULT_STORE_NAME);
  // Read-only: a campaign may be running on this CSV (waiting for a window, say); its journal is its own to write.
  const callList = await (deps.openCallList ?? openCsv)(path, { logger: deps.logger ?? silentLogger(), readOnly: true });
  try {
    const rows = callList.rows();
    const store = CampaignStore.openForReading(storePath, { key: options.campaign ?? campaignKey(callList.targetPath ?? path, rows) });
    let report: CampaignReport;
    try {
      report = buildCampaignReport({ statuses: rows.map((row) => row.status), languages: rows.map((row) => row.values['language'] ?? ''), attempts: store?.attempts() ?? [], callRecords: store?.callRecords() ?? [] });
    } finally {
      store?.close();
    }
    if (options.json) {
      const { '': notCalled = 0, ...byStatus } = report.byStatus;
      const { byStatus: _counts, rows: count, ...measures } = report;
      deps.stdout.write(`${JSON.stringify({ csv: path, store: store ? storePath : null, rows: count, byStatus, notCalled, ...measures })}\n`);
    } else {
      deps.stdout.write(`${renderStatusTable(report.byStatus)}\n\n${renderMeasures(report, store ? storePath : undefined)}\n\nCSV: ${path}\n`);
    }
  } finally {
    await callList.close();
  }
  return ExitCode.ok;
}

function renderMeasures(report: CampaignReport, storePath: string | undefined): string {
  if (!storePath) return `No campaign store at the default place beside the CSV: rates, call lengths and latencies need one (--store <file>).`;
  const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
  const seconds = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)} s`);
  const ms = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value)} ms`);
  const lines: [string, string][] = [
    ['attempts', `${report.attempts} (${report.retriedRows} ${report.retriedRows === 1 ? 'row' : 'rows'} retried)`],
    ['answer rate', percent(report.answerRate)],
    ['confirmation rate', `${percent(report.confirmationRate)} of those who answered`],
    ['call length', `average ${seconds(report.callSeconds.average)}, p95 ${seconds(report.callSeconds.p95)} (${report.callSeconds.count} calls)`],
    ['turn latency', `p50 ${ms(report.turnLatencyMs.p50)}, p95 ${ms(report.turnLatencyMs.p95)} (${report.turnLatencyMs.count} turns)`],
  ];
  const tts = report.ttsCharacters;
  const characters = (value: number | null) => (value === null ? 'n/a' : value.toLocaleString('en-US'));
  if (tts.calls) {
    lines.push(['TTS characters', `${characters(tts.perAnsweredCall)} per answered call, ${characters(tts.perConfirmedOrder)} per confirmed order (${characters(tts.total)} over ${tts.calls} calls)`]);
  }
  if (report.costEstimate !== null) lines.push(['cost estimate', report.costEstimate.toFixed(4)]);
  const width = Math.max(...lines.map(([label]) => label.length));
  const legs = renderTurnLegTables(report.turnLegs);
  return [...lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`), ...(legs ? ['', legs, ''] : []), `store: ${storePath}`].join('\n');
}
