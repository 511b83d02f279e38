import type { Lexicon } from './lexicons';
import type { OrderFacts, Replies } from './replies';
import type { Heard } from './understanding';

/**
 * Where the offline conversation is: the question the agent last asked. `identity`: the welcome's
 * "am I speaking with ...?"; `order`: "shall we deliver order X as planned?"; `proposal`: the
 * callee asked for an outcome before the order question, which the agent now repeats back to
 * them; `choice`: "cancel, or another day?"; `day`, `time`, `exact_time`: a delivery slot being
 * pinned down; `address`, `address_correction`: the address read back before an outcome;
 * `callback_time`, `callback_offer`: a time to call back.
 */
export type Stage =
  | 'identity'
  | 'order'
  | 'proposal'
  | 'choice'
  | 'day'
  | 'time'
  | 'exact_time'
  | 'address'
  | 'address_correction'
  | 'callback_time'
  | 'callback_offer';

export interface ToolRequest {
  name: string;
  args: Record<string, unknown>;
}

/** An outcome the callee asked for, waiting for the order question's answer or the address check. */
export interface PendingOutcome {
  tool: ToolRequest;
  /** The goodbye said with it. */
  text: string;
  /** How the agent repeated it back, when it had to: said again to an answer it did not understand. */
  proposal?: string;
}

export interface DialogueState {
  stage: Stage;
  identified: boolean;
  /** Bare "no"s to "am I speaking with ...?". */
  identityNoes: number;
  slot: { day?: string; daypart?: string; clock?: string };
  pending?: PendingOutcome;
  addressChecked: boolean;
}

export const INITIAL_STATE: DialogueState = { stage: 'identity', identified: false, identityNoes: 0, slot: {}, addressChecked: false };

export interface DialogueTurn {
  text: string;
  tools: ToolRequest[];
  next: DialogueState;
}

export interface DialogueContext {
  lexicon: Lexicon;
  replies: Replies;
  facts: OrderFacts;
  /** The tools the session offers on this turn (the order's tools only once the order question was asked). */
  offered: ReadonlySet<string>;
}

/** The order question, naming the order (the session knows the order question by its id). */
function askOrder(state: DialogueState, ctx: DialogueContext, next: Partial<DialogueState> = {}): DialogueTurn {
  return { text: ctx.replies.askOrder(ctx.facts), tools: [], next: { ...state, stage: 'order', identified: true, ...next } };
}

const SLOT_STAGES: ReadonlySet<Stage> = new Set(['day', 'time', 'exact_time']);

