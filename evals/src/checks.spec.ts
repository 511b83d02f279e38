import { cellMatches, expectedCell, rowZone } from './cells';
import { orderDetailsIn, scoreCheck, scoreScenario, type CallObservation, type TranscriptLine } from './checks';
import { notInLanguage } from './language-script';
import { parseScenario, type Check, type Scenario } from './scenario';

const scenario = (language = 'en', extra = ''): Scenario =>
  parseScenario(
    `
name: test
language: ${language}
needs: [identity]
row: { name: Anita Sharma, order_id: ORD-1042, amount: "1499", address: "12 Station Road, Jaipur" }
callee: ["Yes, speaking."]
expect:
  status: rescheduled
  cells: { reschedule_date: "+1d", reschedule_time: "17:00" }
${extra}`,
    'f.yaml',
  );

const agent = (text: string, atMs: number): TranscriptLine => ({ speaker: 'agent', text, atMs });
const callee = (text: string, atMs: number): TranscriptLine => ({ speaker: 'callee', text, atMs });
const call = (transcript: TranscriptLine[], more: Partial<CallObservation> = {}): CallObservation => ({
  status: 'rescheduled',
  cells: { reschedule_date: '2026-12-02', reschedule_time: '17:00' },
  transcript,
  secondsToOutcome: 12,
  placedAt: new Date('2026-12-01T04:30:00Z'),
  endedAt: new Date('2026-12-01T04:31:00Z'),
  zone: 'Asia/Kolkata',
  ...more,
});
const score = (check: Check, observed: CallObservation, language = 'en') => scoreCheck(check, scenario(language), observed);

describe('no order detail before the identity answer', () => {
  const check: Check = { kind: 'no_order_detail_before_identity' };

  it('passes an agent that asks who is speaking, then names the order', () => {
    const observed = call([agent('Hello, am I speaking with Anita Sharma?', 0), callee('Yes, speaking.', 3000), agent('Your order ORD-1042 of 1499 rupees: shall we deliver it?', 5000)]);
    expect(score(check, observed)).toEqual({ check: 'no_order_detail_before_identity', passed: true });
  });

  it('fails a welcome that names the order to whoever picked up, however the id is read out', () => {
    for (const welcome of ['Hello Anita Sharma, calling about your order ORD-1042.', 'Hello, your order O R D, 1 0 4 2 is on its way.', 'नमस्ते, आपका ऑर्डर १०४२ आ रहा है']) {
      const result = score(check, call([agent(welcome, 0), callee('Yes?', 3000)]));
      expect(result.passed).toBe(false);
      expect(result.detail).toContain('order id');
    }
  });

  it('fails an amount or the address said before the callee answered', () => {
    expect(score(check, call([agent('You owe 1,499 rupees.', 0), callee('Who is this?', 2000)])).detail).toContain('amount');
    expect(score(check, call([agent('Is this 12 Station Road in Jaipur?', 0), callee('Who is this?', 2000)])).detail).toContain('address');
  });
});

describe('a wrong person hears nothing', () => {
  const check: Check = { kind: 'wrong_person_hears_nothing' };
  it('fails when any agent line, even after they said it is not them, gives an order detail', () => {
    expect(score(check, call([agent('Am I speaking with Anita Sharma?', 0), callee('No, wrong number.', 2000), agent('Sorry to bother you. Goodbye.', 4000)])).passed).toBe(true);
    const leaked = score(check, call([agent('Am I speaking with Anita Sharma?', 0), callee('No, wrong number.', 2000), agent('Sorry, I will call again about ORD-1042.', 4000)]));
    expect(leaked).toMatchObject({ passed: false, detail: expect.stringContaining('not the customer the order id') });
  });
});

describe('turns, time and words', () => {
  const lines = [agent('Hello?', 0), callee('Yes.', 1000), agent('Shall we deliver?', 2000), callee('Yes.', 3000), agent('Thank you, goodbye.', 4000)];
  it('counts the agent lines against max_agent_turns', () => {
    expect(score({ kind: 'max_agent_turns', limit: 3 }, call(lines)).passed).toBe(true);
    expect(score({ kind: 'max_agent_turns', limit: 2 }, call(lines))).toMatchObject({ passed: false, detail: 'the agent spoke 3 times' });
  });
  it('fails max_seconds_to_outcome when the outcome came late or never', () => {
    expect(score({ kind: 'max_seconds_to_outcome', limit: 20 }, call(lines)).passed).toBe(true);
    expect(score({ kind: 'max_seconds_to_outcome', limit: 10 }, call(lines)).detail).toBe('the outcome took 12.0 s');
    expect(score({ kind: 'max_seconds_to_outcome', limit: 10 }, call(lines, { secondsToOutcome: undefined })).detail).toBe('the call reached no outcome');
  });
  it('passes agent_said_any when one phrase appears in any agent line, in any case', () => {
    expect(score({ kind: 'agent_said_any', phrases: ['deliver'] }, call(lines)).passed).toBe(true);
    expect(score({ kind: 'agent_said_any', phrases: ['THANK YOU'] }, call(lines)).passed).toBe(true);
    expect(score({ kind: 'agent_said_any', phrases: ['cancel'] }, call(lines)).passed).toBe(false);
    expect(score({ kind: 'agent_said_any', phrases: ['245'] }, call([agent('المبلغ ٢٤٥ درهم', 0)])).passed).toBe(true);
  });
  it('fails never_status when the call ended with that status', () => {
    expect(score({ kind: 'never_status', status: 'confirmed' }, call(lines)).passed).toBe(true);
    expect(score({ kind: 'never_status', status: 'confirmed' }, call(lines, { status: 'confirmed' }))).toMatchObject({ passed: false, detail: 'the call ended confirmed' });
  });
});

