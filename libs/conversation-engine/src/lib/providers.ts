/**
 * The three provider interfaces the turn loop is built on. Vendors (deepgram/, openai/,
 * elevenlabs/) and the offline stand-ins (offline/) implement exactly these; the session never
 * names a vendor. Everything streams: audio in as frames, text out as deltas, speech out as chunks.
 */

// ---------- speech to text ----------

export type TranscriptEvent =
  /** Voice activity began (Deepgram SpeechStarted, or the offline transcriber's detector). */
  | { type: 'speech_started' }
  /** A partial hypothesis for the words being spoken now; replaced by later interims. */
  | { type: 'interim'; text: string }
  /**
   * A finalised stretch of speech. `endOfTurn` is true when the recogniser's endpointing judged
   * the speaker finished (Deepgram speech_final).
   */
  | {
      type: 'final';
      text: string;
      endOfTurn: boolean;
      /**
       * Where the last word ended, in ms of the audio given to `sendAudio` since `open()`, when the
       * recogniser gives word timings (Deepgram's words[].end). The session turns it into the
       * moment the callee stopped speaking.
       */
      speechEndedAtAudioMs?: number;
    }
  /** The recogniser saw a gap after the last word (Deepgram UtteranceEnd). */
  | { type: 'utterance_end' };

export interface TranscriberOptions {
  callId: string;
  /** The recogniser's language for this call: a code ('hi', 'ar'), or 'multi' for code-switching speech. */
  language: string;
  model?: string;
  /** With a multilingual language: the languages to expect (Hinglish: ['hi', 'en']). */
  languageHints?: readonly string[];
  /** ms of silence that ends a turn. */
  endpointingMs?: number;
}

export interface TranscriberStream extends AsyncIterable<TranscriptEvent> {
  /** One mu-law 8 kHz frame from the caller, as it arrives. Never blocks. */
  sendAudio(mulaw: Buffer): void;
  /** Ends recognition; the iterator completes after pending events. */
  close(): Promise<void>;
}

export interface Transcriber {
  /** Shown in logs and call records, e.g. "deepgram:nova-3" or "offline:side-channel". */
  readonly name: string;
  open(options: TranscriberOptions): Promise<TranscriberStream>;
}

// ---------- language model ----------

export interface ToolCall {
  id: string;
  name: string;
  /** The model's raw JSON arguments. */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolSchema {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export type LanguageModelDelta = { type: 'text'; text: string } | { type: 'tool_call'; call: ToolCall };

export interface LanguageModelRequest {
  messages: ChatMessage[];
  tools: ToolSchema[];
  /** Aborted on barge-in or hang-up: the stream must stop promptly and quietly. */
  signal: AbortSignal;
}

export interface LanguageModel {
  readonly name: string;
  stream(request: LanguageModelRequest): AsyncIterable<LanguageModelDelta>;
}

// ---------- text to speech ----------

export interface SynthesisRequest {
  text: string;
  language: string;
  /** The vendor's code for the language to enforce (ElevenLabs' ISO 639-1 `language_code`); else derived from `language`. */
  languageCode?: string;
  voice?: string;
  model?: string;
  /**
   * The utterance this clause belongs to and its place in it (0: the first). A synthesiser that
   * queues (the offline voice's shared pool) renders a later clause of a begun utterance first:
   * its callee is mid-sentence. Vendors that stream each request at once ignore it.
   */
  utterance?: { id: string; clause: number };
  signal: AbortSignal;
}

export interface Synthesizer {
  readonly name: string;
  /** mu-law 8 kHz chunks of any size, first chunk as early as the engine can produce it. */
  synthesize(request: SynthesisRequest): AsyncIterable<Buffer>;
}
