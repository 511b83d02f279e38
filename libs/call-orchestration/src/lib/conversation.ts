import type { AgentRuntimeConfig } from '@codcall/agent-config';
import type { ConversationResult } from '@codcall/conversation-engine';
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
}

export interface ConversationInput {
  callId: string;
  agent: AgentRuntimeConfig;
  variables: Record<string, string>;
  timezone: string;
  output: CallAudioOutput;
  onHangup: (reason: string) => void;
  logger: Logger;
}

export interface ConversationFactory {
  /** Called while the phone rings: a chance to synthesise the greeting before anyone answers. */
  prepare?(input: { callId: string; agent: AgentRuntimeConfig; variables: Record<string, string>; logger: Logger }): void;
  create(input: ConversationInput): { conversation: Conversation; providers: CallRecord['providers'] };
}
