import { resolveCallbackTime } from '../callback-time';
import { ALWAYS, GOODBYE_IN_SAME_REPLY, textArgument, type ConversationTool } from './tool';

/**
 * The callee is busy now and names a time to be called again ("call me after 6"): the row is
 * retried then. Not an answer about the order, so it is offered from the first answer on.
 */
export const requestCallback: ConversationTool = {
  schema: {
    name: 'request_callback',
    description:
      'The customer asks to be called back at a time they name (e.g. "call me after 6", "tomorrow morning"). ' +
      'Pass their words; relative days and times are fine. If the time is refused you are told why: ask again, and say no goodbye. ' +
      `Without a time, ask when suits them; if they name none, use end_call. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: {
      type: 'object',
      properties: { time: { type: 'string', description: 'When to call back, in their words or exactly, e.g. "after 6 pm", "tomorrow 10:00".' } },
      required: ['time'],
      additionalProperties: false,
    },
  },
  goodbye: 'callback_requested',
  needsOrderAnswer: false,
  offered: ALWAYS,
  run: (args, call) => {
    const time = textArgument(args['time']);
    if (!time) return { kind: 'refused', message: 'Not booked: no time was given; ask when to call back.' };
    const callback = resolveCallbackTime(time, { now: call.now, timezone: call.timezone, language: call.language });
    // A refused time is no outcome: the model reads why and asks the callee again.
    if (!callback.ok) return { kind: 'refused', message: `Not booked: ${callback.message}.` };
    return { kind: 'outcome', message: `Callback booked for ${callback.at}.`, decision: { outcome: 'callback_requested', callbackAt: callback.at } };
  },
};
