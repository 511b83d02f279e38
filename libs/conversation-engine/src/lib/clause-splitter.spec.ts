import { ClauseSplitter } from './clause-splitter';

describe('ClauseSplitter', () => {
  it('releases each sentence as soon as it is complete, not at the end of the answer', () => {
    const splitter = new ClauseSplitter();
    expect(splitter.push('Thank you! Your ord')).toEqual(['Thank you!']);
    expect(splitter.push('er is confirmed. Good')).toEqual(['Your order is confirmed.']);
    expect(splitter.flush()).toEqual(['Good']);
  });

  it('releases a sentence the moment its last token arrives, without waiting for the next one', () => {
    const splitter = new ClauseSplitter();
    expect(splitter.push('Sure')).toEqual([]);
    expect(splitter.push('.')).toEqual(['Sure.']);
    expect(splitter.push(' Which day suits you?')).toEqual(['Which day suits you?']);
    // A full stop after a digit or a lone letter may be the middle of "3.5" or "J. R.": it waits.
    expect(splitter.push('It costs 3.')).toEqual([]);
    expect(splitter.push('5 dollars. Ask J.')).toEqual(['It costs 3.5 dollars.']);
    expect(splitter.push(' R. Rao')).toEqual([]);
    expect(splitter.flush()).toEqual(['Ask J. R. Rao']);
  });

  it('cuts a long clause at a pause, but not a short one, nor a decimal or a title', () => {
    const splitter = new ClauseSplitter(24);
    expect(splitter.push('Okay, I have moved your delivery to Friday, at 3 pm. ')).toEqual(['Okay, I have moved your delivery to Friday,', 'at 3 pm.']);
    expect(splitter.push('It costs 3.5 dollars, Mr. Doe')).toEqual([]);
    expect(splitter.flush()).toEqual(['It costs 3.5 dollars, Mr. Doe']);
  });

  it('knows where Hindi and Arabic sentences end and pause', () => {
    const splitter = new ClauseSplitter(12);
    expect(splitter.push('धन्यवाद। आपका ऑर्डर कल शाम पाँच बजे आएगा। नमस')).toEqual(['धन्यवाद।', 'आपका ऑर्डर कल शाम पाँच बजे आएगा।']);
    expect(splitter.flush()).toEqual(['नमस']);
    expect(splitter.push('هل أنت فاطمة؟ ')).toEqual(['هل أنت فاطمة؟']);
    expect(splitter.push('شكراً لك على وقتك، سنتصل بك غداً')).toEqual(['شكراً لك على وقتك،']);
    expect(splitter.flush()).toEqual(['سنتصل بك غداً']);
  });
});
