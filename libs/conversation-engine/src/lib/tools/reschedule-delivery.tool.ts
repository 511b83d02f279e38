import { resolveDeliverySlot } from '../delivery-slot';
import { ALWAYS, GOODBYE_IN_SAME_REPLY, type ConversationTool } from './tool';

export const rescheduleDelivery: ConversationTool = {
  schema: {
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
  goodbye: 'rescheduled',
  needsOrderAnswer: true,
  offered: ALWAYS,
  run: (args, call) => {
    const time = args['time'] === undefined ? undefined : String(args['time']);
    const slot = resolveDeliverySlot(String(args['date'] ?? ''), time, { now: call.now, timezone: call.timezone, language: call.language });
    // A refused date is no outcome: the model reads why and answers the callee again.
    if (!slot.ok) return { kind: 'refused', message: `Not rescheduled: ${slot.message}.` };
    return {
      kind: 'outcome',
      message: `Delivery rescheduled to ${slot.date} at ${slot.time}.`,
      decision: { outcome: 'rescheduled', rescheduleDate: slot.date, rescheduleTime: slot.time },
    };
  },
};
