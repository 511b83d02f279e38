import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CallOrchestrator, GatewayAtCapacityError } from '@codcall/call-orchestration';
import { CallQueueWorker, type DialRecord } from '@codcall/call-queue';
import type { CallView, PlaceCallRequest } from '@codcall/campaign';
import { silentLogger, type Logger } from '@codcall/logging';
import { GATEWAY_LIMITS } from '../calls/place-call.dto';
import type { GatewayConfig } from '../config';
import { isPublicPortOpen } from '../cluster/worker-messages';
import type { RedisMirroredCallStore } from '../persistence/redis-mirrored-call-store';
import { campaignCallView } from './call-view';

/** How long one wait on the orchestrator lasts before it is asked again (a call can outlast it). */
const COMPLETION_WAIT_MS = 60_000;
/** A dial refused because POST /call took the last slot waits this long before asking again. */
const CAPACITY_RETRY_MS = 500;

/** This process's id in Redis: GATEWAY_ID, and `.w<index>` for a worker of a multi-process gateway (each is its own queue worker). */
export function processGatewayId(queue: NonNullable<GatewayConfig['queue']>, config: Pick<GatewayConfig, 'worker'>): string {
  return config.worker ? `${queue.gatewayId}.w${config.worker.index}` : queue.gatewayId;
}

/**
 * The gateway's worker in distributed mode (REDIS_URL): takes calls from every campaign's BullMQ
 * queue, at most this process's GATEWAY_MAX_CALLS share, and dials them through its own
 * orchestrator, so their webhooks and media come to this process's PUBLIC_BASE_URL as for
 * POST /call. Each process of a multi-process gateway is its own worker (GATEWAY_ID.w<index>).
 * On shutdown it stops taking jobs and waits for the calls it holds before the gateway ends what is left.
 */
export class GatewayCallQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly worker: CallQueueWorker;
  readonly gatewayId: string;
  private readonly waitsForPrimary: boolean;
  private taking?: Promise<void>;

  constructor(
    queue: NonNullable<GatewayConfig['queue']>,
    config: GatewayConfig,
    private readonly calls: CallOrchestrator,
    private readonly logger: Logger = silentLogger(),
    /** The call store's Redis mirror: a job come back to this gateway finds its call there when the disk lost it. */
    mirror?: RedisMirroredCallStore,
  ) {
    this.gatewayId = processGatewayId(queue, config);
    this.waitsForPrimary = config.worker !== undefined;
    this.worker = new CallQueueWorker({
      redisUrl: queue.redisUrl,
      gatewayId: this.gatewayId,
      publicBaseUrl: config.publicBaseUrl,
      carriers: calls.availableCarriers(),
      maxCalls: config.maxCalls,
      limits: { maxBodyBytes: GATEWAY_LIMITS.max_body_bytes, maxContextValueChars: GATEWAY_LIMITS.max_context_value_chars, maxContextColumns: GATEWAY_LIMITS.max_context_columns },
      lockMs: queue.lockSeconds * 1000,
      placeCall: (request) => this.place(request),
      waitForCompletion: (callId) => this.completion(callId),
      ...(mirror ? { recoverDial: (_key: string, record: DialRecord) => mirror.recoverDial(record) } : {}),
      logger,
    });
  }

  /**
   * A single process takes calls at once (it listens right after); a worker of a multi-process
   * gateway once the primary says it listens on the public port (over the IPC channel).
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.waitsForPrimary) return this.takeCalls();
    process.on('message', this.onPrimaryMessage);
  }

  private readonly onPrimaryMessage = (message: unknown): void => {
    if (!isPublicPortOpen(message)) return;
    this.takeCalls().catch((error: unknown) => this.logger.error({ err: error }, 'could not start taking calls from the Redis queues'));
  };

  /** Starts taking calls from the queues (once; the gateway's public port must be open by now). */
  takeCalls(): Promise<void> {
    this.taking ??= this.worker.start().then(() => this.logger.info({ gatewayId: this.gatewayId }, 'taking calls from the campaigns queued in Redis'));
    return this.taking;
  }

  /** The first shutdown hook: before the media gateway's beforeApplicationShutdown ends every call still live. */
  async onModuleDestroy(): Promise<void> {
    process.off('message', this.onPrimaryMessage);
    await this.taking?.catch(() => undefined);
    this.logger.info({ gatewayId: this.gatewayId, calls: this.worker.callsInProgress }, 'no more queued calls taken; waiting for the ones in progress');
    await this.worker.stop();
  }

  private async place(request: PlaceCallRequest): Promise<{ callId: string }> {
    for (;;) {
      try {
        const view = await this.calls.placeCall({
          idempotencyKey: request.idempotencyKey,
          agentId: request.agentId,
          to: request.to,
          context: { ...request.context, recipient_phone_number: request.context['recipient_phone_number'] ?? request.to },
          carrier: request.carrier,
          simulation: request.simulation,
        });
        return { callId: view.call_id };
      } catch (error) {
        // Calls placed over POST /call count too: the job keeps its claim and waits for a slot.
        if (!(error instanceof GatewayAtCapacityError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, CAPACITY_RETRY_MS));
      }
    }
  }

  private async completion(callId: string): Promise<CallView> {
    for (;;) {
      const view = await this.calls.waitForCompletion(callId, COMPLETION_WAIT_MS);
      if (view.state === 'completed' && view.outcome) return campaignCallView(view);
      // Not live here and not ended (a view from the store): look again rather than spin.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
