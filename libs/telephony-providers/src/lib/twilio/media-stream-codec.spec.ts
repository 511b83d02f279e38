import type { CallMediaEvent } from '@codcall/media';
import { PlivoMediaStreamCodec } from '../plivo/media-stream-codec';
import { MediaStreamProtocolError, TwilioMediaStreamCodec } from './media-stream-codec';

type Codec = TwilioMediaStreamCodec | PlivoMediaStreamCodec;

/** Whatever a parse gives: its events, or the error it refuses the message with. */
function outcome(codec: Codec, message: string): { events: CallMediaEvent[] } | { refused: string } {
  try {
    return { events: codec.parse(message) };
  } catch (error) {
    expect(error).toBeInstanceOf(MediaStreamProtocolError);
    return { refused: (error as Error).message };
  }
}

const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff)).toString('base64');
const audio = (timestampMs?: number) => ({ events: [{ type: 'audio', payload: Buffer.from(payload, 'base64'), ...(timestampMs === undefined ? {} : { timestampMs }) }] });

/**
 * Media messages as carriers send them, odd ones and broken ones, with what the codec must make of
 * each; `stamp` is the timestamp a stream's first frame gets (Plivo counts from it).
 */
function cases(media: (fields: string) => string, stamp: (ms: number) => number): [string, string, unknown][] {
  return [
    ['the carrier\'s own shape', media(`"track":"inbound","chunk":"1","timestamp":"20","payload":"${payload}"`), audio(stamp(20))],
    ['only a payload', media(`"payload":"${payload}"`), audio()],
    ['the agent\'s own track echoed', media(`"track":"outbound","payload":"${payload}"`), { events: [] }],
    ['a track of another type', media(`"track":7,"payload":"${payload}"`), { events: [] }],
    ['a numeric timestamp', media(`"track":"inbound","timestamp":40,"payload":"${payload}"`), audio(stamp(40))],
    ['a timestamp that is no number', media(`"track":"inbound","timestamp":"x","payload":"${payload}"`), audio()],
    ['an escaped payload', media(`"track":"inbound","payload":"${payload.replace('/', '\\/')}"`), audio()],
    ['a payload given twice (the last wins, as in JSON)', media(`"payload":"AAAA","payload":"${payload}"`), audio()],
    ['spaces and newlines between the fields', media(`"payload":"${payload}"`).replace(/,/g, ' ,\n '), audio()],
    ['no payload', media(`"track":"inbound","timestamp":"20"`), { refused: 'media message without payload' }],
    ['a payload that is no string', media(`"track":"inbound","payload":42`), { refused: 'media message without payload' }],
    ['a message cut short', media(`"payload":"${payload}"`).slice(0, 60), { refused: 'media stream message is not JSON' }],
    ['a trailing comma', media(`"payload":"${payload}",`), { refused: 'media stream message is not JSON' }],
  ];
}

describe('the Twilio codec reading media messages', () => {
  const start = JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: 'MZ1', start: { streamSid: 'MZ1', callSid: 'CA1', customParameters: {} } });
  const media = (fields: string) => `{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{${fields}}}`;
  const make = () => new TwilioMediaStreamCodec();

  it.each(cases(media, (ms) => ms))('given %s', (_case, message, expected) => {
    const codec = make();
    codec.parse(start);
    expect(outcome(codec, message)).toEqual(expected);
  });

  it('reads the canonical message to the audio and its timestamp, and writes media as JSON.stringify would', () => {
    const codec = make();
    codec.parse(start);
    expect(codec.parse(media(`"track":"inbound","chunk":"1","timestamp":"20","payload":"${payload}"`))).toEqual([{ type: 'audio', payload: Buffer.from(payload, 'base64'), timestampMs: 20 }]);
    const audio = Buffer.from([0, 1, 2, 250, 255]);
    expect(codec.formatAudio(audio)).toBe(JSON.stringify({ event: 'media', streamSid: 'MZ1', media: { payload: audio.toString('base64') } }));
  });

  it('escapes a stream id in the audio messages it writes', () => {
    const codec = make();
    codec.parse(JSON.stringify({ event: 'start', start: { streamSid: 'MZ"\\1', callSid: 'CA1' } }));
    expect(JSON.parse(codec.formatAudio(Buffer.from([1])))).toEqual({ event: 'media', streamSid: 'MZ"\\1', media: { payload: 'AQ==' } });
  });
});

describe('the Plivo codec reading media messages', () => {
  const start = JSON.stringify({ event: 'start', sequenceNumber: 1, start: { callId: 'c1', streamId: 'st-1', tracks: ['inbound'] }, extra_headers: '' });
  const media = (fields: string) => `{"event":"media","sequenceNumber":2,"streamId":"st-1","media":{${fields}}}`;
  const make = () => new PlivoMediaStreamCodec();

  it.each(cases(media, () => 0))('given %s', (_case, message, expected) => {
    const codec = make();
    codec.parse(start);
    expect(outcome(codec, message)).toEqual(expected);
  });

  it("counts timestamps from the stream's first frame, and writes playAudio as JSON.stringify would", () => {
    const codec = make();
    codec.parse(start);
    const frame = (ts: string | number) => codec.parse(media(`"track":"inbound","timestamp":${JSON.stringify(ts)},"chunk":41,"payload":"${payload}"`));
    expect(frame('1764070000000')).toEqual([{ type: 'audio', payload: Buffer.from(payload, 'base64'), timestampMs: 0 }]);
    expect(frame(1764070000020)).toEqual([{ type: 'audio', payload: Buffer.from(payload, 'base64'), timestampMs: 20 }]);
    const audio = Buffer.from([0, 1, 2, 250, 255]);
    expect(codec.formatAudio(audio)).toBe(JSON.stringify({ event: 'playAudio', media: { contentType: 'audio/x-mulaw', sampleRate: 8000, payload: audio.toString('base64') } }));
  });
});
