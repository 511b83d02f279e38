import type { Logger } from '@codcall/logging';
import type { CalleeImproviser } from './simulator-carrier';

/** A line of the call so far, as the gateway's transcript has it. */
export interface HeardLine {
  speaker: 'agent' | 'callee';
  text: string;
}

export interface PersonaCalleeOptions {
  apiKey: string;
  /** OpenAI-compatible API root; default https://api.openai.com/v1 (or OPENAI_BASE_URL, read by the caller). */
  baseUrl?: string;
  model?: string;
  /** What has been said on the call so far, by our call id: the gateway's live transcript. */
  conversation: (callId: string) => readonly HeardLine[];
  logger: Logger;
  timeoutMs?: number;
}

/** What the model answers when its customer would hang up or has nothing more to say. */
const DONE = '[done]';

export class PersonaCalleeError extends Error {}

/**
 * A callee played by a chat model from a persona description: the agent's lines are the user's
 * turns and the callee's the assistant's, so the model answers as the customer, one line at a time.
 */
export function openAiPersonaCallee(options: PersonaCalleeOptions): CalleeImproviser {
  const url = `${(options.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '')}/chat/completions`;
  return async ({ callId, persona, language }) => {
    const system = [
      'You are role-playing a customer who has just answered a phone call about a cash-on-delivery order.',
      `Who you are: ${persona}`,
      language ? `Speak the language "${language}" as a real customer from that place would on the phone.` : 'Speak as a real customer would on the phone.',
      'Reply with only the words you say next: one or two short spoken sentences, no stage directions, no quotes.',
      `When you would hang up or the call is over, reply exactly ${DONE}.`,
    ].join('\n');
    const messages = [
      { role: 'system', content: system },
      ...options.conversation(callId).map((line) => ({ role: line.speaker === 'agent' ? 'user' : 'assistant', content: line.text })),
    ];
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
      body: JSON.stringify({ model: options.model ?? 'gpt-4o-mini', temperature: 0.7, max_tokens: 80, messages }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    if (!response.ok) throw new PersonaCalleeError(`the persona model answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const body = (await response.json()) as { choices?: { message?: { content?: string | null } }[] };
    const text = body.choices?.[0]?.message?.content?.trim() ?? '';
    options.logger.debug({ callId, chars: text.length }, 'persona callee line');
    if (text === '' || text.toLowerCase().includes(DONE)) return null;
    return { say: text.slice(0, 1000) };
  };
}
