import twilio from 'twilio';
import type { AnswerDocument, AnswerDocumentRequest } from '../carrier';

/**
 * `<Connect><Stream>` with every per-call value as a `<Parameter>`: Twilio drops query strings on
 * stream URLs (the seed system lost its customer data that way), so we refuse to build one.
 */
export function buildTwimlStream(request: AnswerDocumentRequest): AnswerDocument {
  const url = new URL(request.streamUrl);
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new Error(`stream URL must be ws:// or wss://, got ${url.protocol}`);
  if (url.search) throw new Error('stream URL must not carry a query string: Twilio drops it; use parameters');
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.connect().stream({ url: request.streamUrl });
  for (const [name, value] of Object.entries(request.parameters)) stream.parameter({ name, value });
  return { contentType: 'text/xml', body: response.toString() };
}
