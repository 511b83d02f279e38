import { randomBytes } from 'node:crypto';
import type { PlaceCallRequest } from '../carrier';
import { signTwilioRequest } from '../twilio/signature';

/** A scripted call's progress, in Twilio's words (each dialect translates). */
export type CallProgress = 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer';

/** One signed form POST from the carrier to the gateway. */
export interface CarrierWebhook {
  url: string;
  params: Record<string, string>;
  headers: Record<string, string>;
}

/** What the gateway asks of the carrier's media socket, in any dialect. */
export type GatewayAudioCommand = { kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string } | { kind: 'clear' };

/**
 * How a scripted callee's call looks on one carrier's wire: its webhooks and its media-stream
 * messages. The callee's behaviour (ringing, speaking in real time, playing the agent's audio,
 * taking turns) is the carrier's business nowhere: it lives in SimulatedCall.
 */
export interface CalleeWire {
  forCall(call: { carrierCallId: string; request: PlaceCallRequest }): CalleeCallWire;
}

export interface CalleeCallWire {
  /** The callback for a change in progress; null for one this carrier does not report. */
  progress(status: CallProgress, durationSeconds?: number): CarrierWebhook | null;
  /** The request that fetches the answer document. */
  answer(): CarrierWebhook;
  /** The machine-detection callback; null when this carrier cannot tell that result. */
  machine(result: 'machine_start' | 'machine_end_beep'): CarrierWebhook | null;
  /** Reads the answer document: where the stream goes, with what; null when it has no stream. */
  stream(answerDocument: string): CalleeStreamWire | null;
}

export interface CalleeStreamWire {
  readonly url: string;
  /** Our call id, when the answer document carries it (the side channel is keyed by it). */
  readonly callId?: string;
  /** Sent as soon as the socket opens. */
  opening(): unknown[];
  /** One 20 ms frame of the callee's voice; `chunk` counts frames from 1. */
  audio(frame: Buffer, chunk: number): unknown;
  /** The audio before this mark has been played to the callee. */
  played(name: string): unknown;
  /** Answers a clear; `dropped` are the marks whose audio was dropped with it. */
  cleared(dropped: string[]): unknown[];
  /** One keypad digit pressed by the callee; absent where the dialect cannot carry DTMF. */
  dtmf?(digit: string): unknown;
  /** Sent before the carrier closes the socket at the end of the call; null to just close. */
  stop(): unknown | null;
  read(text: string): GatewayAudioCommand | null;
}

const ACCOUNT_SID = 'AC' + '5'.repeat(32);

/** Twilio's wire, as the simulator carrier and the fake Twilio server speak it. */
export class TwilioCalleeWire implements CalleeWire {
  constructor(private readonly authToken: string) {}

  forCall({ carrierCallId: sid, request }: { carrierCallId: string; request: PlaceCallRequest }): CalleeCallWire {
    const post = (url: string, params: Record<string, string>): CarrierWebhook => ({
      url,
      params,
      headers: { 'x-twilio-signature': signTwilioRequest(this.authToken, url, params) },
    });
    const base = (status: string): Record<string, string> => ({
      CallSid: sid,
      AccountSid: ACCOUNT_SID,
      From: request.from ?? '+15005550006',
      To: request.to,
      Direction: 'outbound-api',
      ApiVersion: '2010-04-01',
      CallStatus: status,
    });
    return {
      progress: (status, durationSeconds) =>
        post(request.statusCallbackUrl, { ...base(status), ...(durationSeconds !== undefined ? { CallDuration: String(durationSeconds) } : {}) }),
      answer: () => post(request.answerUrl, base('in-progress')),
      machine: (result) => post(request.machineDetectionUrl ?? request.statusCallbackUrl, { ...base('in-progress'), AnsweredBy: result }),
      stream: (twiml) => {
        const stream = parseStreamTwiml(twiml);
        return stream ? new TwilioStreamWire(sid, stream.url, stream.parameters) : null;
      },
    };
  }
}

class TwilioStreamWire implements CalleeStreamWire {
  private readonly streamSid = 'MZ' + randomBytes(16).toString('hex');
  private sequence = 0;
  readonly callId?: string;

  constructor(
    private readonly callSid: string,
    readonly url: string,
    private readonly parameters: Record<string, string>,
  ) {
    this.callId = parameters['call_id'];
  }

  opening(): unknown[] {
    return [
      { event: 'connected', protocol: 'Call', version: '1.0.0' },
      {
        event: 'start',
        sequenceNumber: this.seq(),
        streamSid: this.streamSid,
        start: {
          streamSid: this.streamSid,
          accountSid: ACCOUNT_SID,
          callSid: this.callSid,
          tracks: ['inbound'],
          customParameters: this.parameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      },
    ];
  }

  audio(frame: Buffer, chunk: number): unknown {
    return {
      event: 'media',
      sequenceNumber: this.seq(),
      media: { track: 'inbound', chunk: String(chunk), timestamp: String(chunk * 20), payload: frame.toString('base64') },
      // Last, as Twilio sends it (and as the codec reads it without JSON.parse).
      streamSid: this.streamSid,
    };
  }

  played(name: string): unknown {
    return { event: 'mark', sequenceNumber: this.seq(), streamSid: this.streamSid, mark: { name } };
  }

  /** Twilio answers a clear by returning the dropped marks at once. */
  cleared(dropped: string[]): unknown[] {
    return dropped.map((name) => this.played(name));
  }

  dtmf(digit: string): unknown {
    return { event: 'dtmf', streamSid: this.streamSid, sequenceNumber: this.seq(), dtmf: { track: 'inbound_track', digit } };
  }

  stop(): unknown {
    return { event: 'stop', sequenceNumber: this.seq(), streamSid: this.streamSid, stop: { accountSid: ACCOUNT_SID, callSid: this.callSid } };
  }

  read(text: string): GatewayAudioCommand | null {
    let message: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return null;
    }
    if (message.event === 'media' && message.media?.payload) return { kind: 'audio', bytes: Buffer.from(message.media.payload, 'base64') };
    if (message.event === 'mark' && message.mark?.name) return { kind: 'mark', name: message.mark.name };
    if (message.event === 'clear') return { kind: 'clear' };
    return null;
  }

  private seq(): string {
    return String(++this.sequence);
  }
}

/** Reads the stream URL and parameters out of a `<Connect><Stream>` TwiML document. */
export function parseStreamTwiml(twiml: string): { url: string; parameters: Record<string, string> } | null {
  const stream = /<Connect>\s*<Stream\b([^>]*?)(\/>|>([\s\S]*?)<\/Stream>)/.exec(twiml);
  if (!stream) return null;
  const url = attribute(stream[1], 'url');
  if (!url) return null;
  const parameters: Record<string, string> = {};
  for (const match of (stream[3] ?? '').matchAll(/<Parameter\b([^>]*?)\/>/g)) {
    const name = attribute(match[1], 'name');
    if (name) parameters[name] = attribute(match[1], 'value') ?? '';
  }
  return { url, parameters };
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(attributes);
  return match ? decodeXml(match[1]) : undefined;
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity] ?? '');
}
