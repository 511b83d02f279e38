import { ALWAYS, GOODBYE_IN_SAME_REPLY, textArgument, type ConversationTool } from './tool';

/** "Stop calling me" is honoured whenever it is said, the first answer included. */
export const doNotCall: ConversationTool = {
  schema: {
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
  goodbye: 'do_not_call',
  needsOrderAnswer: false,
  offered: ALWAYS,
  run: (args) => {
    const reason = textArgument(args['reason']);
    return { kind: 'outcome', message: 'Noted: this number will not be called again.', decision: { outcome: 'do_not_call', ...(reason ? { reason } : {}) } };
  },
};
