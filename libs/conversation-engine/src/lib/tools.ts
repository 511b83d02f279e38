import type { ToolSchema } from './providers';

export type OutcomeToolName = 'confirm_order' | 'cancel_order' | 'reschedule_delivery' | 'wrong_person' | 'do_not_call';
export const OUTCOME_TOOLS: ReadonlySet<string> = new Set<OutcomeToolName>(['confirm_order', 'cancel_order', 'reschedule_delivery', 'wrong_person', 'do_not_call']);

/**
 * Said in every outcome tool's description: the reply that calls the tool is the last thing the
 * callee hears, so its words are the goodbye (no second request is made; without words the
 * agent's configured goodbye is played).
 */
const GOODBYE_IN_SAME_REPLY = 'In the same reply, write your short goodbye to the customer (one sentence); the call ends after it.';

/** The tools every COD conversation offers the model; one outcome tool ends the call. */
export const COD_TOOLS: ToolSchema[] = [
  {
    name: 'confirm_order',
    description: `The customer confirms they want the cash-on-delivery order delivered as planned. Call once. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'cancel_order',
    description: `The customer clearly wants to cancel the order. Call once. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: "The customer's reason in a few words, if they gave one." } },
      additionalProperties: false,
    },
  },
  {
    name: 'reschedule_delivery',
    description:
      'The customer wants the delivery on another day. Only call after they named both a day and a time and you repeated them back. ' +
      'Pass their words or an exact value; relative days like "tomorrow" or "next Friday" are fine. ' +
      `If the day is refused you are told why: ask again, and say no goodbye. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: {
      type: 'object',
      properties: {
        date: { type: 'string', description: 'The day, e.g. "2026-12-03", "tomorrow", "next Friday".' },
        time: { type: 'string', description: 'The time of day, e.g. "15:00", "3 pm", "morning".' },
      },
      required: ['date', 'time'],
      additionalProperties: false,
    },
  },
  {
    name: 'wrong_person',
    description: `The person on the phone is not the customer and cannot take the call for them (wrong number). Do not reveal order details. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'do_not_call',
    description:
      'The customer asks not to be called again (by us, about this or any order). Call once; ' +
      `their number is then never dialled again. Not for a customer who only wants another time. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: "The customer's words, in a few words, if they gave a reason." } },
      additionalProperties: false,
    },
  },
  {
    name: 'end_call',
    description: `End the call without an outcome, e.g. the customer asks to be called back later without choosing a time. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string' } },
      additionalProperties: false,
    },
  },
];
