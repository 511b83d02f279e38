import { COD_TOOLS, goodbyeKeys, OUTCOME_TOOLS, toolsForCall } from './index';
import { parseArguments } from './tool';

describe('the tool list', () => {
  it('a plain call offers the six outcome tools and request_callback; a transfer number and an address to confirm add theirs', () => {
    const names = (offer: Parameters<typeof toolsForCall>[0]) => toolsForCall(offer).map((tool) => tool.schema.name);
    expect(names({ transferAvailable: false, confirmAddress: false, variables: {} })).toEqual([
      'confirm_order',
      'cancel_order',
      'reschedule_delivery',
      'wrong_person',
      'do_not_call',
      'end_call',
      'request_callback',
    ]);
    expect(names({ transferAvailable: true, confirmAddress: true, variables: { address: 'MG Road 5' } })).toEqual(expect.arrayContaining(['transfer_to_human', 'update_address']));
    expect(COD_TOOLS).toHaveLength(9);
  });

  it('every tool that ends the call names its goodbye; update_address ends nothing', () => {
    expect(OUTCOME_TOOLS.has('update_address')).toBe(false);
    expect(goodbyeKeys(toolsForCall({ transferAvailable: true, confirmAddress: true, variables: { address: 'x' } }))).toEqual([
      'confirmed',
      'cancelled',
      'rescheduled',
      'wrong_person',
      'do_not_call',
      'ended_without_outcome',
      'callback_requested',
      'transferred',
    ]);
  });

  it("reads the model's arguments, and treats broken JSON or a list as none", () => {
    expect(parseArguments('{"reason":"late"}')).toEqual({ reason: 'late' });
    expect(parseArguments('{"reason":')).toEqual({});
    expect(parseArguments('[1]')).toEqual({});
    expect(parseArguments('  ')).toEqual({});
  });
});
