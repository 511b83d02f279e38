import { ConversationStageTracker } from './conversation-stage';

describe('where a conversation is on its way to an outcome', () => {
  it('takes the first answer as identity, whatever the welcome asked, and opens the order only after an agent turn naming it', () => {
    const stage = new ConversationStageTracker('ORD-1042');
    stage.calleeTurn(['Hello Anita, shall I confirm order ORD-1042?']);
    expect(stage.current).toBe('order_question');
    stage.calleeTurn(['Thank you. Your parcel comes tomorrow.']);
    expect(stage.orderAnswered).toBe(false);
    stage.calleeTurn(['Shall I deliver order O R D, 1 0 4 2 tomorrow?']);
    expect(stage.current).toBe('order_answered');
  });

  it('knows the order id in other scripts: Eastern Arabic and Devanagari digits count', () => {
    for (const words of ['هل أؤكد الطلب O R D، ١ ٠ ٤ ٢؟', 'क्या मैं ऑर्डर ओ आर डी, १ ० ४ २ भेज दूँ?']) {
      const stage = new ConversationStageTracker('ORD-1042');
      stage.calleeTurn([]);
      stage.calleeTurn([words]);
      expect(stage.orderAnswered).toBe(true);
    }
  });

  it('for a row without an order id, takes any agent turn after the first answer as the order question', () => {
    const stage = new ConversationStageTracker(undefined);
    stage.calleeTurn([]);
    stage.calleeTurn(['']);
    expect(stage.orderAnswered).toBe(false);
    stage.calleeTurn(['Shall I deliver it?']);
    expect(stage.orderAnswered).toBe(true);
  });

  it('takes a keypad press as an answer to the keypad choices', () => {
    const stage = new ConversationStageTracker('ORD-1');
    stage.keypadAnswer();
    expect(stage.orderAnswered).toBe(true);
  });
});
