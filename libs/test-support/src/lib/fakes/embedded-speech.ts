import { pcm16ToMulaw, SAMPLE_RATE } from '@codcall/media';

/**
 * Speech that carries its own words, for fake recognisers.
 *
 * No fake can understand synthetic speech, and a fake that is told out of band what the callee
 * said would not prove the audio got through. So the test callees' voice writes its text into the
 * mu-law bytes themselves, framed so that a fake Deepgram finds it again in the stream it is sent:
 * the words reach the recogniser only if the audio crossed the whole media path intact (carrier
 * JSON and base64, the gateway, the SDK's binary frames).
 *
 * Layout of one utterance: a sync word, the text's byte length (4 nibbles), the utterance's total
 * length in bytes (6 nibbles), the UTF-8 text (2 nibbles a byte), then a tone up to the total length.
 * No byte of it is mu-law silence (0xFF or 0x7F), so silence marks where speech starts and ends.
 */
const SYNC = [0x01, 0x02, 0x03, 0x04];
const NIBBLE_BASE = 0x10;
const HEADER_BYTES = SYNC.length + 4 + 6;

const isSilence = (byte: number) => byte === 0xff || byte === 0x7f;

/** A second of a two-tone mix with every silence byte moved one step, so it never reads as silence. */
const TONE = (() => {
  const pcm = Int16Array.from({ length: SAMPLE_RATE }, (_, i) =>
    Math.round(7000 * Math.sin((2 * Math.PI * 180 * i) / SAMPLE_RATE) + 2500 * Math.sin((2 * Math.PI * 730 * i) / SAMPLE_RATE)),
  );
  const mulaw = pcm16ToMulaw(pcm);
  for (let i = 0; i < mulaw.length; i++) if (isSilence(mulaw[i])) mulaw[i] -= 1;
  return mulaw;
})();

function nibbles(value: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => NIBBLE_BASE + ((value >> (4 * (count - 1 - i))) & 0xf));
}

/** mu-law 8 kHz audio of `text` being said, `msPerCharacter` long per character (at least 300 ms). */
export function embeddedSpeech(text: string, msPerCharacter = 55): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  if (utf8.length > 0xffff) throw new Error('embeddedSpeech: text too long');
  const body = [...utf8].flatMap((byte) => nibbles(byte, 2));
  const total = Math.max(HEADER_BYTES + body.length, Math.round((Math.max(300, text.length * msPerCharacter) * SAMPLE_RATE) / 1000));
  const audio = Buffer.alloc(total);
  Buffer.from([...SYNC, ...nibbles(utf8.length, 4), ...nibbles(total, 6), ...body]).copy(audio);
  for (let i = HEADER_BYTES + body.length; i < total; i++) audio[i] = TONE[i % TONE.length];
  return audio;
}

export type HeardSpeech =
  /** Speech began at byte `at` of the stream. */
  | { type: 'start'; at: number }
  /** `fraction` of the utterance has been heard by byte `at`; `text` is known once its header has arrived. */
  | { type: 'progress'; at: number; fraction: number; text?: string }
  /** Speech ended at byte `at` (the first silent byte after it); `text` is undefined for sound that carried no words. */
  | { type: 'end'; at: number; text?: string };

/**
 * Finds embedded utterances in a stream of mu-law bytes as they arrive, in any chunking. Sound
 * without the sync word (a cough, a tone) is speech without words.
 */
export class EmbeddedSpeechListener {
  private position = 0;
  private inSpeech = false;
  private header: number[] = [];
  private textBytes?: number;
  private total?: number;
  private body: number[] = [];
  private text?: string;
  private speechStart = 0;

  push(audio: Uint8Array): HeardSpeech[] {
    const heard: HeardSpeech[] = [];
    for (const byte of audio) {
      const at = this.position++;
      if (!this.inSpeech) {
        if (isSilence(byte)) continue;
        this.inSpeech = true;
        this.speechStart = at;
        this.header = [];
        this.body = [];
        this.textBytes = this.total = this.text = undefined;
        heard.push({ type: 'start', at });
      } else if (isSilence(byte)) {
        this.inSpeech = false;
        heard.push({ type: 'end', at, text: this.text });
        continue;
      }
      this.read(byte);
    }
    if (this.inSpeech) {
      const fraction = this.total ? Math.min(1, (this.position - this.speechStart) / this.total) : 0;
      heard.push({ type: 'progress', at: this.position, fraction, text: this.text });
    }
    return heard;
  }

  private read(byte: number): void {
    if (this.header.length < HEADER_BYTES) {
      this.header.push(byte);
      if (this.header.length === HEADER_BYTES) {
        if (SYNC.some((value, i) => this.header[i] !== value)) return;
        const value = (from: number, count: number) => this.header.slice(from, from + count).reduce((sum, nibble) => sum * 16 + (nibble - NIBBLE_BASE), 0);
        this.textBytes = value(SYNC.length, 4);
        this.total = value(SYNC.length + 4, 6);
        if (this.textBytes === 0) this.text = '';
      }
      return;
    }
    if (this.textBytes === undefined || this.text !== undefined) return;
    this.body.push(byte - NIBBLE_BASE);
    if (this.body.length === this.textBytes * 2) {
      const bytes = Buffer.from(Array.from({ length: this.textBytes }, (_, i) => this.body[2 * i] * 16 + this.body[2 * i + 1]));
      this.text = bytes.toString('utf8');
    }
  }
}
