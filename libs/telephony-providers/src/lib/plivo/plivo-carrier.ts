import { maskPhone, type Logger } from '@codcall/logging';
import type { AnswerDocument, AnswerDocumentRequest, Carrier, CarrierCallLookup, CarrierStatusUpdate, MediaStreamCodec, PlaceCallRequest, PlacedCall, WebhookCallIds, WebhookRequest } from '../carrier';
import { CallTransferError, CarrierRequestError } from '../twilio/twilio-carrier';
import { buildPlivoDialXml, buildPlivoStreamXml } from './answer-xml';
import { PlivoMediaStreamCodec } from './media-stream-codec';
import { verifyPlivoSignature } from './signature';
import { mapPlivoStatus, plivoRequestUuid } from './status';

export interface PlivoCarrierOptions {
  authId: string;
  authToken: string;
  /** The caller id every call is placed from (E.164). */
  from: string;
  /** Plivo's REST API root; a fake server in tests. Default https://api.plivo.com. */
  apiBaseUrl?: string;
  logger: Logger;
  /** Per request; the SDK uses 5 s for voice requests. */
  timeoutMs?: number;
}

/** Plivo's own default detection window; stated so the request says what it asks for. */
const MACHINE_DETECTION_MS = 5000;

/**
 * Plivo over its REST API, spoken directly rather than through the plivo SDK: the SDK hard-codes
 * https://api.plivo.com for voice requests, so neither a regional endpoint nor a fake server
 * could be used, and it retries 5xx on its own. The wire format is the SDK's (4.79): JSON bodies
 * with snake_case keys, Basic auth. The SDK's XML builder and signature check are not used either
 * (see answer-xml.ts and signature.ts for why); the tests hold our versions to the SDK's.
 *
 * Plivo answers a new call with a request id and names the live call by another (CallUUID), so
 * the carrier keeps one for the other: a call still ringing is cancelled as a request, a live one
 * hung up as a call.
 */
export class PlivoCarrier implements Carrier {
  readonly name = 'plivo' as const;
  private readonly apiBaseUrl: string;
  /** Request ids we placed that Plivo has not yet told us the call of. */
  private readonly ringing = new Set<string>();
  /** Request id -> CallUUID, learnt from signed callbacks. */
  private readonly callUuids = new Map<string, string>();
  /** Request id -> where Plivo fetches the call's transfer document, as the gateway gave it when dialling. */
  private readonly transferUrls = new Map<string, string>();
  /** Request id -> the number a transfer under way dials: served at the transfer URL, never put in it. */
  private readonly transfers = new Map<string, string>();

  constructor(private readonly options: PlivoCarrierOptions) {
    this.apiBaseUrl = (options.apiBaseUrl ?? 'https://api.plivo.com').replace(/\/$/, '');
  }

  async placeCall(request: PlaceCallRequest): Promise<PlacedCall> {
    const body: Record<string, string | number> = {
      // Plivo's numbers carry the country code without the '+'.
      from: plivoNumber(request.from ?? this.options.from),
      to: plivoNumber(request.to),
      answer_url: request.answerUrl,
      answer_method: 'POST',
      hangup_url: request.statusCallbackUrl,
      hangup_method: 'POST',
      ring_timeout: request.ringTimeoutSeconds,
      ...(request.timeLimitSeconds ? { time_limit: request.timeLimitSeconds } : {}),
      ...(request.machineDetection
        ? {
            // 'true' reports the machine and leaves the call to us; Plivo has no end-of-greeting detection.
            machine_detection: 'true',
            machine_detection_time: MACHINE_DETECTION_MS,
            machine_detection_url: request.machineDetectionUrl ?? request.statusCallbackUrl,
            machine_detection_method: 'POST',
          }
        : {}),
    };
    const response = await this.request('POST', 'Call/', body).catch((error: unknown) => {
      throw new CarrierRequestError(`Plivo refused the call: ${describe(error)}`);
    });
    if (response.status !== 200 && response.status !== 201) throw new CarrierRequestError(`Plivo refused the call: ${await describeResponse(response)}`);
    const created = (await response.json().catch(() => ({}))) as { request_uuid?: unknown };
    const requestUuid = Array.isArray(created.request_uuid) ? created.request_uuid[0] : created.request_uuid;
    if (typeof requestUuid !== 'string' || !requestUuid) throw new CarrierRequestError('Plivo refused the call: its answer carried no request_uuid');
    this.ringing.add(requestUuid);
    if (request.transferUrl) this.transferUrls.set(requestUuid, request.transferUrl);
    return { carrierCallId: requestUuid };
  }

