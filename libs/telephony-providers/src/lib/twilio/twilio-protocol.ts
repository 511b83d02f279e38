import type { AnswerDocument, AnswerDocumentRequest, CarrierStatusUpdate, MediaStreamCodec, WebhookCallIds, WebhookRequest } from '../carrier';
import { TwilioMediaStreamCodec } from './media-stream-codec';
import { verifyTwilioSignature } from './signature';
import { mapTwilioStatus } from './status';
import { buildTwimlStream } from './twiml';

/**
 * The half of a carrier that is Twilio's wire protocol: TwiML answers, status mapping, webhook
 * signatures and Media Streams. Twilio itself and the simulator (which speaks the same protocol)
 * differ only in how calls are placed and hung up.
 */
export abstract class TwilioProtocol {
  protected constructor(private readonly signingSecret: string) {}

  answerDocument(request: AnswerDocumentRequest): AnswerDocument {
    return buildTwimlStream(request);
  }

  parseStatusCallback(params: Record<string, string>): CarrierStatusUpdate | null {
    return mapTwilioStatus(params);
  }

  /** Twilio names a call by one id, its CallSid, from the dial to the hangup. */
  webhookCallIds(params: Record<string, string>): WebhookCallIds {
    const sid = params['CallSid'] || undefined;
    return { dialled: sid, live: sid };
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return verifyTwilioSignature(this.signingSecret, request);
  }

  createMediaCodec(): MediaStreamCodec {
    return new TwilioMediaStreamCodec();
  }
}
