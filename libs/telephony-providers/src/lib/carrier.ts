import type { CallMediaEvent } from '@codcall/media';
import type { CarrierName } from '@codcall/gateway-api';

/** The carriers' names are the wire contract's (POST /call `carrier`). */
export type { CarrierName };

export interface PlaceCallRequest {
  /** Our call id (the gateway's). */
  callId: string;
  to: string;
  from?: string;
  /** Public URL the carrier fetches the answer document from. */
  answerUrl: string;
  /** Public URL the carrier posts call status changes to. */
  statusCallbackUrl: string;
  /** Public URL for asynchronous answering-machine detection results. */
  machineDetectionUrl?: string;
  /**
   * Public URL the carrier fetches the transfer document from (`transferDocument`) once `transfer`
   * has moved the call: Plivo's transfer API takes a URL, where Twilio takes the TwiML inline.
   */
  transferUrl?: string;
  ringTimeoutSeconds: number;
  machineDetection: boolean;
  /**
   * When detection reports a machine: at once ('start', to hang up early) or once its greeting
   * has ended ('message_end', to leave a message after the beep).
   */
  machineDetectionMode?: 'start' | 'message_end';
  /** Hard cap on the call's length, enforced by the carrier as a backstop. */
  timeLimitSeconds?: number;
}

export interface PlacedCall {
  carrierCallId: string;
}

/** A call's progress as the carrier reports it, normalised. */
export type CarrierCallState =
  | 'queued'
  | 'ringing'
  | 'answered'
  | 'completed'
  | 'busy'
  | 'no_answer'
  | 'failed'
  | 'canceled';

export interface CarrierStatusUpdate {
  carrierCallId: string;
  state?: CarrierCallState;
  /** From answering-machine detection, when the carrier ran it. */
  answeredBy?: 'human' | 'machine' | 'unknown';
  /** The machine's greeting has ended (its beep or silence): a message can be left now. */
  machineGreetingEnded?: boolean;
  durationSeconds?: number;
  /** The carrier's own words (SIP cause, hangup cause), for the call record. */
  detail?: string;
}

export interface AnswerDocumentRequest {
  /** wss:// URL of the gateway's media-stream endpoint. */
  streamUrl: string;
  /** Per-call values the stream needs (call id, stream token); never in the URL's query string. */
  parameters: Record<string, string>;
}

export interface AnswerDocument {
  contentType: string;
  body: string;
}

/** Parses one carrier media-stream socket's messages and formats ours. One instance per socket. */
export interface MediaStreamCodec {
  parse(message: string): CallMediaEvent[];
  formatAudio(mulaw: Buffer): string;
  formatMark(name: string): string;
  formatClear(): string;
}

export interface WebhookRequest {
  method: string;
  /** The full public URL the carrier called, built from PUBLIC_BASE_URL, never from Host. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
}

/** Which call a webhook speaks of, in the carrier's own ids. */
export interface WebhookCallIds {
  /** The id the dial returned (Twilio CallSid, Plivo RequestUUID). */
  dialled?: string;
  /** The answered call's id (Twilio CallSid again, Plivo CallUUID). */
  live?: string;
}

/** What the carrier says of one call now: asked after a restart, for calls we lost track of. */
export interface CarrierCallLookup {
  /** The line may still be up (queued, ringing or in progress): it has to be hung up. */
  up: boolean;
  /** The carrier's own word for the call's status ("in-progress", "completed", "not found"). */
  status: string;
}

export interface Carrier {
  readonly name: CarrierName;
  placeCall(request: PlaceCallRequest): Promise<PlacedCall>;
  hangup(carrierCallId: string): Promise<void>;
  /**
   * Moves the live call to another number (a human agent). The carrier keeps the callee's line up
   * and bridges it there, so the gateway does not hang up afterwards. Throws CallTransferError when
   * the carrier refuses (a call that has ended, or one it does not know).
   */
  transfer(carrierCallId: string, to: string): Promise<void>;
  /**
   * What the carrier is served at the call's `transferUrl` after `transfer` (Plivo's `<Dial>`);
   * undefined when no transfer of that call is under way. Carriers whose transfer needs no
   * document of ours (Twilio, the simulator) do not have it.
   */
  transferDocument?(carrierCallId: string): AnswerDocument | undefined;
  /** Asks the carrier about a call by either of its ids; a call it does not know is not up. */
  fetchCallState(carrierCallId: string): Promise<CarrierCallLookup>;
  answerDocument(request: AnswerDocumentRequest): AnswerDocument;
  /** Normalises a status or machine-detection webhook's parameters; null when irrelevant. */
  parseStatusCallback(params: Record<string, string>): CarrierStatusUpdate | null;
  /** The call ids an answer or status webhook names, to hold them to the call the dial returned. */
  webhookCallIds(params: Record<string, string>): WebhookCallIds;
  /** True when the webhook carries a valid signature from this carrier. */
  verifyWebhook(request: WebhookRequest): boolean;
  createMediaCodec(): MediaStreamCodec;
}
