import { findLanguage, LANGUAGE_PACKS, languagePack, spokenVariables, type LanguageCode, type LanguagePack } from '@codcall/languages';
import type { ChatMessage, LanguageModel, LanguageModelDelta, LanguageModelRequest } from '../providers';
import { afterTool, INITIAL_STATE, respond, type DialogueContext, type DialogueState, type DialogueTurn } from './dialogue';
import { lexiconsFor } from './lexicons';
import { repliesFor } from './replies';
import { understand } from './understanding';

export interface RuleBasedPolicyOptions {
  /** The call's language; without it, the one whose instruction ends the agent's prompt, then the row's `language` cell, then English. */
  language?: LanguageCode;
}

/**
 * The offline dialogue policy: a deterministic rule engine behind the LanguageModel interface,
 * so the product runs without an LLM key. It is not an AI. It understands plain answers to a COD
 * confirmation call in each supported language, from word lists (lexicons/) and a small state
 * machine (dialogue.ts): who is speaking first, then the order; a new delivery day pinned down to
 * a day and an hour; the address read back when the call checks it; a callback time; a person.
 * It records only what the callee said, and only with the tools the session offers at that point.
 */
export class RuleBasedDialoguePolicy implements LanguageModel {
  readonly name = 'offline:rule-based-policy';
  /** What each of this call's replies left the dialogue waiting for, by the reply's words. */
  private readonly states = new Map<string, DialogueState>();
  private calls = 0;

  constructor(
    private readonly variables: Record<string, string> = {},
    private readonly options: RuleBasedPolicyOptions = {},
  ) {}

  async *stream(request: LanguageModelRequest): AsyncIterable<LanguageModelDelta> {
    const turn = this.answer(request);
    for (const word of turn.text.split(/(?<=\s)/)) {
      if (request.signal.aborted) return;
      yield { type: 'text', text: word };
    }
    for (const tool of turn.tools) {
      if (request.signal.aborted) return;
      yield { type: 'tool_call', call: { id: `call_${++this.calls}_${tool.name}`, name: tool.name, arguments: JSON.stringify(tool.args) } };
    }
  }

  /** The language this call is held in. */
  languageOf(messages: readonly ChatMessage[]): LanguagePack {
    if (this.options.language) return languagePack(this.options.language);
    // localiseAgent appends the language's instruction to the agent's prompt.
    const system = messages.find((message) => message.role === 'system')?.content ?? '';
    let found: LanguagePack | undefined;
    let at = -1;
    for (const pack of LANGUAGE_PACKS) {
      const index = system.lastIndexOf(pack.promptInstruction);
      if (index > at) [found, at] = [pack, index];
    }
    return found ?? findLanguage(this.variables['language']) ?? languagePack('en');
  }

  private answer(request: LanguageModelRequest): DialogueTurn {
    const pack = this.languageOf(request.messages);
    const replies = repliesFor(pack.code);
    const offered = new Set(request.tools.map((tool) => tool.name));
    if (offered.size === 0) return { text: replies.goodbye(), tools: [], next: INITIAL_STATE };
    const spoken = spokenVariables(this.variables, pack);
    const ctx: DialogueContext = {
      lexicon: lexiconsFor(pack.code)[0],
      replies,
      facts: { name: this.variables['name'] || undefined, orderId: spoken['order_id'] || undefined, amount: spoken['amount'] || undefined, address: this.variables['address'] || undefined },
      offered,
    };
    const { state, since } = this.stateBefore(request.messages);
    const last = request.messages[request.messages.length - 1];
    let turn: DialogueTurn;
    if (last?.role === 'tool') {
      turn = afterTool(state, toolNameOf(request.messages, last.toolCallId), last.content, ctx);
    } else {
      // Words the callee added before the agent answered them belong to the same turn.
      const said = request.messages
        .slice(since)
        .flatMap((message) => (message.role === 'user' ? [message.content] : []))
        .join(' ');
      turn = respond(state, understand(said, lexiconsFor(pack.code)), ctx);
    }
    if (turn.text) this.states.set(turn.text, turn.next);
    return turn;
  }

  /**
   * Where the dialogue stood after the agent's last reply of its own (a cut-off one is known by
   * the words heard), and where the callee's words since then begin. The welcome, a reprompt
   * or a voicemail message are not replies of the policy: the welcome asked who is speaking.
   */
  private stateBefore(messages: readonly ChatMessage[]): { state: DialogueState; since: number } {
    for (let index = messages.length - 1; index >= 0; index--) {
      const message = messages[index];
      if (message.role !== 'assistant' || !message.content.trim()) continue;
      const state = this.states.get(message.content) ?? this.stateOfHeard(message.content);
      if (state) return { state, since: index + 1 };
    }
    const firstUser = messages.findIndex((message) => message.role === 'user');
    return { state: INITIAL_STATE, since: firstUser < 0 ? messages.length : firstUser };
  }

  private stateOfHeard(heard: string): DialogueState | undefined {
    let found: DialogueState | undefined;
    for (const [text, state] of this.states) if (text.startsWith(heard.trim())) found = state;
    return found;
  }
}

function toolNameOf(messages: readonly ChatMessage[], toolCallId: string): string | undefined {
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    const call = message.toolCalls?.find((candidate) => candidate.id === toolCallId);
    if (call) return call.name;
  }
  return undefined;
}
