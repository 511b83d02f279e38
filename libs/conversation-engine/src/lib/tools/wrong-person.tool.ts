import { ALWAYS, GOODBYE_IN_SAME_REPLY, noArguments, type ConversationTool } from './tool';

/** Offered from the first answer on: a wrong person must hear no order detail, so no order question comes first. */
export const wrongPerson: ConversationTool = {
  schema: {
    name: 'wrong_person',
    description: `The person on the phone is not the customer and cannot take the call for them (wrong number). Do not reveal order details. ${GOODBYE_IN_SAME_REPLY}`,
    parameters: noArguments(),
  },
  goodbye: 'wrong_person',
  needsOrderAnswer: false,
  offered: ALWAYS,
  run: () => ({ kind: 'outcome', message: 'Noted as a wrong number.', decision: { outcome: 'wrong_person' } }),
};
