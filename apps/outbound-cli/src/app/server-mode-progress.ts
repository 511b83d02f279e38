import type { CallOutcome, WaitReason } from '@codcall/campaign';
import type { CallListRow } from '@codcall/call-list';
import type { CampaignEventView, CampaignView } from '@codcall/gateway-api';
import type { OutcomeStatus } from '@codcall/call-list';
import type { ProgressDisplay } from './progress';

const WAIT_REASONS: readonly WaitReason[] = ['calling window', 'retry', 'callback'];

/**
 * Turns the campaign-api's events into the local run's CampaignEvents, so a campaign followed on
 * the service shows the same bar, lines and tally as one run here. The service names rows by line;
 * the rows come from the local copy of the CSV (for the masked number in each line), or are
 * made from what the event says when the line is not in it.
 */
export class ServerProgressBridge {
  private started = false;

  constructor(
    private readonly progress: ProgressDisplay,
    private readonly rowsByLine: ReadonlyMap<number, CallListRow>,
  ) {}

  handle(event: CampaignEventView): void {
    switch (event.type) {
      case 'snapshot':
        this.snapshot(event.campaign);
        break;
      case 'row-started':
        this.progress.handle({ type: 'row-started', row: this.row(event.line, event.order_id), attempt: event.attempt });
        break;
      case 'call-placed':
        this.progress.handle({ type: 'call-placed', row: this.row(event.line, event.order_id), callId: event.call_id });
        break;
      case 'outcome': {
        const row = this.row(event.line, event.order_id);
        const outcome = outcomeOf(event);
        const nextDueAt = event.next_due_at ? Date.parse(event.next_due_at) : NaN;
        if (!event.final && Number.isFinite(nextDueAt)) this.progress.handle({ type: 'retry-scheduled', row, outcome, attempt: event.attempts, nextDueAt });
        else this.progress.handle({ type: 'row-finished', row, outcome, callId: event.call_id, attempts: event.attempts });
        break;
      }
      case 'waiting': {
        const nextDueAt = Date.parse(event.next_due_at);
        const reason = WAIT_REASONS.find((known) => known === event.reason);
        if (reason && Number.isFinite(nextDueAt)) this.progress.handle({ type: 'waiting', rows: event.rows, nextDueAt, reason });
        else this.progress.note(`${event.rows} ${event.rows === 1 ? 'row waits' : 'rows wait'} (${event.reason}); the next call is due at ${event.next_due_at}.`);
        break;
      }
      case 'state':
        if (event.state === 'paused') this.progress.note('The campaign was paused on the server: no new calls start until it is resumed (POST /campaigns/:id/resume).');
        else if (event.state === 'running') this.progress.note('The campaign runs on the server.');
        else if (event.state === 'cancelled') this.progress.note('The campaign was cancelled on the server: calls in flight finish, the other rows are left as they are.');
        break;
      default:
        break;
    }
  }

  private snapshot(campaign: CampaignView): void {
    if (this.started) {
      // A reconnect the service could not replay: the events missed are summed up in its counts.
      this.progress.note(`Reconnected: ${campaign.rows.done} of ${campaign.rows.total} rows done on the server, ${campaign.rows.in_flight} in flight.`);
      return;
    }
    this.started = true;
    const preflight = campaign.preflight;
    this.progress.handle({
      type: 'campaign-started',
      total: campaign.rows.total,
      pending: campaign.rows.total - campaign.rows.done,
      skippedFinal: preflight?.already_final ?? 0,
      skippedUnknownStatus: preflight?.unknown_statuses.length ?? 0,
      skippedUnknownLanguage: preflight?.unknown_languages.length ?? 0,
      invalidNumbers: preflight?.invalid_numbers.length ?? 0,
      resumed: 0,
    });
  }

  private row(line: number, orderId: string | undefined): CallListRow {
    const known = this.rowsByLine.get(line);
    if (known) return known;
    const values: Record<string, string> = { order_id: orderId ?? '', recipient_phone_number: '' };
    return { key: `line:${line}`, index: line - 2, line, values, phone: { ok: false, reason: 'not in the local file' }, status: '', statusKind: 'pending' };
  }
}

function outcomeOf(event: Extract<CampaignEventView, { type: 'outcome' }>): CallOutcome {
  return {
    status: event.status as OutcomeStatus,
    reschedule_date: event.reschedule_date,
    reschedule_time: event.reschedule_time,
    callback_at: event.callback_at,
    reason: event.reason,
  };
}
