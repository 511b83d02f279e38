import type { ChatMessage, LanguageModel, LanguageModelDelta, LanguageModelRequest } from '../providers';

type Intent =
  | { kind: 'confirm' }
  | { kind: 'cancel'; reason?: string }
  | { kind: 'reschedule'; date?: string; time?: string }
  | { kind: 'wrong_person' }
  | { kind: 'do_not_call' }
  | { kind: 'who' }
  | { kind: 'no' }
  | { kind: 'unclear' };

const DO_NOT_CALL = /\b((do not|don'?t|never|stop) (ever )?(call|calling|ring|phone)(ing)? (me|this number)|remove (me|my number)|take me off)\b/i;
const WRONG_PERSON = /\b(wrong (number|person)|no one (here )?by that name|there('s| is) no \w+ here|not (him|her|me)|you have the wrong|don'?t know (any|who)|never ordered)\b/i;
const CANCEL = /\b(cancel|don'?t want|do not want|no longer (want|need)|not interested|return it|refuse)\b/i;
const RESCHEDULE = /\b(reschedule|another (day|time)|different (day|time)|later date|not (be )?(at )?home|won'?t be (home|there|in)|not available|deliver (it )?(on|at|next|tomorrow)|come (back )?(on|tomorrow|next))\b/i;
const CONFIRM = /\b(yes|yeah|yep|sure|confirm(ed)?|correct|that'?s right|please deliver|deliver it|go ahead|okay|ok|fine|absolutely)\b/i;
const WHO = /\b(who (is|are) (this|you)|who'?s calling|what is this about)\b/i;
const NO = /^\s*(no|nope|nah)\b/i;
const DATE_WORDS = /\b(today|tomorrow|tonight|day after tomorrow|next \w+|this \w+|(mon|tues|wednes|thurs|fri|satur|sun)day|\d{4}-\d{2}-\d{2}|\d{1,2}(st|nd|rd|th)?( of)? (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{1,2}(st|nd|rd|th)?|in (\d+|one|two|three|four|five|a few) days?)\b/i;
const REASON = /\b(because|as|since)\b(.*)$|\b(ordered (it )?by mistake|found (it )?cheaper|changed my mind|too expensive|no longer need it)\b/i;

/**
 * The offline dialogue policy: a deterministic rule engine behind the LanguageModel interface,
 * so the product runs without an LLM key. It is not an AI: it understands plain English answers
 * to a COD confirmation call (yes, cancel, another day and time, wrong person) and nothing more.
 */
export class RuleBasedDialoguePolicy implements LanguageModel {
  readonly name = 'offline:rule-based-policy';

  constructor(private readonly variables: Record<string, string> = {}) {}

  async *stream(request: LanguageModelRequest): AsyncIterable<LanguageModelDelta> {
    const reply = this.reply(request.messages, request.tools.length > 0);
    for (const word of reply.text.split(/(?<=\s)/)) {
      if (request.signal.aborted) return;
      yield { type: 'text', text: word };
    }
    if (reply.tool && !request.signal.aborted) {
      yield { type: 'tool_call', call: { id: `call_${Date.now().toString(36)}`, name: reply.tool.name, arguments: JSON.stringify(reply.tool.args) } };
    }
  }

  /** An outcome's words are the call's last: the session plays them as the goodbye and asks nothing more. */
  private reply(messages: ChatMessage[], toolsOffered: boolean): { text: string; tool?: { name: string; args: Record<string, unknown> } } {
    const last = messages[messages.length - 1];
    const order = this.variables['order_id'] ? `order ${this.variables['order_id']}` : 'your order';
    if (last?.role === 'tool') {
      if (/^Not rescheduled/.test(last.content)) {
        return { text: /past/.test(last.content) ? 'That time has already passed. Which upcoming day and time would suit you?' : 'Sorry, which day and what time would suit you?' };
      }
      return { text: 'Thank you. Goodbye!' };
    }
    if (!toolsOffered) return { text: 'Thank you for your time. Goodbye!' };
    const said = last?.role === 'user' ? last.content : '';
    const intent = this.understand(said, messages);
    switch (intent.kind) {
      case 'wrong_person':
        return { text: 'I am sorry for the trouble. Have a good day. Goodbye.', tool: { name: 'wrong_person', args: {} } };
      case 'do_not_call':
        return { text: 'Understood. We will not call you again. Goodbye.', tool: { name: 'do_not_call', args: {} } };
      case 'cancel':
        return { text: `Okay, I have cancelled ${order}. Thank you for letting us know. Goodbye.`, tool: { name: 'cancel_order', args: intent.reason ? { reason: intent.reason } : {} } };
      case 'reschedule':
        if (!intent.date || !intent.time) {
          return { text: intent.date ? 'Sure. At what time on that day?' : 'Sure. Which day and time would suit you for the delivery?' };
        }
        return { text: `Alright, I will move the delivery to ${intent.date} at ${intent.time}. Goodbye.`, tool: { name: 'reschedule_delivery', args: { date: intent.date, time: intent.time } } };
      case 'confirm':
        return { text: `Thank you! ${capitalise(order)} is confirmed and will be delivered as planned. Goodbye.`, tool: { name: 'confirm_order', args: {} } };
      case 'who':
        return { text: `I am calling from the delivery team about ${order}, which is cash on delivery. Shall I confirm it for delivery?` };
      case 'no':
        return { text: 'No problem. Would you like to cancel the order, or have it delivered on another day?' };
      default:
        return { text: 'Sorry, I did not catch that. Shall I go ahead and confirm your order for delivery?' };
    }
  }

  private understand(said: string, messages: ChatMessage[]): Intent {
    const text = said.toLowerCase();
    if (DO_NOT_CALL.test(text)) return { kind: 'do_not_call' };
    if (WRONG_PERSON.test(text)) return { kind: 'wrong_person' };
    if (CANCEL.test(text)) return { kind: 'cancel', reason: extractReason(said) };
    const date = lastDate(said);
    const time = extractTime(said);
    if (RESCHEDULE.test(text) || (date && this.askedForDate(messages))) return { kind: 'reschedule', date, time };
    if (time && this.askedForDate(messages)) return { kind: 'reschedule', date: this.lastMentionedDate(messages), time };
    if (WHO.test(text)) return { kind: 'who' };
    if (NO.test(text)) return { kind: 'no' };
    if (CONFIRM.test(text)) return { kind: 'confirm' };
    if (date) return { kind: 'reschedule', date, time };
    return { kind: 'unclear' };
  }

  /** True when the agent's last words asked for a day or time. */
  private askedForDate(messages: ChatMessage[]): boolean {
    const agent = [...messages].reverse().find((m) => m.role === 'assistant');
    return !!agent && /\b(which day|what time|day and time|another day|upcoming day)\b/i.test(agent.content);
  }

  private lastMentionedDate(messages: ChatMessage[]): string | undefined {
    for (const message of [...messages].reverse()) {
      if (message.role !== 'user') continue;
      const date = lastDate(message.content);
      if (date) return date;
    }
    return undefined;
  }
}

/** People correct themselves ("not today, tomorrow"): the last day named is the one they mean. */
function lastDate(said: string): string | undefined {
  const matches = [...said.matchAll(new RegExp(DATE_WORDS.source, 'gi'))];
  return matches.length ? matches[matches.length - 1][0] : undefined;
}

function extractTime(said: string): string | undefined {
  const explicit = /\b\d{1,2}(:\d{2})? ?(am|pm|a\.m\.|p\.m\.|o'?clock)\b|\b\d{1,2}:\d{2}\b|\b(noon|midday|morning|afternoon|evening|night)\b/i.exec(said);
  if (explicit) return explicit[0];
  const bare = /\bat (\d{1,2})\b/i.exec(said);
  return bare ? bare[1] : undefined;
}

function extractReason(said: string): string | undefined {
  const match = REASON.exec(said);
  if (!match) return undefined;
  const reason = (match[2] ?? match[3] ?? '').trim().replace(/[.!?]+$/, '');
  return reason || undefined;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
