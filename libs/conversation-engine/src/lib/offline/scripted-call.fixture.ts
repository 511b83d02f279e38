// Test support for the offline policy's specs: a call driven the way ConversationSession drives
// a language model (history, the tools the stage allows, tools run, refused tools answered
// again), without audio. Not part of the lib's API.
import { languagePack, spokenVariables, type LanguageCode } from '@codcall/languages';
import type { ChatMessage, ToolCall } from '../providers';
import type { AgentRuntimeConfig } from '@codcall/agent-config';
import { conversationPrompt } from '../session/conversation-prompt';
import { ConversationStageTracker } from '../session/conversation-stage';
import type { Decision } from '../session/conversation-result';
import { runTool, toolsForCall, type ConversationTool } from '../tools';
import { RuleBasedDialoguePolicy } from './rule-based-policy';

export interface AgentReply {
  text: string;
  /** Every tool the policy called this turn, with its arguments. */
  tools: { name: string; args: Record<string, unknown> }[];
}

export interface ScriptedCallOptions {
  language: LanguageCode;
  variables?: Record<string, string>;
  transferAvailable?: boolean;
  confirmAddress?: boolean;
  /** Tuesday 1 December 2026, 10:00 in the callee's zone unless said. */
  now?: Date;
  timezone?: string;
}

const KEYPAD: Record<string, string> = { '1': 'confirm the order', '2': 'cancel the order', '3': 'deliver on another day' };

export class ScriptedCall {
  readonly policy: RuleBasedDialoguePolicy;
  readonly history: ChatMessage[];
  readonly agentLines: string[] = [];
  decision?: Decision;
  addressUpdate?: string;
  private readonly tracker: ConversationStageTracker;
  private readonly tools: ConversationTool[];
  private readonly variables: Record<string, string>;

  constructor(private readonly options: ScriptedCallOptions) {
    this.variables = options.variables ?? { name: 'Anita', order_id: 'ORD-1042', amount: '1299', currency: 'INR' };
    const pack = languagePack(options.language);
    this.policy = new RuleBasedDialoguePolicy(this.variables);
    this.tools = toolsForCall({ transferAvailable: options.transferAvailable ?? false, confirmAddress: options.confirmAddress ?? false, variables: this.variables });
    this.tracker = new ConversationStageTracker(this.variables['order_id']);
    const welcome = pack.defaults.welcome.replace(/\{(\w+)\}/g, (_, key: string) => spokenVariables(this.variables, pack)[key] ?? '');
    // The session's own prompt: the agent's (ending with the language's instruction) and the engine's rules.
    // Only what the prompt reads of an agent (this lib's sources may not import @codcall/test-support).
    const agent = { systemPrompt: `You call {name} about an order.\n\n${pack.promptInstruction}`, addressQuestion: pack.defaults.addressQuestion, confirmAddress: options.confirmAddress ?? false } as AgentRuntimeConfig;
    const prompt = conversationPrompt({ agent, variables: this.variables, tools: this.tools, now: this.now, timezone: this.timezone });
    this.history = [
      { role: 'system', content: prompt },
      { role: 'assistant', content: welcome },
    ];
    this.agentLines.push(welcome);
  }

  get now(): Date {
    return this.options.now ?? new Date('2026-12-01T04:30:00Z');
  }

  get timezone(): string {
    return this.options.timezone ?? 'Asia/Kolkata';
  }

  /** Names of every tool called so far. */
  get toolNames(): string[] {
    return this.history.flatMap((message) => (message.role === 'assistant' ? (message.toolCalls ?? []).map((call) => call.name) : []));
  }

  /** The callee says `line`; the agent answers (more than one round when a tool was refused). */
  async say(line: string): Promise<AgentReply> {
    if (this.decision) throw new Error(`the call already ended: ${this.decision.outcome}`);
    this.tracker.calleeTurn(this.agentWordsSinceCallee());
    this.history.push({ role: 'user', content: line });
    return this.answer();
  }

  async press(digit: '1' | '2' | '3'): Promise<AgentReply> {
    this.tracker.keypadAnswer();
    this.history.push({ role: 'user', content: `[The customer pressed ${digit} on the keypad, meaning: ${KEYPAD[digit]}.]` });
    return this.answer();
  }

  /** The agent says something the policy did not write (a reprompt after silence). */
  agentSays(text: string): void {
    this.history.push({ role: 'assistant', content: text });
    this.agentLines.push(text);
  }

  /** The callee cut the agent's last words off: the history keeps the first `words` words, what was heard, as the session does. */
  cutOff(words: number): void {
    const last = [...this.history].reverse().find((message) => message.role === 'assistant');
    if (last?.role === 'assistant') last.content = last.content.split(/\s+/).slice(0, words).join(' ');
  }

  private async answer(): Promise<AgentReply> {
    const reply: AgentReply = { text: '', tools: [] };
    for (let round = 0; round < 3; round++) {
      const offered = this.tools.filter((tool) => !tool.needsOrderAnswer || this.tracker.orderAnswered);
      let text = '';
      const calls: ToolCall[] = [];
      for await (const delta of this.policy.stream({ messages: [...this.history], tools: offered.map((tool) => tool.schema), signal: new AbortController().signal })) {
        if (delta.type === 'text') text += delta.text;
        else calls.push(delta.call);
      }
      this.history.push({ role: 'assistant', content: text.trim(), ...(calls.length ? { toolCalls: calls } : {}) });
      if (text.trim()) this.agentLines.push(text.trim());
      reply.text = `${reply.text} ${text.trim()}`.trim();
      let retry = false;
      for (const call of calls) {
        const args = JSON.parse(call.arguments) as Record<string, unknown>;
        reply.tools.push({ name: call.name, args });
        const effect = runTool(call.name, args, { now: this.now, timezone: this.timezone, language: this.options.language, offered: this.tools, orderAnswered: this.tracker.orderAnswered, orderId: this.variables['order_id'] });
        this.history.push({ role: 'tool', toolCallId: call.id, content: effect.message });
        if (effect.kind === 'outcome') {
          this.decision = effect.decision;
          return reply;
        }
        if (effect.kind === 'noted') this.addressUpdate = effect.addressUpdate;
        retry ||= effect.kind === 'refused' || !text.trim();
      }
      if (!retry) return reply;
    }
    return reply;
  }

  private agentWordsSinceCallee(): string[] {
    const words: string[] = [];
    for (let i = this.history.length - 1; i >= 0 && this.history[i].role !== 'user'; i--) {
      const message = this.history[i];
      if (message.role === 'assistant') words.unshift(message.content);
    }
    return words;
  }
}
