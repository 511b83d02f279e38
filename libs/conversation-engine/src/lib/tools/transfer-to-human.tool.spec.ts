import { runTool } from './index';
import { transferToHuman } from './transfer-to-human.tool';

describe('transfer_to_human', () => {
  it('is offered only when the gateway has a number to transfer to', () => {
    expect(transferToHuman.offered({ transferAvailable: true, confirmAddress: false, variables: {} })).toBe(true);
    expect(transferToHuman.offered({ transferAvailable: false, confirmAddress: false, variables: {} })).toBe(false);
  });

  it('given a callee who asks for a real person, the call ends transferred with their reason and the transfer announcement', () => {
    const effect = runTool('transfer_to_human', { reason: 'wants a person' }, { now: new Date(), timezone: 'UTC', offered: [transferToHuman], orderAnswered: false });
    expect(effect).toEqual({ kind: 'outcome', message: 'Transferring the call to a colleague.', decision: { outcome: 'transferred', transferReason: 'wants a person' } });
    expect(transferToHuman.goodbye).toBe('transferred');
  });

  it('given a call without a transfer number, a model that asks for one anyway is refused', () => {
    expect(runTool('transfer_to_human', {}, { now: new Date(), timezone: 'UTC', offered: [], orderAnswered: true })).toEqual({
      kind: 'refused',
      message: 'Not done: transfer_to_human is not a tool of this call; use only the tools offered.',
    });
  });
});