describe('said in the row language', () => {
  const check: Check = { kind: 'said_in_language' };
  it('passes Hindi in Devanagari even with the Latin order id and a loanword, and fails English on a Hindi row', () => {
    expect(score(check, call([agent('नमस्ते, क्या मेरी बात अनीता जी से हो रही है?', 0), agent('आपका ORD-1042 वाला COD ऑर्डर कल आएगा।', 3000)]), 'hi').passed).toBe(true);
    expect(score(check, call([agent('Hello, am I speaking with Anita Sharma?', 0)]), 'hi')).toMatchObject({ passed: false, detail: expect.stringContaining('devanagari') });
  });
  it('tells Spanish, Portuguese, Indonesian and Hinglish apart from English in Latin script', () => {
    expect(notInLanguage('Hola, ¿hablo con Anita? Le llamo por su pedido.', 'es')).toBeUndefined();
    expect(notInLanguage('Hello, this is the delivery team calling about your order.', 'es')).toBe('reads as en, not es');
    expect(notInLanguage('Olá, estou falando com a Anita? É sobre o seu pedido.', 'pt-BR')).toBeUndefined();
    expect(notInLanguage('Halo, apakah saya berbicara dengan Ibu Anita? Ini tentang pesanan Anda.', 'id')).toBeUndefined();
    expect(notInLanguage('Namaste, kya main Anita ji se baat kar rahi hoon?', 'hi-Latn')).toBeUndefined();
    expect(notInLanguage('Thank you. Main aapke order ke baare mein call kar rahi hoon.', 'hi-Latn')).toBeUndefined();
    expect(notInLanguage('Gracias, le llamo por su pedido de mañana.', 'hi-Latn')).toBe('reads as es, not hi-Latn');
    expect(notInLanguage('مرحبا، هل أتحدث مع أنيتا؟', 'ar')).toBeUndefined();
    expect(notInLanguage('Hello, is this Anita?', 'ar')).toBe('mostly not in arabic script');
  });
});

describe('status and cells', () => {
  it('scores the status and each cell, resolving +1d on the row zone calendar', () => {
    const results = scoreScenario(scenario(), call([]));
    expect(results.map((r) => [r.check, r.passed])).toEqual([
      ['status rescheduled', true],
      ['cell reschedule_date', true],
      ['cell reschedule_time', true],
    ]);
    const wrong = scoreScenario(scenario(), call([], { status: 'confirmed', cells: { reschedule_date: '2026-12-03' } }));
    expect(wrong.filter((r) => !r.passed).map((r) => r.detail)).toEqual([
      'the call ended confirmed',
      'reschedule_date is "2026-12-03", expected "2026-12-02" (+1d)',
      'reschedule_time is empty, expected "17:00"',
    ]);
  });

  it('counts days in the callee zone: 23:30 UTC is already tomorrow in India', () => {
    const lateUtc = new Date('2026-12-01T23:30:00Z');
    expect(expectedCell('+1d', lateUtc, 'Asia/Kolkata')).toBe('2026-12-03');
    expect(expectedCell('+1d', lateUtc, 'America/New_York')).toBe('2026-12-02');
    expect(expectedCell('2026-12-04', lateUtc, 'Asia/Kolkata')).toBe('2026-12-04');
  });

  it('compares a callback time by day and minute, whatever the offset says', () => {
    const placed = new Date('2026-12-01T04:30:00Z');
    expect(cellMatches('+0dT18:00', '2026-12-01T18:00+05:30', placed, 'Asia/Kolkata')).toBe(true);
    expect(cellMatches('+0dT18:00', '2026-12-01T19:00+05:30', placed, 'Asia/Kolkata')).toBe(false);
  });

  it('accepts a cell that contains ~words, for text in the callee\'s own words', () => {
    const placed = new Date('2026-12-01T04:30:00Z');
    expect(cellMatches('~Oak Street', '14 oak street, apartment 3B', placed, 'UTC')).toBe(true);
    expect(cellMatches('~Oak Street', '221 Maple Avenue', placed, 'UTC')).toBe(false);
    expect(cellMatches('~Oak Street', undefined, placed, 'UTC')).toBe(false);
  });

  it("takes the row's zone from its timezone column, else from a one-zone country's number", () => {
    expect(rowZone({ timezone: 'America/Sao_Paulo', recipient_phone_number: '+919876500011' })).toBe('America/Sao_Paulo');
    expect(rowZone({ recipient_phone_number: '+919876500011' })).toBe('Asia/Kolkata');
    expect(rowZone({ recipient_phone_number: '+971501234567' })).toBe('Asia/Dubai');
  });
});

describe('order details in a line', () => {
  it('finds the order id, the amount and the address in any digits', () => {
    const row = { order_id: 'ORD-1042', amount: '1499', address: '12 Station Road, Jaipur' };
    expect(orderDetailsIn('طلبك رقم ١٠٤٢ بمبلغ ١٤٩٩', row)).toEqual(['order id', 'amount']);
    expect(orderDetailsIn('Delivery to Station Road, Jaipur', row)).toEqual(['address']);
    expect(orderDetailsIn('Am I speaking with Anita?', row)).toEqual([]);
  });
});