  /** Hangs up a live call, or cancels one still ringing; one that is already gone is fine. */
  async hangup(carrierCallId: string): Promise<void> {
    const requestUuid = this.requestUuidOf(carrierCallId);
    const callUuid = this.callUuids.get(carrierCallId) ?? (this.ringing.has(carrierCallId) ? undefined : carrierCallId);
    const action = callUuid ? `Call/${callUuid}/` : `Request/${carrierCallId}/`;
    try {
      const response = await this.request('DELETE', action);
      if (response.status === 404) {
        this.options.logger.info({ carrierCallId }, 'Plivo hangup: the call had already ended');
      } else if (response.status !== 204 && response.status !== 200) {
        this.options.logger.warn({ carrierCallId, err: await describeResponse(response) }, 'Plivo hangup refused');
      }
    } catch (error) {
      this.options.logger.warn({ carrierCallId, err: describe(error) }, 'Plivo hangup failed');
    }
    this.forget(requestUuid);
  }

  /**
   * Plivo's Transfer Call API: `POST Call/{CallUUID}/` with `legs=aleg` makes the live call fetch
   * and run new XML from `aleg_url`, leaving its `<Stream>`. That URL is the call's `transferUrl`,
   * where the gateway serves `transferDocument` (a `<Dial>` to the number). Plivo answers 202; a
   * call that is not live is not found (404).
   */
  async transfer(carrierCallId: string, to: string): Promise<void> {
    const fail = (message: string, reason: 'not_live' | 'refused'): never => {
      throw new CallTransferError(`Plivo would not transfer call ${carrierCallId} to ${maskPhone(to)}: ${message}`, carrierCallId, reason);
    };
    const requestUuid = this.requestUuidOf(carrierCallId);
    if (this.ringing.has(requestUuid)) fail('the call has not been answered', 'not_live');
    // Ended (its hangup callback came), or never placed by this process: there is nothing to move.
    if (!this.callUuids.has(requestUuid) && !this.transferUrls.has(requestUuid)) fail('this carrier holds no call by that id that is still up', 'not_live');
    const callUuid = this.callUuids.get(requestUuid) ?? carrierCallId;
    const alegUrl = this.transferUrls.get(requestUuid);
    if (!alegUrl) fail('no transfer URL was given when the call was placed', 'refused');
    try {
      buildPlivoDialXml(to, this.options.from);
    } catch (error) {
      fail(describe(error), 'refused');
    }
    // Plivo may fetch the document before its answer to this request reaches us: the number is ready first.
    this.transfers.set(requestUuid, to);
    let response: Response;
    try {
      response = await this.request('POST', `Call/${encodeURIComponent(callUuid)}/`, { legs: 'aleg', aleg_url: alegUrl, aleg_method: 'POST' });
    } catch (error) {
      this.transfers.delete(requestUuid);
      return fail(describe(error), 'refused');
    }
    if (response.status === 202 || response.status === 200) return;
    this.transfers.delete(requestUuid);
    fail(await describeResponse(response), response.status === 404 ? 'not_live' : 'refused');
  }

  /** The `<Dial>` for a transfer under way, by either of the call's ids. */
  transferDocument(carrierCallId: string): AnswerDocument | undefined {
    const to = this.transfers.get(this.requestUuidOf(carrierCallId));
    return to === undefined ? undefined : buildPlivoDialXml(to, this.options.from);
  }

