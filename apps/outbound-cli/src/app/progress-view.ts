import { SingleBar } from 'cli-progress';
import { maskPhone } from '@codcall/logging';
import type { CampaignEvent } from '@codcall/campaign';

export interface Output {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A live bar and tally on a terminal; one plain line per finished row anywhere else. */
export class ProgressView {
  private bar?: SingleBar;
  private readonly tally = new Map<string, number>();
  private done = 0;

  constructor(
    private readonly output: Output,
    private readonly interactive: boolean,
  ) {}

  handle(event: CampaignEvent): void {
    switch (event.type) {
      case 'planned':
        this.line(`${event.total} row(s) to call${event.skippedFinal ? `, ${event.skippedFinal} already final` : ''}`);
        if (this.interactive && event.total > 0) {
          this.bar = new SingleBar({ format: ' {bar} {value}/{total} | {tally}', stream: this.output.stderr, hideCursor: true, clearOnComplete: false });
          this.bar.start(event.total, 0, { tally: '' });
        }
        break;
      case 'row-finished':
        this.done++;
        this.tally.set(event.status, (this.tally.get(event.status) ?? 0) + 1);
        if (this.bar) this.bar.update(this.done, { tally: this.tallyText() });
        else this.line(`${maskPhone(event.row.values['recipient_phone_number'])}  ${event.row.values['order_id']}  ${event.status}${event.reason ? `  (${event.reason})` : ''}`);
        break;
      case 'row-error':
        this.line(`${event.row.values['order_id']}: ${event.error}`);
        break;
      case 'stopping':
        this.line(`Stopping: no new calls; waiting for ${event.inFlight} call(s) in flight to finish (Ctrl-C again to leave now).`);
        break;
      default:
        break;
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private tallyText(): string {
    return [...this.tally.entries()].map(([status, n]) => `${status} ${n}`).join(' · ');
  }

  private line(text: string): void {
    if (this.bar) {
      // Print above the bar, then let it redraw.
      this.output.stderr.write(`\r\x1b[K${text}\n`);
      this.bar.render();
    } else this.output.stderr.write(`${text}\n`);
  }
}

export function summaryTable(byStatus: Record<string, number>): string {
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const rows = Object.entries(byStatus).sort((a, b) => b[1] - a[1]);
  const width = Math.max(6, ...rows.map(([status]) => status.length));
  const lines = [`${'status'.padEnd(width)} | count | share`, `${'-'.repeat(width)}-|-------|------`];
  for (const [status, count] of rows) lines.push(`${status.padEnd(width)} | ${String(count).padStart(5)} | ${total ? ((count / total) * 100).toFixed(0).padStart(4) : '   0'}%`);
  lines.push(`${'total'.padEnd(width)} | ${String(total).padStart(5)} |`);
  return lines.join('\n');
}