/** The agent's answer to one callee turn. */
export function respond(state: DialogueState, heard: Heard, ctx: DialogueContext): DialogueTurn {
  const { replies, facts } = ctx;
  const say = (text: string, next: Partial<DialogueState>): DialogueTurn => ({ text, tools: [], next: { ...state, ...next } });
  // An address correction is something to record only where the call checks addresses.
  const intent = heard.keypad ? keypadIntent(heard.keypad) : heard.intents.find((said) => said !== 'address' || ctx.offered.has('update_address'));

  switch (intent) {
    case 'do_not_call':
      return end(state, replies.doNotCall(), { name: 'do_not_call', args: reasonArgs(heard.reason) });
    case 'wrong_person':
      return end(state, replies.wrongPerson(), { name: 'wrong_person', args: {} });
    case 'human':
      if (ctx.offered.has('transfer_to_human')) return end(state, replies.transferring(), { name: 'transfer_to_human', args: reasonArgs(heard.reason ?? 'asked for a person') });
      return say(replies.offerCallback(), { stage: 'callback_offer' });
    case 'callback':
      return callback(state, heard, ctx);
    case 'cancel':
    case 'anger': {
      const reason = heard.reason ?? (intent === 'anger' ? clip(heard.said) : undefined);
      return outcome(state, { tool: { name: 'cancel_order', args: reasonArgs(reason) }, text: replies.cancelled(facts) }, ctx, replies.proposeCancel(facts));
    }
  }

  if (state.stage === 'callback_time' || state.stage === 'callback_offer') {
    if (heard.when) return callback(state, heard, ctx);
    if (state.stage === 'callback_offer' && intent === 'yes') return say(replies.askCallbackTime(), { stage: 'callback_time' });
    if (intent === 'no') return end(state, replies.goodbye(), { name: 'end_call', args: { reason: 'callee declined a callback' } });
    if (state.stage === 'callback_time') return say(replies.askCallbackTime(), {});
  }

  if (intent === 'address') {
    const address = correctedAddress(heard, true);
    if (!address) return say(replies.askAddress(), { stage: 'address_correction', addressChecked: true });
    if (state.pending) return { text: '', tools: [{ name: 'update_address', args: { address } }], next: { ...state, addressChecked: true } };
    return noted(state, address, ctx);
  }


  if (state.stage === 'address' || state.stage === 'address_correction') {
    // "Oh sorry, the day after tomorrow at 11 then": a new day, not an address.
    if (heard.day && state.pending?.tool.name === 'reschedule_delivery') return reschedule({ ...state, slot: {} }, heard, ctx);
    const address = state.stage === 'address_correction' && intent !== 'yes' ? heard.said.trim() : correctedAddress(heard);
    if (intent === 'yes' && state.stage === 'address' && state.pending) return finish(state, state.pending);
    // The correction is noted first; the outcome waiting for it follows once the session says it was (afterTool).
    if (address && state.pending) return { text: '', tools: [{ name: 'update_address', args: { address } }], next: state };
    if (address) return noted(state, address, ctx);
    if (intent === 'no' || state.stage === 'address_correction') return say(replies.askAddress(), { stage: 'address_correction' });
    if (state.pending) return say(replies.addressQuestion(facts), {});
  }

  // "Deliver it today, I'm home": the delivery as planned.
  const plainToday = heard.dayIsToday && !heard.clock && !heard.daypart;
  if (plainToday && (intent === 'confirm' || intent === 'yes') && state.stage !== 'identity') {
    return outcome(state, { tool: { name: 'confirm_order', args: {} }, text: replies.confirmed(facts) }, ctx, replies.askOrder(facts));
  }
  const names = heard.day ?? heard.daypart ?? heard.clock ?? (SLOT_STAGES.has(state.stage) ? heard.hour : undefined);
  if (intent === 'reschedule' || (names && state.stage !== 'identity') || (heard.day && state.stage === 'identity')) return reschedule(state, heard, ctx);

  // "Yes, it's me. Who is calling?": the identity answer and a question in one turn.
  if ((intent === 'who' || intent === 'amount') && heard.affirms) state = { ...state, identified: true };
  switch (intent) {
    case 'who':
      return state.identified ? say(replies.whoAfterIdentity(facts), { stage: 'order' }) : say(replies.whoBeforeIdentity(facts), {});
    case 'amount':
      return state.identified ? say(replies.amount(facts), { stage: 'order' }) : say(replies.identityFirst(facts), {});
    case 'confirm':
      return outcome(state, { tool: { name: 'confirm_order', args: {} }, text: replies.confirmed(facts) }, ctx, replies.askOrder(facts));
    case 'yes':
      return affirmed(state, ctx);
    case 'no':
      return denied(state, ctx);
  }
  return unclear(state, ctx);
}

/** The last tool was refused or only noted something: the agent answers again (the tool's message says why). */
export function afterTool(state: DialogueState, tool: string | undefined, message: string, ctx: DialogueContext): DialogueTurn {
  const { replies } = ctx;
  const past = /\bpast\b/i.test(message);
  const say = (text: string, next: Partial<DialogueState>): DialogueTurn => ({ text, tools: [], next: { ...state, ...next } });
  if (tool === 'reschedule_delivery' || /^Not rescheduled/i.test(message)) return say(past ? replies.pastDay() : replies.unclearDay(), { stage: 'day', slot: {}, pending: undefined });
  if (tool === 'request_callback' || /^Not booked/i.test(message)) return say(past ? replies.callbackPast() : replies.askCallbackTime(), { stage: 'callback_time' });
  if (tool === 'transfer_to_human') return say(replies.offerCallback(), { stage: 'callback_offer' });
  if (tool === 'update_address' && state.pending) return finish({ ...state, stage: 'order', addressChecked: true }, state.pending);
  if (state.pending) return askOrder(state, ctx, { stage: 'proposal' });
  return askOrder(state, ctx);
}

