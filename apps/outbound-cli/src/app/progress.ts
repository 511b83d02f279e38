import { MultiBar, type SingleBar } from 'cli-progress';
import type { CallOutcome, CampaignEvent, WaitReason } from '@codcall/campaign';
import type { CallListRow } from '@codcall/call-list';
import { maskNumbersInText, maskPhone } from '@codcall/logging';
import type { OutputStream } from './cli-deps';
import { formatDue } from './due-time';
import { reviewLines } from './review-lines';
import { renderTally } from './status-table';

const WAITING_FOR: Record<WaitReason, string> = { retry: 'a retry', 'calling window': 'the calling window', callback: 'a callback time' };

/** Shows a campaign's progress on stderr. */
export interface ProgressDisplay {
  handle(event: CampaignEvent): void;
  /** A line about the campaign itself (kept above the bar on a terminal). */
  note(text: string): void;
  stop(): void;
}

/** A live bar with the tally on a terminal; one plain line per finished row anywhere else. */
export function createProgressDisplay(stderr: OutputStream, options: { bar: boolean }): ProgressDisplay {
  return options.bar && stderr.isTTY ? new BarProgress(stderr) : new LineProgress(stderr);
}

abstract class CampaignProgress implements ProgressDisplay {
  protected readonly tally: Record<string, number> = {};
  protected finished = 0;
  protected total = 0;

  handle(event: CampaignEvent): void {
    switch (event.type) {
      case 'call-list-reviewed':
        for (const line of reviewLines(event.review)) this.note(line);
        break;
      case 'campaign-started':
        this.total = event.pending;
        this.note(startLine(event));
        this.started();
        break;
      case 'row-finished':
        this.finished++;
        this.tally[event.outcome.status] = (this.tally[event.outcome.status] ?? 0) + 1;
        this.rowFinished(event.row, event.outcome, event.sameCallAs);
        break;
      case 'gateway-at-capacity':
        this.note(`Gateway at capacity (${maskNumbersInText(event.message)}): waiting ${Math.round(event.waitMs / 1000)} s; no new call starts meanwhile, and the refused dials are sent again without using an attempt.`);
        break;
      case 'retry-scheduled':
        this.note(`${rowLabel(event.row)}  ${describeOutcome(event.outcome)} on attempt ${event.attempt}; next attempt due at ${formatDue(event.nextDueAt)}`);
        break;
      case 'call-resumed':
        this.note(`${rowLabel(event.row)}  a call placed before the last run stopped: asking the gateway how it ended`);
        break;
      case 'waiting':
        this.note(
          `${event.rows} ${event.rows === 1 ? 'row waits' : 'rows wait'} for ${WAITING_FOR[event.reason]}; the next call is due at ${formatDue(event.nextDueAt)}.`,
        );
        break;
      case 'row-error':
        // A row marked failed is reported by its row-finished line, reason included.
        if (!event.recordedAs) this.note(`${rowLabel(event.row)}  left as it was: ${maskNumbersInText(event.error.message)}`);
        break;
      case 'stopping':
        this.note(
          event.reason === 'interrupted'
            ? `Stopping: no new calls will be dialled; waiting for ${calls(event.inFlight)} in flight to finish. Press Ctrl-C again to quit at once (outcomes already received are kept).`
            : `Stopping: ${maskNumbersInText(event.error?.message ?? 'error')}; waiting for ${calls(event.inFlight)} in flight to finish.`,
        );
        break;
      default:
        break;
    }
  }

  abstract note(text: string): void;
  abstract stop(): void;
  protected abstract started(): void;
  protected abstract rowFinished(row: CallListRow, outcome: CallOutcome, sameCallAs?: CallListRow): void;
}

class LineProgress extends CampaignProgress {
  constructor(private readonly stderr: OutputStream) {
    super();
  }

  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  stop(): void {}

  protected started(): void {}

  protected rowFinished(row: CallListRow, outcome: CallOutcome, sameCallAs?: CallListRow): void {
    const counter = `[${String(this.finished).padStart(String(this.total).length)}/${this.total}]`;
    const duplicate = sameCallAs ? `  (the same order as line ${sameCallAs.line}: one call for both)` : '';
    this.note(`${counter} ${rowLabel(row)}  ${describeOutcome(outcome)}${duplicate}`);
  }
}

class BarProgress extends CampaignProgress {
  private readonly bars: MultiBar;
  private bar?: SingleBar;
  private active = false;

  constructor(private readonly stderr: OutputStream) {
    super();
    // gracefulExit off: the first Ctrl-C keeps the campaign (and the bar) going while calls end.
    this.bars = new MultiBar({
      stream: stderr,
      format: ' {bar} {value}/{total} rows | {tally}',
      hideCursor: true,
      gracefulExit: false,
      clearOnComplete: false,
      barsize: 30,
    });
  }

  note(text: string): void {
    // While the bar is drawn, lines go above it on its next redraw.
    if (this.active) this.bars.log(`${text}\n`);
    else this.stderr.write(`${text}\n`);
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.bars.update(); // prints lines still waiting for a redraw
    this.bars.stop();
  }

  protected started(): void {
    this.bar = this.bars.create(this.total, 0, { tally: '' });
    this.active = true;
  }

  protected rowFinished(): void {
    this.bar?.update(this.finished, { tally: renderTally(this.tally) });
  }
}

function startLine(event: Extract<CampaignEvent, { type: 'campaign-started' }>): string {
  const details = [
    event.skippedFinal ? `${event.skippedFinal} already final, skipped` : '',
    event.skippedUnknownStatus ? `${event.skippedUnknownStatus} with a status codcall does not know, left as they are` : '',
    event.skippedUnknownLanguage ? `${event.skippedUnknownLanguage} with a language codcall does not know, left as they are` : '',
    event.invalidNumbers ? `${event.invalidNumbers} with an invalid number, not dialled` : '',
    event.resumed ? `${event.resumed} ${event.resumed === 1 ? 'call' : 'calls'} in flight when the last run stopped, asked after` : '',
  ].filter(Boolean);
  return `${event.pending} of ${event.total} rows to process${details.length ? ` (${details.join('; ')})` : ''}.`;
}

function rowLabel(row: CallListRow): string {
  return `${row.values['order_id'] || `line ${row.line}`}  ${maskPhone(row.values['recipient_phone_number'])}`;
}

function describeOutcome(outcome: CallOutcome): string {
  if (outcome.status === 'rescheduled') return `rescheduled to ${[outcome.reschedule_date, outcome.reschedule_time].filter(Boolean).join(' ') || 'an unspecified time'}`;
  if (outcome.status === 'callback_requested') return `callback requested for ${outcome.callback_at ?? 'no given time'}${outcome.address_update ? ', address corrected' : ''}`;
  if (outcome.address_update && !outcome.reason) return `${outcome.status}, address corrected`;
  if (!outcome.reason) return outcome.status;
  // invalid_number reasons are our own (the number already masked, an example number kept); others may echo a number.
  return `${outcome.status} (${outcome.status === 'invalid_number' ? outcome.reason : maskNumbersInText(outcome.reason)})`;
}

function calls(count: number): string {
  return count === 1 ? '1 call' : `${count} calls`;
}
