import { runTool } from './index';
import { updateAddress } from './update-address.tool';

const call = { now: new Date(), timezone: 'Asia/Dubai', offered: [updateAddress], orderAnswered: true };

describe('update_address', () => {
  it('is offered only when the agent confirms addresses and the row has one', () => {
    expect(updateAddress.offered({ transferAvailable: false, confirmAddress: true, variables: { address: 'Al Barsha 1' } })).toBe(true);
    expect(updateAddress.offered({ transferAvailable: false, confirmAddress: true, variables: { address: ' ' } })).toBe(false);
    expect(updateAddress.offered({ transferAvailable: false, confirmAddress: false, variables: { address: 'Al Barsha 1' } })).toBe(false);
  });

  it('given a callee who adds the building and a landmark, the correction is noted and the call goes on', () => {
    const effect = runTool('update_address', { address: 'Flat 4B,  Palm Residency,\nnear City Mall, Al Barsha 1' }, call);
    expect(effect).toEqual({ kind: 'noted', message: 'Address noted: Flat 4B, Palm Residency, near City Mall, Al Barsha 1.', addressUpdate: 'Flat 4B, Palm Residency, near City Mall, Al Barsha 1' });
    expect(updateAddress.goodbye).toBeUndefined();
  });

  it('given an empty or rambling address, nothing is noted and the model is told what to ask for', () => {
    expect(runTool('update_address', { address: '' }, call)).toMatchObject({ kind: 'refused', message: expect.stringMatching(/ask for the corrected address/) });
    expect(runTool('update_address', { address: 'x'.repeat(301) }, call)).toMatchObject({ kind: 'refused' });
  });

  it('given a callee who has not said they are the customer, no address is taken (an order detail)', () => {
    expect(runTool('update_address', { address: 'Al Barsha 2' }, { ...call, orderAnswered: false }).kind).toBe('refused');
  });
});
