/**
 * The one vocabulary between carriers and the conversation engine. Carrier wire formats
 * (Twilio Media Streams, Plivo streams, ...) are parsed into these events by the carrier's
 * codec and never travel further.
 */
export type CallMediaEvent =
  | {
      type: 'start';
      /** The carrier's stream id (Twilio streamSid, Plivo streamId). */
      streamId: string;
      /** The carrier's call id (Twilio CallSid, Plivo CallUUID). */
      carrierCallId: string;
      /** Values we handed the carrier in the answer document (Twilio <Parameter>, Plivo extraHeaders). */
      parameters: Record<string, string>;
    }
  | { type: 'audio'; payload: Buffer; /** ms since stream start, when the carrier says */ timestampMs?: number }
  | { type: 'mark'; name: string }
  | { type: 'dtmf'; digit: string }
  | { type: 'stop' };

/** Where the engine's speech goes: implemented by the gateway on top of a carrier codec and socket. */
export interface CallAudioOutput {
  /** mu-law 8 kHz audio, any length; the output frames it for the carrier. */
  sendAudio(mulaw: Buffer): void;
  /** Asks the carrier to report back once everything sent so far has been played. */
  sendMark(name: string): void;
  /** Drops everything buffered at the carrier (barge-in). */
  clear(): void;
}
