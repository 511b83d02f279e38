import type { CallMediaEvent } from '@codcall/media';
import { PlivoMediaStreamCodec } from '../plivo/media-stream-codec';
import { TwilioMediaStreamCodec } from './media-stream-codec';

type Codec = TwilioMediaStreamCodec | PlivoMediaStreamCodec;

/** Whatever a parse gives: its events, or the error it refuses the message with. */
function outcome(parse: () => CallMediaEvent[]): unknown {
  try {
    return { events: parse() };
  } catch (error) {
    return { refused: (error as Error).message, type: (error as Error).constructor.name };
  }
}

/** The codec's answer next to the full JSON parse's answer for the same message, each on a fresh codec fed the same start. */
function bothPaths(make: () => Codec, start: string, message: string): { fast: unknown; full: unknown } {
  const fast = make();
  const full = make();
  fast.parse(start);
  full.parse(start);
  // The full parse is what every message took before the fast path: the reference.
  const reference = full as unknown as { parseInFull(text: string): CallMediaEvent[] };
  return { fast: outcome(() => fast.parse(message)), full: outcome(() => reference.parseInFull(message)) };
}

const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff)).toString('base64');

/** Media messages as carriers send them, and every way one can be odd or broken. */
function variants(media: (fields: string) => string): string[] {
  return [
    media(`"track":"inbound","chunk":"1","timestamp":"20","payload":"${payload}"`),
    media(`"payload":"${payload}"`),
    media(`"track":"outbound","payload":"${payload}"`),
    media(`"track":"","payload":"${payload}"`),
    media(`"track":"inbound","timestamp":40,"payload":"${payload}"`),
    media(`"track":"inbound","timestamp":"","payload":"${payload}"`),
    media(`"track":"inbound","timestamp":"x","payload":"${payload}"`),
    media(`"track":"inbound","timestamp":null,"payload":"${payload}"`),
    media(`"track":"inbound","timestamp":-1.5e3,"payload":"${payload}"`),
    media(`"track":"inbound","timestamp":01,"payload":"${payload}"`),
    media(`"track":"inbound","timestamp":"20"`),
    media(`"track":"inbound","payload":42`),
    media(`"track":7,"payload":"${payload}"`),
    media(`"track":"inbound","payload":"${payload.replace('/', '\\/')}"`),
    media(`"payload":"AAAA","payload":"${payload}"`),
    media(`"extra":{"deep":{"deeper":{"deepest":{"x":1}}}},"payload":"${payload}"`),
    media(`"extra":[1,2],"payload":"${payload}"`),
    media(`"ok":true,"no":false,"none":null,"payload":"${payload}"`),
    media(`"bad\\xkey":1,"payload":"${payload}"`),
    media(`"fine\\"key":1,"payload":"${payload}"`),
    media(`"tab\tkey":1,"payload":"${payload}"`),
    media(`"payload":"${payload}"`).replace(/,/g, ' , ').replace(/:/g, ' : '),
    media(`"payload":"${payload}"`).replace(/,/g, ',\n'),
    media(`"payload":"${payload}"`) + ' ',
    media(`"payload":"${payload}"`) + '}',
    media(`"payload":"${payload}"`).slice(0, -1),
    media(`"payload":"${payload}"`).slice(0, 60),
    media(`"payload":"${payload}",`),
    media(`"payload":"${payload}"`).replace('"event":"media"', '"event":"media","event":"stop"'),
    media(`"payload":"${payload}"`).replace('"event":"media"', '"event":"start"'),
    media(`"payload":"${payload}"`).replace('"event":"media"', '"event":"mediaX"'),
    media(`"payload":"${payload}"`).replace('"event":"media"', '"event":5'),
    media(`"payload":"${payload}"`).replace('"event":"media",', ''),
    `{"event":"media","media":"${payload}"}`,
    `{"event":"media","media":{"payload":"${payload}"},"media":{"track":"inbound"}}`,
    `{"event":"media"}`,
    '{}',
    '[]',
    '"media"',
    'not json',
    '',
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

describe('the Twilio codec reading media messages in place', () => {
  const start = JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: 'MZ1', start: { streamSid: 'MZ1', callSid: 'CA1', customParameters: {} } });
  const media = (fields: string) => `{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{${fields}}}`;
  const make = () => new TwilioMediaStreamCodec();

  it('gives the events (or the refusal) the full parse gives, for every shape of media message and broken text', () => {
    for (const message of variants(media)) {
      const { fast, full } = bothPaths(make, start, message);
      expect({ message, fast }).toEqual({ message, fast: full });
    }
  });

  it('agrees with the full parse on a thousand damaged copies of a real media message', () => {
    const real = media(`"track":"inbound","chunk":"1","timestamp":"20","payload":"${payload}"`);
    for (const message of mutations(real, 1000)) {
      const { fast, full } = bothPaths(make, start, message);
      expect({ message, fast }).toEqual({ message, fast: full });
    }
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

describe('the Plivo codec reading media messages in place', () => {
  const start = JSON.stringify({ event: 'start', sequenceNumber: 1, start: { callId: 'c1', streamId: 'st-1', tracks: ['inbound'] }, extra_headers: '' });
  const media = (fields: string) => `{"event":"media","sequenceNumber":2,"streamId":"st-1","media":{${fields}}}`;
  const make = () => new PlivoMediaStreamCodec();

  it('gives the events (or the refusal) the full parse gives, for every shape of media message and broken text', () => {
    for (const message of variants(media)) {
      const { fast, full } = bothPaths(make, start, message);
      expect({ message, fast }).toEqual({ message, fast: full });
    }
  });

  it('agrees with the full parse on a thousand damaged copies of a real media message', () => {
    const real = media(`"track":"inbound","timestamp":"1764070000020","chunk":41,"payload":"${payload}"`);
    for (const message of mutations(real, 1000)) {
      const { fast, full } = bothPaths(make, start, message);
      expect({ message, fast }).toEqual({ message, fast: full });
    }
  });

  it('counts timestamps from the first frame on the fast path too, and writes playAudio as JSON.stringify would', () => {
    const codec = make();
    codec.parse(start);
    const frame = (ts: string | number) => codec.parse(media(`"track":"inbound","timestamp":${JSON.stringify(ts)},"chunk":41,"payload":"${payload}"`));
    expect(frame('1764070000000')).toEqual([{ type: 'audio', payload: Buffer.from(payload, 'base64'), timestampMs: 0 }]);
    expect(frame(1764070000020)).toEqual([{ type: 'audio', payload: Buffer.from(payload, 'base64'), timestampMs: 20 }]);
    const audio = Buffer.from([0, 1, 2, 250, 255]);
    expect(codec.formatAudio(audio)).toBe(JSON.stringify({ event: 'playAudio', media: { contentType: 'audio/x-mulaw', sampleRate: 8000, payload: audio.toString('base64') } }));
  });
});
