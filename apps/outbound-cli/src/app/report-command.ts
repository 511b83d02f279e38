import { resolve } from 'node:path';
import { tallyRowStatuses } from '@codcall/campaign';
import { silentLogger } from '@codcall/logging';
import { openCsv, type CliDeps } from './cli-deps';
import { ExitCode } from './exit-codes';
import { renderStatusTable } from './status-table';

export interface ReportOptions {
  csv?: string;
  json?: boolean;
}

/** `report`: counts per status in the CSV, as a table or JSON. Reading never changes the file. */
export async function runReportCommand(options: ReportOptions, deps: CliDeps): Promise<number> {
  const path = resolve(deps.cwd, options.csv ?? 'call_list.csv');
  const callList = await (deps.openCallList ?? openCsv)(path, { logger: deps.logger ?? silentLogger() });
  try {
    const counts = tallyRowStatuses(callList.rows());
    if (options.json) {
      const { '': notCalled = 0, ...byStatus } = counts;
      deps.stdout.write(`${JSON.stringify({ csv: path, rows: callList.rows().length, byStatus, notCalled })}\n`);
    } else {
      deps.stdout.write(`${renderStatusTable(counts)}\n\nCSV: ${path}\n`);
    }
  } finally {
    await callList.close();
  }
  return ExitCode.ok;
}
