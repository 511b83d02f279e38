import { ALWAYS, GOODBYE_IN_SAME_REPLY, textArgument, type ConversationTool } from './tool';

export const endCall: ConversationTool = {
  schema: {
    name: 'end_call',
    description: `End the call without an outcome, e.g. the customer is busy and names no time to call back. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string' } },
      additionalProperties: false,
    },
  },
  goodbye: 'ended_without_outcome',
  needsOrderAnswer: false,
  offered: ALWAYS,
  run: (args) => ({ kind: 'outcome', message: 'Ending the call.', decision: { outcome: 'ended_without_outcome', reason: textArgument(args['reason']) } }),
};