  /**
   * Asks Plivo about a call we lost track of (after a restart) by either id: first as a live call
   * (`GET Call/{uuid}/?status=live`), then as one not yet answered (`?status=queued`, by its
   * request id). What is learnt decides how `hangup` ends it: a queued one is cancelled as a request.
   */
  async fetchCallState(carrierCallId: string): Promise<CarrierCallLookup> {
    const id = this.callUuids.get(carrierCallId) ?? carrierCallId;
    const ask = async (status: 'live' | 'queued') => {
      const response = await this.request('GET', `Call/${encodeURIComponent(id)}/?status=${status}`).catch((error: unknown) => {
        throw new CarrierRequestError(`Plivo could not say how call ${id} is: ${describe(error)}`);
      });
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw new CarrierRequestError(`Plivo could not say how call ${id} is: ${await describeResponse(response)}`);
      const body = (await response.json().catch(() => ({}))) as { call_status?: unknown };
      return typeof body.call_status === 'string' ? body.call_status : status === 'live' ? 'in-progress' : 'queued';
    };
    const live = await ask('live');
    if (live !== undefined) {
      this.ringing.delete(id);
      return { up: true, status: live };
    }
    const queued = await ask('queued');
    if (queued === undefined) return { up: false, status: 'not found' };
    this.ringing.add(id);
    return { up: true, status: queued };
  }

  answerDocument(request: AnswerDocumentRequest): AnswerDocument {
    return buildPlivoStreamXml(request);
  }

  /** Also learns which live call a request became; callers have checked the signature first. */
  parseStatusCallback(params: Record<string, string>): CarrierStatusUpdate | null {
    const update = mapPlivoStatus(params);
    const requestUuid = plivoRequestUuid(params);
    if (!update || !requestUuid) return update;
    if (update.state && ['completed', 'busy', 'no_answer', 'failed', 'canceled'].includes(update.state)) {
      this.forget(requestUuid);
    } else {
      this.ringing.delete(requestUuid);
      this.callUuids.set(requestUuid, update.carrierCallId);
    }
    // The same id the dial returned, so a callback and the call it belongs to agree.
    return { ...update, carrierCallId: requestUuid };
  }

  /**
   * Plivo names the dial by its request id and the answered call by its CallUUID. The answer
   * webhook is the first to name both (the hangup callback is the next), so the pair is learnt here:
   * a transfer or a hangup by either id then finds the live call. Callers have checked the signature.
   */
  webhookCallIds(params: Record<string, string>): WebhookCallIds {
    const dialled = plivoRequestUuid(params);
    const live = params['CallUUID'] || undefined;
    if (dialled && live && this.ringing.has(dialled)) {
      this.ringing.delete(dialled);
      this.callUuids.set(dialled, live);
    }
    return { dialled, live };
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return verifyPlivoSignature(this.options.authToken, request);
  }

  createMediaCodec(): MediaStreamCodec {
    return new PlivoMediaStreamCodec();
  }

  private forget(requestUuid: string): void {
    this.ringing.delete(requestUuid);
    this.callUuids.delete(requestUuid);
    this.transferUrls.delete(requestUuid);
    this.transfers.delete(requestUuid);
  }

  /** The request id a call was placed as, given it or the live call's CallUUID. */
  private requestUuidOf(carrierCallId: string): string {
    if (this.callUuids.has(carrierCallId) || this.ringing.has(carrierCallId)) return carrierCallId;
    for (const [requestUuid, callUuid] of this.callUuids) if (callUuid === carrierCallId) return requestUuid;
    return carrierCallId;
  }

  private request(method: 'GET' | 'POST' | 'DELETE', action: string, body?: unknown): Promise<Response> {
    const { authId, authToken } = this.options;
    return fetch(`${this.apiBaseUrl}/v1/Account/${encodeURIComponent(authId)}/${action}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'codcall (plivo REST)',
      },
      // The SDK sends '{}' with a DELETE too; a GET carries its parameters in the query.
      ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
  }
}

function plivoNumber(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** Status and Plivo's own words, never the request (it carries the credentials). */
async function describeResponse(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  let message = text.trim();
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    const said = body.error ?? body.message;
    if (said !== undefined) message = typeof said === 'string' ? said : JSON.stringify(said);
  } catch {
    // not JSON: the text as it came
  }
  return `${response.status} ${message.slice(0, 300)}`.trim();
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer from the Plivo API in time';
  return error instanceof Error ? error.message : String(error);
}
