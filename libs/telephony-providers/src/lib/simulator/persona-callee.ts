import OpenAI, { APIError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Logger } from '@codcall/logging';
import type { CalleeImproviser } from './simulator-carrier';

/** A line of the call so far, as the gateway's transcript has it. */
export interface HeardLine {
  speaker: 'agent' | 'callee';
  text: string;
}

export interface PersonaCalleeOptions {
  apiKey: string;
  /** OpenAI-compatible API root including `/v1`; default OpenAI's (the gateway passes OPENAI_BASE_URL). */
  baseUrl?: string;
  model?: string;
  /** What has been said on the call so far, by our call id: the gateway's live transcript. */
  conversation: (callId: string) => readonly HeardLine[];
  logger: Logger;
  timeoutMs?: number;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_MODEL = 'gpt-4o-mini';
/** A callee's pause, not the agent's: the agent's own model waits meanwhile, so this may be generous. */
const DEFAULT_TIMEOUT_MS = 15_000;
/** What the model answers when its customer would hang up or has nothing more to say. */
const DONE = '[done]';

/** The persona model could not be asked or refused to answer. Never holds the key. */
export class PersonaCalleeError extends Error {
  override readonly name = 'PersonaCalleeError';
  /** The HTTP status, when the server answered with one. */
  readonly status?: number;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
  }
}

/**
 * A callee played by a chat model from a persona description: the agent's lines are the user's
 * turns and the callee's the assistant's, so the model answers as the customer, one line at a time.
 * Reached through the official SDK, like every vendor of the product; one answer, not a stream,
 * because the simulator speaks the line whole.
 */
export function openAiPersonaCallee(options: PersonaCalleeOptions): CalleeImproviser {
  const client = new OpenAI({
    apiKey: options.apiKey,
    // Always explicit: left out, the SDK would read OPENAI_BASE_URL itself, past the gateway's validation.
    baseURL: (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // One more try for a dropped connection or a 429/5xx: a callee who falls silent spoils the scenario.
    maxRetries: 1,
    logLevel: 'off',
  });
  const model = options.model ?? DEFAULT_MODEL;
  return async ({ callId, persona, language }) => {
    const system = [
      'You are role-playing a customer who has just answered a phone call about a cash-on-delivery order.',
      `Who you are: ${persona}`,
      language ? `Speak the language "${language}" as a real customer from that place would on the phone.` : 'Speak as a real customer would on the phone.',
      'Reply with only the words you say next: one or two short spoken sentences, no stage directions, no quotes.',
      `When you would hang up or the call is over, reply exactly ${DONE}.`,
    ].join('\n');
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: system },
      ...options.conversation(callId).map((line): ChatCompletionMessageParam =>
        line.speaker === 'agent' ? { role: 'user', content: line.text } : { role: 'assistant', content: line.text },
      ),
    ];
    let text: string;
    try {
      const completion = await client.chat.completions.create({ model, temperature: 0.7, max_tokens: 80, messages });
      text = completion.choices[0]?.message?.content?.trim() ?? '';
    } catch (error) {
      if (error instanceof APIError && error.status !== undefined) {
        const said = error.message.replaceAll(options.apiKey, '[key]').slice(0, 200);
        throw new PersonaCalleeError(`the persona model (${model}) answered ${error.status}: ${said}`, { status: error.status, cause: error });
      }
      throw new PersonaCalleeError(`the persona model (${model}) could not be reached: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    options.logger.debug({ callId, chars: text.length }, 'persona callee line');
    if (text === '' || text.toLowerCase().includes(DONE)) return null;
    return { say: text.slice(0, 1000) };
  };
}