/** A corrected address, noted; the order question follows (the order was named already). */
function noted(state: DialogueState, address: string, ctx: DialogueContext): DialogueTurn {
  const text = `${ctx.replies.addressNoted()} ${ctx.replies.orderQuestion()}`;
  return { text, tools: [{ name: 'update_address', args: { address } }], next: { ...state, stage: 'order', identified: true, addressChecked: true } };
}

function keypadIntent(digit: '1' | '2' | '3'): Heard['intent'] {
  return digit === '1' ? 'confirm' : digit === '2' ? 'cancel' : 'reschedule';
}

function end(state: DialogueState, text: string, tool: ToolRequest): DialogueTurn {
  return { text, tools: [tool], next: state };
}

function finish(state: DialogueState, pending: PendingOutcome): DialogueTurn {
  return { text: pending.text, tools: [pending.tool], next: { ...state, pending: undefined } };
}

/**
 * Records an outcome the callee said, when the session offers its tool. Before the order question
 * it is not offered: the agent repeats it back, naming the order, and the callee's "yes" records
 * it. Before a delivery (confirm, a new day), the address is read back when the call checks it.
 */
function outcome(state: DialogueState, pending: PendingOutcome, ctx: DialogueContext, proposal: string): DialogueTurn {
  if (!ctx.offered.has(pending.tool.name)) {
    if (pending.tool.name === 'confirm_order') return askOrder(state, ctx, { pending: undefined });
    return { text: proposal, tools: [], next: { ...state, stage: 'proposal', identified: true, pending: { ...pending, proposal } } };
  }
  const delivers = pending.tool.name === 'confirm_order' || pending.tool.name === 'reschedule_delivery';
  if (delivers && ctx.offered.has('update_address') && ctx.facts.address && !state.addressChecked) {
    return { text: ctx.replies.addressQuestion(ctx.facts), tools: [], next: { ...state, stage: 'address', addressChecked: true, pending } };
  }
  return finish(state, pending);
}

function affirmed(state: DialogueState, ctx: DialogueContext): DialogueTurn {
  const { replies, facts } = ctx;
  const say = (text: string, next: Partial<DialogueState>): DialogueTurn => ({ text, tools: [], next: { ...state, ...next } });
  switch (state.stage) {
    case 'identity':
      return askOrder(state, ctx);
    case 'order':
      return outcome(state, { tool: { name: 'confirm_order', args: {} }, text: replies.confirmed(facts) }, ctx, replies.askOrder(facts));
    case 'proposal':
      return state.pending ? outcome(state, state.pending, ctx, replies.askOrder(facts)) : askOrder(state, ctx);
    case 'choice':
      return say(replies.askChoice(), {});
    default:
      return repeatSlotQuestion(state, ctx);
  }
}

function denied(state: DialogueState, ctx: DialogueContext): DialogueTurn {
  const { replies, facts } = ctx;
  const say = (text: string, next: Partial<DialogueState>): DialogueTurn => ({ text, tools: [], next: { ...state, ...next } });
  switch (state.stage) {
    case 'identity':
      // A second plain "no" to "am I speaking with ...?" is a wrong person: they hear nothing more.
      if (state.identityNoes >= 1) return end(state, replies.wrongPerson(), { name: 'wrong_person', args: {} });
      return say(replies.askIdentity(facts), { identityNoes: state.identityNoes + 1 });
    case 'order':
    case 'proposal':
    case 'choice':
      return say(replies.askChoice(), { stage: 'choice', pending: undefined });
    default:
      return repeatSlotQuestion(state, ctx);
  }
}

function unclear(state: DialogueState, ctx: DialogueContext): DialogueTurn {
  const { replies, facts } = ctx;
  const say = (text: string, next: Partial<DialogueState>): DialogueTurn => ({ text, tools: [], next: { ...state, ...next } });
  if (state.stage === 'identity') return say(replies.askIdentity(facts), {});
  if (state.stage === 'choice') return say(replies.askChoice(), {});
  if (state.stage === 'proposal') return state.pending?.proposal ? say(state.pending.proposal, {}) : askOrder(state, ctx, { pending: undefined });
  if (SLOT_STAGES.has(state.stage)) return repeatSlotQuestion(state, ctx);
  return say(replies.notUnderstood(), { stage: 'order' });
}

