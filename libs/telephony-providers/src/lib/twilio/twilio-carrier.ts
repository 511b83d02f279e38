import twilio, { type Twilio } from 'twilio';
import type { Logger } from '@codcall/logging';
import type { AnswerDocument, AnswerDocumentRequest, Carrier, CarrierStatusUpdate, MediaStreamCodec, PlaceCallRequest, PlacedCall, WebhookRequest } from '../carrier';
import { TwilioMediaStreamCodec } from './media-stream-codec';
import { verifyTwilioSignature } from './signature';
import { mapTwilioStatus } from './status';
import { buildTwimlStream } from './twiml';

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

/**
 * Twilio through its official SDK: calls are placed with our answer URL, status callbacks for
 * every step and asynchronous answering-machine detection, and hung up through the API.
 */
export class TwilioCarrier implements Carrier {
  readonly name = 'twilio' as const;
  private readonly client: Twilio;

  constructor(private readonly options: TwilioCarrierOptions) {
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
              machineDetection: 'Enable',
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

  answerDocument(request: AnswerDocumentRequest): AnswerDocument {
    return buildTwimlStream(request);
  }

  parseStatusCallback(params: Record<string, string>): CarrierStatusUpdate | null {
    return mapTwilioStatus(params);
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return verifyTwilioSignature(this.options.authToken, request);
  }

  createMediaCodec(): MediaStreamCodec {
    return new TwilioMediaStreamCodec();
  }
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'status' in error && 'message' in error) return `${String(error.status)} ${String(error.message)}`;
  return error instanceof Error ? error.message : String(error);
}
