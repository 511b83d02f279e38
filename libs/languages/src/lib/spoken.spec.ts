import { spokenAmount, spokenOrderId, spokenVariables } from './spoken';
import { languagePack } from './registry';

describe('spokenOrderId: the agent reads an order id one character at a time', () => {
  it('separates the characters with spaces and the groups with commas, so the voice pauses between them', () => {
    expect(spokenOrderId('ORD-1042', languagePack('en'))).toBe('O R D, 1 0 4 2');
    expect(spokenOrderId('ord1042', languagePack('hi'))).toBe('O R D, 1 0 4 2');
    expect(spokenOrderId('AB12-CD', languagePack('es'))).toBe('A B, 1 2, C D');
  });

  it('gives an Arabic sentence Arabic digits', () => {
    expect(spokenOrderId('ORD-1042', languagePack('ar'))).toBe('O R D, ١ ٠ ٤ ٢');
  });
});

describe('spokenAmount: the amount as the callee\'s locale says it', () => {
  it.each([
    ['1299', 'hi', 'INR', '1,299 भारतीय रुपए'],
    ['129999.5', 'hi-Latn', 'INR', '1,29,999.50 Indian rupees'],
    ['1.299,50', 'pt-BR', 'BRL', '1.299,50 Reais brasileiros'],
    ['799', 'es', 'MXN', '799 pesos mexicanos'],
    ['150000', 'id', 'IDR', '150.000 Rupiah Indonesia'],
    ['250', 'ar', 'EGP', '٢٥٠ جنيهًا مصريًا'],
    ['₹ 1,299.00', 'en', 'INR', '1,299 Indian rupees'],
  ] as const)('%s in %s with %s is "%s"', (amount, code, currency, spoken) => {
    expect(spokenAmount(amount, languagePack(code), currency)).toBe(spoken);
  });

  it('says a plain number without a currency, keeps a currency that is not a code, and leaves a non-number alone', () => {
    expect(spokenAmount('1299.5', languagePack('pt-BR'))).toBe('1.299,5');
    expect(spokenAmount('250', languagePack('en'), 'dirham')).toBe('250 dirham');
    expect(spokenAmount('to be confirmed', languagePack('en'), 'INR')).toBe('to be confirmed');
  });
});

describe('spokenVariables', () => {
  it('spells the order id, formats the amount with the row\'s currency and leaves every other cell as it is', () => {
    const row = { name: 'अनीता शर्मा', order_id: 'ORD-7', amount: '1299', currency: 'INR', address: '12 MG Road' };
    expect(spokenVariables(row, languagePack('hi'))).toEqual({ ...row, order_id: 'O R D, 7', amount: '1,299 भारतीय रुपए' });
  });

  it('leaves a row without order id or amount as it is', () => {
    expect(spokenVariables({ name: 'Ana' }, languagePack('es'))).toEqual({ name: 'Ana' });
  });
});
