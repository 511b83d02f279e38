import type { CampaignEvent } from '@codcall/campaign';
import type { CliDeps, Signal } from './cli-deps';
import { SIGNAL_EXIT_CODES } from './exit-codes';
import type { ProgressDisplay } from './progress';

/**
 * Ctrl-C and SIGTERM during a campaign. The first stops dialling: calls in flight still end and
 * are recorded (the campaign says how many). The second leaves at once; outcomes already
 * recorded are safe in the CSV's journal.
 */
export class CampaignInterruption {
  private readonly controller = new AbortController();
  private readonly rowsInFlight = new Set<string>();
  private readonly unsubscribe: () => void;
  private first?: Signal;

  constructor(
    private readonly deps: Pick<CliDeps, 'onSignal' | 'exitNow' | 'stderr'>,
    private readonly progress: ProgressDisplay,
  ) {
    this.unsubscribe = deps.onSignal((signal) => this.receive(signal));
  }

  /** Aborted by the first signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The exit code for an interrupted campaign: 130 after SIGINT, 143 after SIGTERM. */
  get exitCode(): number {
    return SIGNAL_EXIT_CODES[this.first ?? 'SIGINT'];
  }

  /** Follows the campaign's events to know how many calls a hard exit would abandon. */
  track(event: CampaignEvent): void {
    if (event.type === 'row-started' || event.type === 'call-resumed') this.rowsInFlight.add(event.row.key);
    else if (event.type === 'row-finished' || event.type === 'row-error' || event.type === 'retry-scheduled') this.rowsInFlight.delete(event.row.key);
  }

  dispose(): void {
    this.unsubscribe();
  }

  private receive(signal: Signal): void {
    if (!this.first) {
      this.first = signal;
      this.controller.abort(); // the campaign answers with a "stopping" event, which the progress shows
      return;
    }
    this.progress.stop();
    const count = this.rowsInFlight.size;
    const left = count ? ` ${count} ${count === 1 ? 'call' : 'calls'} still in flight will be asked after by the next run;` : '';
    this.deps.stderr.write(`outbound-cli: quitting now;${left} outcomes already received are kept.\n`);
    this.deps.exitNow(SIGNAL_EXIT_CODES[signal]);
  }
}
