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

/** Each message read by the codec's layout reader gives what the full parse gives: the same events, or the same refusal. */
function expectLayoutReaderToAgreeWithFullParse(make: () => Codec, start: string, messages: readonly string[]): void {
  for (const message of messages) {
    const layout = make();
    const full = make() as unknown as { parse(text: string): CallMediaEvent[]; parseInFull(text: string): CallMediaEvent[] };
    layout.parse(start);
    full.parse(start);
    let reference: unknown;
    try {
      reference = { events: full.parseInFull(message) };
    } catch (error) {
      reference = { refused: (error as Error).message };
    }
    expect({ message, read: outcome(layout, message) }).toEqual({ message, read: reference });
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

function mutations(message: string, count: number): string[] {
  // A fixed pseudo-random walk: the same cases on every run.
  let seed = 7;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const alphabet = '{}[]:,"\\ 0-.etnaAZx\t';
  return Array.from({ length: count }, () => {
    const at = next(message.length);
    const kind = next(3);
    if (kind === 0) return message.slice(0, at) + message.slice(at + 1);
    const char = alphabet[next(alphabet.length)];
    return kind === 1 ? message.slice(0, at) + char + message.slice(at) : message.slice(0, at) + char + message.slice(at + 1);
  });
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

  /** Twilio's own layout, which the codec reads with one regular expression instead of JSON.parse. */
  const twilioLayout = (track: string, timestamp: string, audio = payload) =>
    `{"event":"media","sequenceNumber":"3","media":{"track":"${track}","chunk":"1","timestamp":"${timestamp}","payload":"${audio}"},"streamSid":"MZ0123456789abcdef0123456789abcdef"}`;

  /** The same fields with streamSid before media, as libraries that re-serialise Twilio's messages write them. */
  const sidFirst = (track: string, timestamp: string) =>
    `{"event":"media","sequenceNumber":"3","streamSid":"MZ0123456789abcdef0123456789abcdef","media":{"track":"${track}","chunk":"1","timestamp":"${timestamp}","payload":"${payload}"}}`;

  it('reads media in Twilio\'s own layout as the full parse does, and a thousand damaged copies of it too', () => {
    const messages = [
      twilioLayout('inbound', '20'),
      twilioLayout('outbound', '20'),
      twilioLayout('', '007'),
      twilioLayout('inbound', '20', ''),
      twilioLayout('inbound', '20', 'AA=='),
      twilioLayout('inbound', '20', 'A='),
      ...mutations(twilioLayout('inbound', '20'), 1000),
      sidFirst('inbound', '20'),
      sidFirst('outbound', '20'),
      sidFirst('', '0'),
      twilioLayout('inbound', '20').replace('"sequenceNumber":"3",', '"sequenceNumber":"3","streamSid":"MZ2",'),
      ...mutations(sidFirst('inbound', '40'), 1000),
    ];
    expectLayoutReaderToAgreeWithFullParse(make, start, messages);
    const codec = make();
    const parsedInFull = jest.spyOn(codec as unknown as { parseInFull(text: string): CallMediaEvent[] }, 'parseInFull');
    expect(outcome(codec, twilioLayout('inbound', '20'))).toEqual(audio(20));
    expect(outcome(codec, sidFirst('inbound', '40'))).toEqual(audio(40));
    expect(parsedInFull).not.toHaveBeenCalled(); // both layouts take the fast reading
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

  /** Plivo's own layout, which the codec reads with one regular expression instead of JSON.parse. */
  const plivoLayout = (track: string, sequence: string, audio = payload) =>
    `{"event":"media","sequenceNumber":${sequence},"streamId":"b3e1c6a0-7f55-4e43-9a7d-2f1e0c9d8b7a","media":{"track":"${track}","timestamp":"1764070000020","chunk":41,"payload":"${audio}"}}`;

  it('reads media in Plivo\'s own layout as the full parse does, and a thousand damaged copies of it too', () => {
    const messages = [
      plivoLayout('inbound', '2'),
      plivoLayout('outbound', '2'),
      plivoLayout('', '0'),
      plivoLayout('inbound', '02'),
      plivoLayout('inbound', '2', ''),
      plivoLayout('inbound', '2', 'A='),
      ...mutations(plivoLayout('inbound', '2'), 1000),
    ];
    expectLayoutReaderToAgreeWithFullParse(make, start, messages);
  });

  it("counts timestamps from the stream's first frame, and writes playAudio as JSON.stringify would", () => {
    const codec = make();
    codec.parse(start);
    const frame = (ts: string | number) => codec.parse(media(`"track":"inbound","timestamp":${JSON.stringify(ts)},"chunk":41,"payload":"${payload}"`));
    expect(frame('1764070000000')).toEqual([{ type: 'audio', payload: Buffer.from(payload, 'base64'), timestampMs: 0 }]);
    expect(frame(1764070000020)).toEqual([{ type: 'audio', payload: Buffer.from(payload, 'base64'), timestampMs: 20 }]);
    expect(codec.parse(plivoLayout('inbound', '9').replace('1764070000020', '1764070000060'))).toEqual([{ type: 'audio', payload: Buffer.from(payload, 'base64'), timestampMs: 60 }]);
    const audio = Buffer.from([0, 1, 2, 250, 255]);
    expect(codec.formatAudio(audio)).toBe(JSON.stringify({ event: 'playAudio', media: { contentType: 'audio/x-mulaw', sampleRate: 8000, payload: audio.toString('base64') } }));
  });
});
