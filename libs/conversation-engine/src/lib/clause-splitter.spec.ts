import { ClauseSplitter } from './clause-splitter';

describe('ClauseSplitter', () => {
  it('releases each sentence as soon as it is complete, not at the end of the answer', () => {
    const splitter = new ClauseSplitter();
    expect(splitter.push('Thank you! Your ord')).toEqual(['Thank you!']);
    expect(splitter.push('er is confirmed. Good')).toEqual(['Your order is confirmed.']);
    expect(splitter.flush()).toEqual(['Good']);
  });

  it('cuts a long clause at a pause, but not a short one, nor a decimal or a title', () => {
    const splitter = new ClauseSplitter(24);
    expect(splitter.push('Okay, I have moved your delivery to Friday, at 3 pm. ')).toEqual(['Okay, I have moved your delivery to Friday,', 'at 3 pm.']);
    expect(splitter.push('It costs 3.5 dollars, Mr. Doe')).toEqual([]);
    expect(splitter.flush()).toEqual(['It costs 3.5 dollars, Mr. Doe']);
  });
});
