import type { ToolSchema } from './providers';

export type OutcomeToolName = 'confirm_order' | 'cancel_order' | 'reschedule_delivery' | 'wrong_person' | 'do_not_call';
export const OUTCOME_TOOLS: ReadonlySet<string> = new Set<OutcomeToolName>(['confirm_order', 'cancel_order', 'reschedule_delivery', 'wrong_person', 'do_not_call']);

/** The tools every COD conversation offers the model; one outcome tool ends the call. */
export const COD_TOOLS: ToolSchema[] = [
  {
    name: 'confirm_order',
    description: 'The customer confirms they want the cash-on-delivery order delivered as planned. Call once, then say a short goodbye.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'cancel_order',
    description: 'The customer clearly wants to cancel the order. Call once, then say a short goodbye.',
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
      'Pass their words or an exact value; relative days like "tomorrow" or "next Friday" are fine.',
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
    description: 'The person on the phone is not the customer and cannot take the call for them (wrong number). Do not reveal order details.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'do_not_call',
    description:
      'The customer asks not to be called again (by us, about this or any order). Call once, then say a short goodbye; ' +
      'their number is then never dialled again. Not for a customer who only wants another time.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: "The customer's words, in a few words, if they gave a reason." } },
      additionalProperties: false,
    },
  },
  {
    name: 'end_call',
    description: 'End the call without an outcome, e.g. the customer asks to be called back later without choosing a time.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string' } },
      additionalProperties: false,
    },
  },
];
