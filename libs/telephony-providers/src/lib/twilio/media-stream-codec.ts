import type { CallMediaEvent } from '@codcall/media';
import type { MediaStreamCodec } from '../carrier';

export class MediaStreamProtocolError extends Error {}

interface TwilioMessage {
  event?: string;
  streamSid?: string;
  start?: { streamSid?: string; callSid?: string; customParameters?: Record<string, string> };
  media?: { track?: string; payload?: string; timestamp?: string };
  mark?: { name?: string };
  dtmf?: { digit?: string };
}

/**
 * Twilio bidirectional Media Streams: JSON text frames, base64 mu-law payloads. One codec per
 * socket: outbound messages need the streamSid that arrives in `start`.
 */
export class TwilioMediaStreamCodec implements MediaStreamCodec {
  private streamSid?: string;
  /** `{"event":"media","streamSid":"MZ..","media":{"payload":"`: every outgoing audio message starts so. */
  private audioPrefix?: string;

  parse(message: string): CallMediaEvent[] {
    // One message a call every 20 ms is media, in Twilio's own layout: one anchored regular
    // expression reads it in about half the time of JSON.parse (bench/media-path.bench.ts). It
    // only matches valid JSON whose strings hold no escapes, so both readings agree; any other
    // message, or a layout Twilio may change to, takes the full parse.
    const media = TWILIO_MEDIA.exec(message);
    if (media) {
      const at = media[3] === undefined ? 4 : 1;
      if (media[at] && media[at] !== 'inbound') return NOTHING;
      const audio: CallMediaEvent = { type: 'audio', payload: Buffer.from(media[at + 2], 'base64'), timestampMs: Number(media[at + 1]) };
      return [audio];
    }
    return this.parseInFull(message);
  }

  private parseInFull(message: string): CallMediaEvent[] {
    let data: TwilioMessage;
    try {
      data = JSON.parse(message) as TwilioMessage;
    } catch {
      throw new MediaStreamProtocolError('media stream message is not JSON');
    }
    switch (data.event) {
      case 'connected':
        return [];
      case 'start': {
        const streamSid = data.start?.streamSid ?? data.streamSid;
        if (!streamSid || !data.start?.callSid) throw new MediaStreamProtocolError('start message without streamSid or callSid');
        this.streamSid = streamSid;
        this.audioPrefix = `{"event":"media","streamSid":${JSON.stringify(streamSid)},"media":{"payload":"`;
        return [{ type: 'start', streamId: streamSid, carrierCallId: data.start.callSid, parameters: { ...(data.start.customParameters ?? {}) } }];
      }
      case 'media': {
        const media = data.media;
        // Only the callee's side: an outbound track echo would make the agent hear itself.
        if (media?.track && media.track !== 'inbound') return NOTHING;
        if (typeof media?.payload !== 'string') throw new MediaStreamProtocolError('media message without payload');
        const audio: CallMediaEvent = { type: 'audio', payload: Buffer.from(media.payload, 'base64') };
        const timestamp = Number(media.timestamp);
        if (Number.isFinite(timestamp)) audio.timestampMs = timestamp;
        return [audio];
      }
      case 'mark':
        return data.mark?.name ? [{ type: 'mark', name: data.mark.name }] : [];
      case 'dtmf':
        return data.dtmf?.digit ? [{ type: 'dtmf', digit: data.dtmf.digit }] : [];
      case 'stop':
        return [{ type: 'stop' }];
      default:
        throw new MediaStreamProtocolError(`unknown media stream event "${String(data.event)}"`);
    }
  }

  /** What JSON.stringify would write, without building the object: base64 needs no escaping. */
  formatAudio(mulaw: Buffer): string {
    this.sid();
    return `${this.audioPrefix}${mulaw.toString('base64')}"}}`;
  }

  formatMark(name: string): string {
    return JSON.stringify({ event: 'mark', streamSid: this.sid(), mark: { name } });
  }

  formatClear(): string {
    return JSON.stringify({ event: 'clear', streamSid: this.sid() });
  }

  private sid(): string {
    if (!this.streamSid) throw new MediaStreamProtocolError('cannot send on a media stream before its start message');
    return this.streamSid;
  }
}

/** `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"..."},"streamSid":"MZ..."}`, as Twilio documents and sends it. */
/**
 * Twilio's documented layout (streamSid after media), and the same fields with streamSid before
 * media, as libraries that re-serialise Twilio's messages write them. Never both: a message
 * naming the stream twice takes the full parse.
 */
const TWILIO_MEDIA =
  /^\{"event":"media","sequenceNumber":"\d{1,15}",(?:"streamSid":"[A-Za-z0-9]{1,64}","media":\{"track":"([a-z_]{0,32})","chunk":"\d{1,15}","timestamp":"(\d{1,15})","payload":"([A-Za-z0-9+/]*={0,2})"\}|"media":\{"track":"([a-z_]{0,32})","chunk":"\d{1,15}","timestamp":"(\d{1,15})","payload":"([A-Za-z0-9+/]*={0,2})"\},"streamSid":"[A-Za-z0-9]{1,64}")\}$/;

/** One shared answer for a message that carries nothing for the call. */
const NOTHING = Object.freeze([]) as unknown as CallMediaEvent[];
