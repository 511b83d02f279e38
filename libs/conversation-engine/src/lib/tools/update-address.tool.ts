import { textArgument, type ConversationTool } from './tool';

/** Addresses longer than this are not an address: the model is asked for the corrected one. */
const MAX_ADDRESS_CHARS = 300;

/**
 * The callee corrects the delivery address the agent read back. Not an outcome: the correction
 * is kept (the row's `address_update`) and the conversation goes on to the order's answer.
 * Offered only when the agent confirms addresses and the row has one to confirm.
 *
 * The address is asked before the order's answer is recorded, not after: the first outcome tool
 * ends the call (its goodbye is in the same reply), and a confirmation or a new day is worth only
 * as much as the address the courier drives to.
 */
export const updateAddress: ConversationTool = {
  schema: {
    name: 'update_address',
    description:
      'The customer corrects or completes the delivery address you read back (street, building, landmark, area). ' +
      'Pass the whole corrected address as they gave it. The call goes on: then ask about the order if they have not answered yet.',
    parameters: {
      type: 'object',
      properties: { address: { type: 'string', description: 'The whole corrected address, e.g. "Flat 4B, Palm Residency, near City Mall, Al Barsha".' } },
      required: ['address'],
      additionalProperties: false,
    },
  },
  needsOrderAnswer: true,
  offered: (offer) => offer.confirmAddress && Boolean(offer.variables['address']?.trim()),
  run: (args) => {
    const address = textArgument(args['address'])?.replace(/\s+/g, ' ');
    if (!address) return { kind: 'refused', message: 'Not noted: no address was given; ask for the corrected address.' };
    if (address.length > MAX_ADDRESS_CHARS) return { kind: 'refused', message: `Not noted: an address is at most ${MAX_ADDRESS_CHARS} characters; ask for the address only.` };
    return { kind: 'noted', message: `Address noted: ${address}.`, addressUpdate: address };
  },
};
