import { BadRequestException, Body, ConflictException, Controller, ForbiddenException, Get, Headers, HttpCode, Inject, Optional, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallOrchestrator, TransferDocumentRefusedError, type CallView } from '@codcall/call-orchestration';
import { IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_RULE, type GatewayHealthBody, type PlacedCallBody } from '@codcall/gateway-api';
import { Public } from '@codcall/nest-edge';
import { GATEWAY_CONFIG } from '../tokens';
import type { GatewayConfig } from '../config';
import { RedisMirroredCallStore } from '../persistence/redis-mirrored-call-store';
import { GATEWAY_LIMITS, PlaceCallDto } from './place-call.dto';

const MAX_WAIT_SECONDS = 60;

@Controller()
export class CallsController {
  constructor(
    @Inject(CallOrchestrator) private readonly calls: CallOrchestrator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    /** Distributed mode: Idempotency-Keys are claimed in Redis, so another gateway's key is never dialled here. */
    @Optional() @Inject(RedisMirroredCallStore) private readonly mirror?: RedisMirroredCallStore,
  ) {}

  /** Open to anyone, so it says nothing a caller could use: no key, number, agent or call. */
  @Public()
  @Get('health')
  health(): GatewayHealthBody {
    const { max_body_bytes, max_context_columns, max_context_value_chars } = GATEWAY_LIMITS;
    return { status: 'ok', carriers: this.calls.availableCarriers(), idempotency_keys: true, limits: { max_body_bytes, max_context_value_chars, max_context_columns } };
  }

  @Post('call')
  @HttpCode(201)
  async place(@Body() body: PlaceCallDto, @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey?: string): Promise<PlacedCallBody> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) throw new BadRequestException(IDEMPOTENCY_KEY_RULE);
    const dial = () => this.calls.placeCall({
      idempotencyKey,
      agentId: body.agent_id,
      to: body.recipient_phone_number,
      context: { ...(body.context ?? {}), recipient_phone_number: body.context?.['recipient_phone_number'] ?? body.recipient_phone_number },
      carrier: body.carrier ?? 'twilio',
      simulation: body.simulation,
    });
    const view = this.mirror && idempotencyKey !== undefined ? await this.mirror.dialWithClaimedKey(idempotencyKey, dial) : await dial();
    return { call_id: view.call_id, state: view.state };
  }

  /** Long-poll: `?wait=N` answers as soon as the call has an outcome, or after N seconds. */
  @Get('call/:id')
  async get(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Query('wait') wait?: string): Promise<CallView> {
    const seconds = Math.min(Math.max(Number(wait) || 0, 0), MAX_WAIT_SECONDS);
    return this.calls.waitForCompletion(id, seconds * 1000);
  }

  // ---- carrier webhooks: public, because every one is signature-checked against the public URL ----

  @Public()
  @Post('call/:id/answer')
  answer(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Req() req: Request, @Res() res: Response): void {
    this.verify(id, req);
    const document = this.calls.answerDocument(id, stringParams(req.body));
    res.status(200).type(document.contentType).send(document.body);
  }

  /**
   * Plivo's transfer API fetches the call's new XML here (its `aleg_url`) right after it answered
   * the transfer request, maybe after the call settled as transferred. A refused fetch is 409 like
   * a refused answer webhook: signed, so not forged, but not a transfer the call awaits.
   */
  @Public()
  @Post('call/:id/transfer')
  transfer(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Req() req: Request, @Res() res: Response): void {
    this.verify(id, req);
    const document = refusedAsConflict(() => this.calls.transferDocument(id, stringParams(req.body)));
    res.status(200).type(document.contentType).send(document.body);
  }

  @Public()
  @Post('call/:id/status')
  @HttpCode(204)
  async status(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Req() req: Request): Promise<void> {
    this.verify(id, req);
    await this.calls.handleStatusCallback(id, stringParams(req.body));
  }

  private verify(callId: string, req: Request): void {
    const carrier = this.calls.carrierFor(callId);
    const valid = carrier.verifyWebhook({
      method: req.method,
      url: this.config.publicBaseUrl + req.originalUrl,
      headers: req.headers,
      params: stringParams(req.body),
    });
    if (!valid) throw new ForbiddenException('invalid webhook signature');
  }
}

function stringParams(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') params[key] = value;
  return params;
}

/** A refused transfer fetch conflicts with the call's state (409), as a refused answer webhook does. */
function refusedAsConflict<T>(serve: () => T): T {
  try {
    return serve();
  } catch (error) {
    if (error instanceof TransferDocumentRefusedError) throw new ConflictException(error.message);
    throw error;
  }
}
