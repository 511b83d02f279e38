import { ALWAYS, GOODBYE_IN_SAME_REPLY, noArguments, type ConversationTool } from './tool';

/** The callee wants the order delivered as planned: the costliest outcome to get wrong, so only after they answered the order question. */
export const confirmOrder: ConversationTool = {
  schema: {
    name: 'confirm_order',
    description: `The customer confirms they want the cash-on-delivery order delivered as planned. Call once. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: noArguments(),
  },
  goodbye: 'confirmed',
  needsOrderAnswer: true,
  offered: ALWAYS,
  run: () => ({ kind: 'outcome', message: 'Order confirmed.', decision: { outcome: 'confirmed' } }),
};