function repeatSlotQuestion(state: DialogueState, ctx: DialogueContext): DialogueTurn {
  const { replies } = ctx;
  const text = state.stage === 'time' ? replies.askTime() : state.stage === 'exact_time' && state.slot.daypart ? replies.askExactTime(state.slot.daypart) : replies.askDay();
  return { text, tools: [], next: state };
}

/**
 * A new delivery day: the day and an hour are both needed, and a part of the day alone ("in the
 * evening", "shaam ko") is pinned down to an hour. Each answer adds to what was said before.
 */
function reschedule(state: DialogueState, heard: Heard, ctx: DialogueContext): DialogueTurn {
  const { replies, lexicon } = ctx;
  const awaitingHour = state.stage === 'time' || state.stage === 'exact_time';
  const slot = {
    day: heard.day ?? state.slot.day,
    daypart: heard.daypart ?? state.slot.daypart,
    clock: heard.clock ?? (awaitingHour ? heard.hour : undefined) ?? state.slot.clock,
  };
  const ask = (text: string, stage: Stage): DialogueTurn => ({ text, tools: [], next: { ...state, stage, slot, identified: true } });
  if (!slot.day) return ask(replies.askDay(), 'day');
  if (!slot.clock && !slot.daypart) return ask(replies.askTime(), 'time');
  if (!slot.clock && slot.daypart) return ask(replies.askExactTime(slot.daypart), 'exact_time');
  const clock = slot.clock ?? '';
  // Said together ("shaam 5 baje", "a las 5 de la tarde"): the callee's own words; said apart: the language's order.
  const together = heard.clock && heard.daypart && heard.when ? heard.when.replace(heard.day ?? '', '').trim() : undefined;
  const time = together || (slot.daypart ? lexicon.timePhrase(slot.daypart, clock) : clock);
  const when = `${slot.day} ${time}`.trim();
  // No words beside the tool: a day the tool refuses must not have been promised, and the agent's
  // goodbye for a new day says the date the tool resolved.
  const pending: PendingOutcome = { tool: { name: 'reschedule_delivery', args: { date: slot.day, time } }, text: '' };
  const turn = outcome({ ...state, slot }, pending, ctx, replies.proposeSlot(ctx.facts, when));
  return { ...turn, next: { ...turn.next, slot } };
}

function callback(state: DialogueState, heard: Heard, ctx: DialogueContext): DialogueTurn {
  const { replies } = ctx;
  if (!heard.when) return { text: replies.askCallbackTime(), tools: [], next: { ...state, stage: 'callback_time' } };
  if (!ctx.offered.has('request_callback')) return end(state, replies.callbackBooked(heard.when), { name: 'end_call', args: { reason: `callback requested: ${heard.when}` } });
  // As for a new day: the tool may refuse the time, and the agent's goodbye says the one it booked.
  return end(state, '', { name: 'request_callback', args: { time: heard.when } });
}

/**
 * "No, it is 14 Park Street now": what follows the leading words, when it is long enough to be
 * an address. `afterChange`: from the end of "my address changed" on.
 */
function correctedAddress(heard: Heard, afterChange = false): string | undefined {
  const rest = (afterChange ? (heard.afterAddressChange ?? '') : heard.rest).replace(/[.!?।]+$/, '').trim();
  if (!afterChange && rest === heard.said.trim() && heard.intent) return undefined;
  return rest.split(/\s+/).length >= 2 || /\d/.test(rest) ? rest : undefined;
}

function reasonArgs(reason: string | undefined): Record<string, unknown> {
  return reason ? { reason } : {};
}

function clip(text: string): string {
  const trimmed = text.trim().replace(/[.!?।]+$/, '');
  return trimmed.length > 100 ? `${trimmed.slice(0, 100).trimEnd()}…` : trimmed;
}
