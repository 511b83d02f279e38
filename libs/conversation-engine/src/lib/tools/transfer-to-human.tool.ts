import { GOODBYE_IN_SAME_REPLY, textArgument, type ConversationTool } from './tool';

/**
 * The callee asks for a person: the agent says its transfer message and the carrier moves the
 * live call to the gateway's TRANSFER_NUMBER. Only offered when there is one to move it to.
 */
export const transferToHuman: ConversationTool = {
  schema: {
    name: 'transfer_to_human',
    description:
      'The customer asks to speak to a person (a human, an agent, customer care), or has a problem you cannot solve on this call. ' +
      `The call is handed over to a colleague. ${GOODBYE_IN_SAME_REPLY.replace('goodbye', 'word that you are connecting them')}`,
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: 'Why they want a person, in a few words.' } },
      additionalProperties: false,
    },
  },
  goodbye: 'transferred',
  needsOrderAnswer: false,
  offered: (offer) => offer.transferAvailable,
  run: (args) => {
    const reason = textArgument(args['reason']);
    return { kind: 'outcome', message: 'Transferring the call to a colleague.', decision: { outcome: 'transferred', ...(reason ? { transferReason: reason } : {}) } };
  },
};
