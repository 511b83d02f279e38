import { warmUpDeliverySlotParsing } from '@codcall/conversation-engine';
import { PlivoMediaStreamCodec, TwilioMediaStreamCodec, type MediaStreamCodec } from '@codcall/telephony-providers';

/** A start, a 20 ms frame, a mark and a stop in each carrier's words: every parse path a call takes. */
const SILENCE = Buffer.alloc(160, 0xff).toString('base64');
const SAMPLE_STREAMS: { codec: () => MediaStreamCodec; messages: unknown[] }[] = [
  {
    codec: () => new TwilioMediaStreamCodec(),
    messages: [
      { event: 'connected', protocol: 'Call', version: '1.0.0' },
      { event: 'start', sequenceNumber: '1', streamSid: 'MZwarmup', start: { streamSid: 'MZwarmup', callSid: 'CAwarmup', tracks: ['inbound'], customParameters: { call_id: 'warm-up' } } },
      // In Twilio's own key order: the layout its codec reads without JSON.parse.
      { event: 'media', sequenceNumber: '2', media: { track: 'inbound', chunk: '1', timestamp: '20', payload: SILENCE }, streamSid: 'MZwarmup' },
      { event: 'mark', sequenceNumber: '3', streamSid: 'MZwarmup', mark: { name: 'warm-up' } },
      { event: 'stop', sequenceNumber: '4', streamSid: 'MZwarmup', stop: { callSid: 'CAwarmup' } },
    ],
  },
  {
    codec: () => new PlivoMediaStreamCodec(),
    messages: [
      { event: 'start', sequenceNumber: 1, start: { callId: 'warm-up', streamId: 'warm-up', tracks: ['inbound'] }, extra_headers: '' },
      { event: 'media', sequenceNumber: 2, streamId: 'warm-up', media: { track: 'inbound', timestamp: '20', chunk: 1, payload: SILENCE } },
      { event: 'stop', sequenceNumber: 3, streamId: 'warm-up' },
    ],
  },
];

/** What the warm-up ran, for the start-up log and the spec. */
export interface WarmUpReport {
  deliverySlotsResolved: number;
  mediaMessagesParsed: number;
}

/**
 * Runs, once and before the gateway takes calls, what costs the first caller of a process a stall
 * for everyone: chrono-node's pattern compilation (the first reschedule) and the codecs' first
 * parse. The gateway validates no JSON schema of its own at runtime, so there is none to warm.
 */
export function warmUpGateway(): WarmUpReport {
  const deliverySlotsResolved = warmUpDeliverySlotParsing().length;
  let mediaMessagesParsed = 0;
  for (const sample of SAMPLE_STREAMS) {
    const codec = sample.codec();
    for (const message of sample.messages) {
      try {
        codec.parse(JSON.stringify(message));
        mediaMessagesParsed++;
      } catch {
        // A codec that refuses a sample has still been through its first parse; a bad sample is no reason not to start.
      }
    }
    codec.formatAudio(Buffer.alloc(160, 0xff));
    codec.formatMark('warm-up');
    codec.formatClear();
  }
  return { deliverySlotsResolved, mediaMessagesParsed };
}
