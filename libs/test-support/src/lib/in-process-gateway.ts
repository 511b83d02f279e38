import type { CallOutcome, CallView, GatewayClient, GatewayHealth, PlaceCallRequest, PlacedCall } from '@codcall/campaign';

/** What the in-process gateway does with one dial: the call's outcome and what the gateway would keep of it. */
export type InProcessCallScript = Omit<CallView, 'callId' | 'state' | 'outcome'> & { outcome: CallOutcome };

export interface InProcessDial {
  callId: string;
  to: string;
  orderId: string;
  /** The clock's time when the dial was asked for. */
  at: number;
}

/**
 * A GatewayClient without HTTP: every call ends at once with the scripted outcome. For tests on
 * fake time (windows, retries, pacing) and for benchmarks that measure the campaign, not a network.
 */
export class InProcessGateway implements GatewayClient {
  readonly baseUrl = 'in-process://gateway';
  readonly dials: InProcessDial[] = [];
  private readonly calls = new Map<string, CallView>();
  private readonly perNumber = new Map<string, number>();
  private placed = 0;

  constructor(
    private readonly script: (request: PlaceCallRequest, dialsToThisNumber: number) => InProcessCallScript = () => ({ outcome: { status: 'confirmed' } }),
    private readonly now: () => number = Date.now,
    /** keepDials false: count dials per number only (benchmarks: memory stays flat). */
    private readonly options: { keepDials?: boolean } = {},
  ) {}

  async health(): Promise<GatewayHealth> {
    return { status: 'ok', carriers: ['sim'], idempotencyKeys: false };
  }

  async placeCall(request: PlaceCallRequest): Promise<PlacedCall> {
    const count = (this.perNumber.get(request.to) ?? 0) + 1;
    this.perNumber.set(request.to, count);
    const callId = `call-${++this.placed}`;
    if (this.options.keepDials !== false) this.dials.push({ callId, to: request.to, orderId: request.context['order_id'] ?? '', at: this.now() });
    const { outcome, ...record } = this.script(request, count);
    this.calls.set(callId, { callId, state: 'completed', outcome, ...record });
    return { callId, state: 'queued' };
  }

  async waitForCall(callId: string): Promise<CallView> {
    const view = this.calls.get(callId);
    if (!view) throw new Error(`no call ${callId}`);
    this.calls.delete(callId); // asked once: memory stays flat over a long benchmark
    return view;
  }

  /** Dials per number, for "called exactly once" checks. */
  dialsPerNumber(): Map<string, number> {
    return new Map(this.perNumber);
  }
}
