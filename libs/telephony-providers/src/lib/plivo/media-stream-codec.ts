import type { CallMediaEvent } from '@codcall/media';
import type { MediaStreamCodec } from '../carrier';
import { MediaStreamProtocolError } from '../twilio/media-stream-codec';
import { decodeExtraHeaders } from './answer-xml';

interface PlivoMessage {
  event?: string;
  streamId?: string;
  name?: string;
  start?: { callId?: string; streamId?: string; extra_headers?: unknown; extraHeaders?: unknown };
  extra_headers?: unknown;
  extraHeaders?: unknown;
  media?: { track?: string; payload?: string; timestamp?: string | number };
  dtmf?: { digit?: string };
  digit?: string;
}

/**
 * Plivo's bidirectional audio stream: JSON text frames, base64 mu-law payloads. One codec per
 * socket: outbound messages need the streamId from `start`, and checkpoints are tracked so that
 * a clearAudio can be reported like Twilio's clear (Plivo never answers the checkpoints whose
 * audio it dropped, but the engine waits for every mark it sent).
 */
export class PlivoMediaStreamCodec implements MediaStreamCodec {
  private streamId?: string;
  private firstTimestamp?: number;
  private readonly pendingCheckpoints = new Set<string>();
  /** Checkpoints dropped by each clearAudio not yet answered with clearedAudio. */
  private readonly clearing: string[][] = [];

  parse(message: string): CallMediaEvent[] {
    // Media in Plivo's own layout is read with one anchored regular expression, as the Twilio
    // codec does (about half the time of JSON.parse); anything else takes the full parse.
    const media = PLIVO_MEDIA.exec(message);
    if (media) {
      if (media[1] && media[1] !== 'inbound') return NOTHING;
      const timestamp = Number(media[2]);
      this.firstTimestamp ??= timestamp;
      return [{ type: 'audio', payload: Buffer.from(media[3], 'base64'), timestampMs: timestamp - this.firstTimestamp }];
    }
    return this.parseInFull(message);
  }

  private parseInFull(message: string): CallMediaEvent[] {
    let data: PlivoMessage;
    try {
      data = JSON.parse(message) as PlivoMessage;
    } catch {
      throw new MediaStreamProtocolError('media stream message is not JSON');
    }
    switch (data.event) {
      case 'start': {
        const streamId = data.start?.streamId ?? data.streamId;
        if (!streamId || !data.start?.callId) throw new MediaStreamProtocolError('start message without streamId or callId');
        this.streamId = streamId;
        const headers = data.extra_headers ?? data.extraHeaders ?? data.start.extra_headers ?? data.start.extraHeaders;
        return [{ type: 'start', streamId, carrierCallId: data.start.callId, parameters: decodeExtraHeaders(headers) }];
      }
      case 'media': {
        const media = data.media;
        // Only the callee's side: an outbound track echo would make the agent hear itself.
        if (media?.track && media.track !== 'inbound') return NOTHING;
        if (typeof media?.payload !== 'string') throw new MediaStreamProtocolError('media message without payload');
        // Plivo stamps frames with wall-clock milliseconds; ours count from the stream's first frame.
        const timestamp = Number(media.timestamp);
        const audio: CallMediaEvent = { type: 'audio', payload: Buffer.from(media.payload, 'base64') };
        if (media.timestamp !== undefined && Number.isFinite(timestamp)) {
          this.firstTimestamp ??= timestamp;
          audio.timestampMs = timestamp - this.firstTimestamp;
        }
        return [audio];
      }
      case 'dtmf': {
        const digit = data.dtmf?.digit ?? data.digit;
        return digit ? [{ type: 'dtmf', digit }] : [];
      }
      case 'playedStream':
        if (!data.name) return [];
        this.pendingCheckpoints.delete(data.name);
        return [{ type: 'mark', name: data.name }];
      case 'clearedAudio':
        return (this.clearing.shift() ?? []).map((name) => ({ type: 'mark', name }));
      case 'stop':
        return [{ type: 'stop' }];
      default:
        // Plivo adds events over time; one we do not know must not end a customer's call.
        return [];
    }
  }

  /** What JSON.stringify would write, without building the object: base64 needs no escaping. */
  formatAudio(mulaw: Buffer): string {
    this.id();
    return `${PLAY_AUDIO_PREFIX}${mulaw.toString('base64')}"}}`;
  }

  formatMark(name: string): string {
    const message = JSON.stringify({ event: 'checkpoint', streamId: this.id(), name });
    this.pendingCheckpoints.add(name);
    return message;
  }

  formatClear(): string {
    const message = JSON.stringify({ event: 'clearAudio', streamId: this.id() });
    this.clearing.push([...this.pendingCheckpoints]);
    this.pendingCheckpoints.clear();
    return message;
  }

  private id(): string {
    if (!this.streamId) throw new MediaStreamProtocolError('cannot send on a media stream before its start message');
    return this.streamId;
  }
}

const PLAY_AUDIO_PREFIX = '{"event":"playAudio","media":{"contentType":"audio/x-mulaw","sampleRate":8000,"payload":"';
/**
 * `{"event":"media","sequenceNumber":7,"streamId":"..","media":{"track":"inbound","timestamp":"1764070000020","chunk":41,"payload":".."}}`,
 * as Plivo documents it. Its numbers are JSON numbers: no leading zero.
 */
const PLIVO_MEDIA = /^\{"event":"media","sequenceNumber":(?:0|[1-9]\d{0,14}),"streamId":"[A-Za-z0-9-]{1,64}","media":\{"track":"([a-z_]{0,32})","timestamp":"(\d{1,15})","chunk":(?:0|[1-9]\d{0,14}),"payload":"([A-Za-z0-9+/]*={0,2})"\}\}$/;

/** One shared answer for a message that carries nothing for the call. */
const NOTHING = Object.freeze([]) as unknown as CallMediaEvent[];
