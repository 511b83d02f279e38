import { runTool } from './index';
import { wrongPerson } from './wrong-person.tool';

describe('wrong_person', () => {
  it('given someone who is not the customer answering the welcome, the call ends at once: no order question comes first', () => {
    const effect = runTool('wrong_person', {}, { now: new Date(), timezone: 'UTC', offered: [wrongPerson], orderAnswered: false });
    expect(effect).toEqual({ kind: 'outcome', message: 'Noted as a wrong number.', decision: { outcome: 'wrong_person' } });
    expect(wrongPerson.goodbye).toBe('wrong_person');
    expect(wrongPerson.schema.description).toMatch(/Do not reveal order details/);
  });
});
