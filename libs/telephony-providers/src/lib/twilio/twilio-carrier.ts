import twilio, { type Twilio } from 'twilio';
import { maskPhone, type Logger } from '@codcall/logging';
import type { Carrier, CarrierCallLookup, PlaceCallRequest, PlacedCall } from '../carrier';
import { TwilioProtocol } from './twilio-protocol';

export interface TwilioCarrierOptions {
  accountSid: string;
  authToken: string;
  /** The caller id every call is placed from (E.164). */
  from: string;
  /** Points the SDK's Calls API elsewhere: a regional edge, or a fake server in tests. */
  apiBaseUrl?: string;
  logger: Logger;
}

export class CarrierRequestError extends Error {}

/** The carrier would not move the call: it had ended, it never existed, or the request failed. */
export class CallTransferError extends CarrierRequestError {
  constructor(
    message: string,
    readonly carrierCallId: string,
    /** 'not_live': the carrier knows no live call by that id (hung up, or never placed). */
    readonly reason: 'not_live' | 'refused',
  ) {
    super(message);
    this.name = 'CallTransferError';
  }
}

/**
 * Twilio through its official SDK: calls are placed with our answer URL, status callbacks for
 * every step and asynchronous answering-machine detection, and hung up through the API.
 */
export class TwilioCarrier extends TwilioProtocol implements Carrier {
  readonly name = 'twilio' as const;
  private readonly client: Twilio;

  constructor(private readonly options: TwilioCarrierOptions) {
    super(options.authToken);
    this.client = twilio(options.accountSid, options.authToken);
    if (options.apiBaseUrl) this.client.api.baseUrl = options.apiBaseUrl.replace(/\/$/, '');
  }

  async placeCall(request: PlaceCallRequest): Promise<PlacedCall> {
    try {
      const call = await this.client.calls.create({
        to: request.to,
        from: request.from ?? this.options.from,
        url: request.answerUrl,
        method: 'POST',
        statusCallback: request.statusCallbackUrl,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        timeout: request.ringTimeoutSeconds,
        ...(request.timeLimitSeconds ? { timeLimit: request.timeLimitSeconds } : {}),
        ...(request.machineDetection
          ? {
              machineDetection: request.machineDetectionMode === 'message_end' ? 'DetectMessageEnd' : 'Enable',
              asyncAmd: 'true',
              asyncAmdStatusCallback: request.machineDetectionUrl ?? request.statusCallbackUrl,
              asyncAmdStatusCallbackMethod: 'POST',
            }
          : {}),
      });
      return { carrierCallId: call.sid };
    } catch (error) {
      throw new CarrierRequestError(`Twilio refused the call: ${describe(error)}`);
    }
  }

  async hangup(carrierCallId: string): Promise<void> {
    try {
      await this.client.calls(carrierCallId).update({ status: 'completed' });
    } catch (error) {
      // A call that already ended is not an error worth more than a line.
      this.options.logger.warn({ carrierCallId, err: describe(error) }, 'Twilio hangup refused');
    }
  }

  /**
   * Replaces the live call's TwiML with a `<Dial>`: Twilio leaves the media stream's `<Connect>`
   * and bridges the callee to the number. The SDK's TwiML builder escapes the number as XML.
   * Twilio answers 404 (20404) for a call it does not know and 400 (21220) for one no longer in progress.
   */
  async transfer(carrierCallId: string, to: string): Promise<void> {
    const twiml = new twilio.twiml.VoiceResponse();
    twiml.dial(to);
    try {
      await this.client.calls(carrierCallId).update({ twiml: twiml.toString() });
    } catch (error) {
      const { status, code } = (error && typeof error === 'object' ? error : {}) as { status?: unknown; code?: unknown };
      const reason = status === 404 || code === CALL_NOT_IN_PROGRESS ? 'not_live' : 'refused';
      throw new CallTransferError(`Twilio would not transfer call ${carrierCallId} to ${maskPhone(to)}: ${describe(error)}`, carrierCallId, reason);
    }
  }

  /** GET .../Calls/{CallSid}.json; a call Twilio does not know (404) is not up. */
  async fetchCallState(carrierCallId: string): Promise<CarrierCallLookup> {
    try {
      const call = await this.client.calls(carrierCallId).fetch();
      return { up: UP_STATUSES.has(call.status), status: call.status };
    } catch (error) {
      if (error && typeof error === 'object' && 'status' in error && error.status === 404) return { up: false, status: 'not found' };
      throw new CarrierRequestError(`Twilio could not say how call ${carrierCallId} is: ${describe(error)}`);
    }
  }
}

/** Twilio's error for new TwiML on a call that is no longer (or not yet) in progress. */
const CALL_NOT_IN_PROGRESS = 21220;

/** Twilio's statuses of a call whose line may still be up. */
const UP_STATUSES = new Set(['queued', 'ringing', 'in-progress']);

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'status' in error && 'message' in error) {
    // Twilio's own error code (20404, 21220, ...) says more than the status: keep it.
    const code = 'code' in error && error.code ? ` (${String(error.code)})` : '';
    return `${String(error.status)}${code} ${String(error.message)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
