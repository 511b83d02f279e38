import type { GoodbyeKey, LanguageCode } from '@codcall/languages';
import type { ToolSchema } from '../providers';
import type { Decision } from '../session/conversation-result';

/** What a tool knows of the call it may be offered in. */
export interface ToolOffer {
  /** The gateway has a TRANSFER_NUMBER: a person can take the call over. */
  transferAvailable: boolean;
  /** The agent reads the delivery address back (task_config.confirm_address). */
  confirmAddress: boolean;
  /** The row's cells (an `address` among them, perhaps). */
  variables: Record<string, string>;
}

/** Where and when the tool runs: relative days and times are the callee's. */
export interface ToolRun {
  now: Date;
  timezone: string;
  language?: LanguageCode;
}

/**
 * What a tool call did. `outcome`: the call ends with this decision. `refused`: nothing was
 * recorded and the model answers the callee again (it reads `message`: why). `noted`: something
 * was recorded and the conversation goes on.
 */
export type ToolEffect =
  | { kind: 'outcome'; message: string; decision: Decision }
  | { kind: 'refused'; message: string }
  | { kind: 'noted'; message: string; addressUpdate: string };

/** One tool of the conversation: its schema, whether this call offers it, and what it does. */
export interface ConversationTool {
  readonly schema: ToolSchema;
  /** The agent's goodbye after this tool's outcome when the model wrote none; absent for a tool that ends nothing. */
  readonly goodbye?: GoodbyeKey;
  /**
   * Records what the callee decided about the order: offered (and accepted) only once they have
   * answered the agent's question about it (see session/conversation-stage.ts).
   */
  readonly needsOrderAnswer: boolean;
  offered(offer: ToolOffer): boolean;
  run(args: Record<string, unknown>, call: ToolRun): ToolEffect;
}

/**
 * Said in every outcome tool's description: the reply that calls the tool is the last thing the
 * callee hears, so its words are the goodbye (no second request is made; without words the
 * agent's configured goodbye is played).
 */
export const GOODBYE_IN_SAME_REPLY = 'In the same reply, write your short goodbye to the customer (one sentence); the call ends after it.';

/** Every call offers it. */
export const ALWAYS = (): boolean => true;

/** A string argument the model filled in, trimmed; undefined when empty or not a string. */
export function textArgument(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The model's raw JSON arguments as an object; anything else (broken JSON, an array) is no arguments. */
export function parseArguments(raw: string): Record<string, unknown> {
  if (!raw.trim()) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function noArguments(): Record<string, unknown> {
  return { type: 'object', properties: {}, additionalProperties: false };
}
