import type { AgentRuntimeConfig } from '@codcall/agent-config';
import type { ConversationResult, TranscriptEntry } from '@codcall/conversation-engine';
import type { Logger } from '@codcall/logging';
import type { CallAudioOutput } from '@codcall/media';
import type { CallRecord } from './call-record';

/** Where agents come from (the agent API over HTTP, in production). */
export interface AgentSource {
  getRuntimeConfig(agentId: string): Promise<AgentRuntimeConfig>;
}

/** One conversation per media stream; the engine's ConversationSession in production. */
export interface Conversation {
  start(): Promise<void>;
  handleAudio(mulaw: Buffer): void;
  handleMark(name: string): void;
  handleDtmf(digit: string): void;
  handleStreamEnd(): void;
  /** A machine answered: say this after its beep, then hang up. */
  leaveMessage(text: string): void;
  readonly result: Promise<ConversationResult>;
  /** What has been said so far (a simulated persona callee answers from it); absent, nothing. */
  transcriptSoFar?(): readonly TranscriptEntry[];
}

/**
 * What one call cost in speech synthesis: the characters sent to the synthesizer on its behalf
 * (its greeting when it was prepared, every clause spoken, goodbyes). A phrase another call
 * already synthesised and this one replays from the cache costs this call nothing. The factory
 * counts into it; the call's record shows it.
 */
export class SynthesisUsage {
  private counted = 0;

  get characters(): number {
    return this.counted;
  }

  add(text: string): void {
    this.counted += text.length;
  }
}

/** What preparing a call's greeting needs; `usage` is where its synthesis is counted. */
export interface GreetingPreparation {
  callId: string;
  agent: AgentRuntimeConfig;
  variables: Record<string, string>;
  logger: Logger;
  usage: SynthesisUsage;
}

export interface ConversationInput {
  callId: string;
  agent: AgentRuntimeConfig;
  variables: Record<string, string>;
  timezone: string;
  /** The gateway has a number to hand the call to a person (transfer_to_human is offered). */
  transferAvailable: boolean;
  output: CallAudioOutput;
  onHangup: (reason: string) => void;
  logger: Logger;
  /** The call's synthesis count, the same one its greeting's preparation counted into. */
  usage: SynthesisUsage;
}

export interface ConversationFactory {
  /**
   * A chance to synthesise the greeting before the stream opens: at the dial or at the answer,
   * as the agent's `greetingPrefetch` says (Call decides when).
   */
  prepare?(input: GreetingPreparation): void;
  create(input: ConversationInput): { conversation: Conversation; providers: CallRecord['providers'] };
}
