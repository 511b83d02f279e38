import { ALWAYS, GOODBYE_IN_SAME_REPLY, textArgument, type ConversationTool } from './tool';

export const cancelOrder: ConversationTool = {
  schema: {
    name: 'cancel_order',
    description: `The customer clearly wants to cancel the order. Call once. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: "The customer's reason in a few words, if they gave one." } },
      additionalProperties: false,
    },
  },
  goodbye: 'cancelled',
  needsOrderAnswer: true,
  offered: ALWAYS,
  run: (args) => {
    const reason = textArgument(args['reason']);
    return { kind: 'outcome', message: 'Order cancelled.', decision: { outcome: 'cancelled', ...(reason ? { cancelReason: reason } : {}) } };
  },
};
