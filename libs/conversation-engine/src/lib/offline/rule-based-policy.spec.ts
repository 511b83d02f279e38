import { languagePack } from '@codcall/languages';
import type { ChatMessage, LanguageModelDelta, ToolSchema } from '../providers';
import { COD_TOOLS } from '../tools';
import { RuleBasedDialoguePolicy } from './rule-based-policy';
import { ScriptedCall } from './scripted-call.fixture';

async function answer(policy: RuleBasedDialoguePolicy, messages: ChatMessage[], tools: ToolSchema[] = COD_TOOLS) {
  const deltas: LanguageModelDelta[] = [];
  for await (const delta of policy.stream({ messages, tools, signal: new AbortController().signal })) deltas.push(delta);
  return {
    text: deltas.flatMap((d) => (d.type === 'text' ? [d.text] : [])).join(''),
    tools: deltas.flatMap((d) => (d.type === 'tool_call' ? [{ name: d.call.name, args: JSON.parse(d.call.arguments) as Record<string, unknown> }] : [])),
  };
}

describe('RuleBasedDialoguePolicy (a rule engine, not an AI)', () => {
  it('is named for what it is', () => {
    expect(new RuleBasedDialoguePolicy().name).toBe('offline:rule-based-policy');
  });

  it('speaks the language whose instruction ends the agent’s prompt, else the row’s language cell, else English', async () => {
    const policy = new RuleBasedDialoguePolicy({ name: 'Anita' });
    const hindiPrompt: ChatMessage = { role: 'system', content: `You call {name}.\n\n${languagePack('hi').promptInstruction}\n\nToday is Tuesday.` };
    expect(policy.languageOf([hindiPrompt]).code).toBe('hi');
    expect(new RuleBasedDialoguePolicy({ language: 'Hinglish' }).languageOf([{ role: 'system', content: 'x' }]).code).toBe('hi-Latn');
    expect(new RuleBasedDialoguePolicy({}, { language: 'ar' }).languageOf([hindiPrompt]).code).toBe('ar');
    expect(policy.languageOf([{ role: 'system', content: 'x' }]).code).toBe('en');
    const reply = await answer(policy, [hindiPrompt, { role: 'user', content: 'हाँ जी' }]);
    expect(reply.text).toMatch(/[\u0900-\u097f]/);
  });

  it('says goodbye and calls nothing when the session offers no tools', async () => {
    const reply = await answer(new RuleBasedDialoguePolicy(), [{ role: 'user', content: 'Yes, deliver it.' }], []);
    expect(reply).toEqual({ text: 'Thank you for your time. Goodbye!', tools: [] });
  });

  it('never records a confirmation from the identity answer, even to a welcome that asked both at once', async () => {
    const policy = new RuleBasedDialoguePolicy({ name: 'Priya', order_id: 'ORD3' });
    const reply = await answer(policy, [
      { role: 'system', content: 'x' },
      { role: 'assistant', content: 'Hello Priya, this is the delivery team about order ORD3. Shall I confirm it for delivery?' },
      { role: 'user', content: 'Yes, speaking.' },
    ]);
    expect(reply.tools).toEqual([]);
    expect(reply.text).toMatch(/order O R D, 3.*deliver it as planned/);
  });

  it('repeats an outcome asked for before the order question back, naming the order, and records it on yes', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    const repeat = await scripted.say("Hi, I won't be home, can you bring it tomorrow at 3 pm?");
    expect(repeat.tools).toEqual([]);
    expect(repeat.text).toBe('You would like order O R D, 1 0 4 2 delivered tomorrow at 3 pm instead, is that right?');
    await scripted.say('Yes.');
    expect(scripted.decision).toEqual({ outcome: 'rescheduled', rescheduleDate: '2026-12-02', rescheduleTime: '15:00' });
  });

  it('takes the day that was not refused: "not today, tomorrow"', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    await scripted.say('Yes, this is Anita.');
    const reply = await scripted.say('Not today, deliver it tomorrow at 3 pm.');
    expect(reply.tools).toEqual([{ name: 'reschedule_delivery', args: { date: 'tomorrow', time: 'at 3 pm' } }]);
  });

  it('keeps the cancellation reason', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    await scripted.say('Yes, speaking.');
    const reply = await scripted.say('Cancel it because I found it cheaper elsewhere.');
    expect(reply.tools).toEqual([{ name: 'cancel_order', args: { reason: 'I found it cheaper elsewhere' } }]);
  });

  it('asks for the day, then the time, and takes them from separate answers', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    await scripted.say('Yes, speaking.');
    expect((await scripted.say('Can we reschedule?')).text).toMatch(/which day/i);
    expect((await scripted.say('Friday.')).text).toMatch(/what time/);
    await scripted.say('11 am.');
    expect(scripted.decision).toEqual({ outcome: 'rescheduled', rescheduleDate: '2026-12-04', rescheduleTime: '11:00' });
  });

  it('asks again when the tool refuses a day as past, with no call history of its own', async () => {
    const reply = await answer(new RuleBasedDialoguePolicy(), [{ role: 'tool', toolCallId: '1', content: 'Not rescheduled: 2026-11-20 10:00 is in the past' }]);
    expect(reply.text).toMatch(/already passed/);
    expect(reply.tools).toEqual([]);
  });

  it('takes a new day said in answer to the address question as the day, not as an address', async () => {
    const scripted = new ScriptedCall({ language: 'en', confirmAddress: true, variables: { name: 'Anita', order_id: 'ORD-1042', address: '12 Lake Road' } });
    await scripted.say('Yes, speaking.');
    await scripted.say('Can you bring it tomorrow at five?');
    await scripted.say('Oh, sorry, the day after tomorrow at 11 in the morning then.');
    expect(scripted.addressUpdate).toBeUndefined();
    expect(scripted.decision).toEqual({ outcome: 'rescheduled', rescheduleDate: '2026-12-03', rescheduleTime: '11:00' });
  });

  it('keeps an outcome it repeated back through an answer it does not understand', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    await scripted.say("Hi, I won't be home, can you bring it tomorrow at 3 pm?");
    const again = await scripted.say('Hmm, well.');
    expect(again.text).toBe('You would like order O R D, 1 0 4 2 delivered tomorrow at 3 pm instead, is that right?');
    await scripted.say('Yes.');
    expect(scripted.decision?.outcome).toBe('rescheduled');
  });

  it('takes two plain "no"s to "am I speaking with ...?" as a wrong person', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    expect((await scripted.say('No.')).text).toBe('Sorry, am I speaking with Anita?');
    await scripted.say('No.');
    expect(scripted.decision?.outcome).toBe('wrong_person');
  });

  it('offers a callback when no one can take the call, and ends the call without an outcome when it is declined', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    await scripted.say('Yes, speaking.');
    expect((await scripted.say('I want to speak to a human.')).text).toMatch(/no colleague/);
    await scripted.say('No, forget it.');
    expect(scripted.decision?.outcome).toBe('ended_without_outcome');
  });

  it('asks when to call back a callee who is busy but names no time', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    await scripted.say('Yes, speaking.');
    expect((await scripted.say("I'm in a meeting right now.")).text).toBe('Of course, when shall we call you back?');
    await scripted.say('After 6 pm.');
    expect(scripted.decision).toEqual({ outcome: 'callback_requested', callbackAt: '2026-12-01T18:00+05:30' });
  });

  it('asks for the corrected address when the callee only says it is wrong', async () => {
    const scripted = new ScriptedCall({ language: 'en', confirmAddress: true, variables: { name: 'Anita', order_id: 'ORD-1042', address: '12 Lake Road' } });
    await scripted.say('Yes, speaking.');
    expect((await scripted.say('The address is wrong.')).text).toBe('What is the correct delivery address?');
    await scripted.say('House 9, Civil Lines, near the water tank, Jaipur.');
    expect(scripted.addressUpdate).toBe('House 9, Civil Lines, near the water tank, Jaipur.');
    await scripted.say('Yes, deliver it.');
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
  });

  it('reads the address back before a delivery the callee asked for before the order question', async () => {
    const scripted = new ScriptedCall({ language: 'en', confirmAddress: true, variables: { name: 'Anita', order_id: 'ORD-1042', address: '12 Lake Road' } });
    await scripted.say('Hi, yes, please deliver it tomorrow at 3 pm.');
    expect((await scripted.say('Yes.')).text).toBe('Before we deliver: is your address still 12 Lake Road?');
    await scripted.say('No, it is 40 Hill Road now.');
    expect(scripted.toolNames).toEqual(['update_address', 'reschedule_delivery']);
    expect(scripted.addressUpdate).toBe('40 Hill Road now');
    expect(scripted.decision).toEqual({ outcome: 'rescheduled', rescheduleDate: '2026-12-02', rescheduleTime: '15:00' });
  });

  it('understands a keypad press at any point, 1 confirming', async () => {
    const scripted = new ScriptedCall({ language: 'hi' });
    await scripted.press('1');
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
  });

  it('answers all of what a callee said before it could reply, as one turn', async () => {
    const policy = new RuleBasedDialoguePolicy({ name: 'Anita', order_id: 'ORD7' });
    const reply = await answer(policy, [
      { role: 'system', content: 'x' },
      { role: 'assistant', content: 'Hello, am I speaking with Anita?' },
      { role: 'user', content: 'Yes it is me.' },
      { role: 'user', content: 'Who is calling?' },
    ]);
    expect(reply.text).toMatch(/^I am calling from the delivery team about your cash on delivery order O R D, 7/);
  });

  it('says no goodbye beside a new day the tool may refuse, so a refused day was never promised', async () => {
    const scripted = new ScriptedCall({ language: 'en' });
    await scripted.say('Yes, speaking.');
    const refused = await scripted.say('Deliver it yesterday at 5 pm.');
    expect(refused.tools.map((tool) => tool.name)).toEqual(['reschedule_delivery']);
    expect(refused.text).toBe('That day has already passed. Which upcoming day and time would suit you?');
    expect(scripted.decision).toBeUndefined();
  });

  it.each([
    ['en', "No, that's my old address. It's 14 Oak Street, apartment 3B, Springfield now.", '14 Oak Street, apartment 3B, Springfield now'],
    ['hi', 'नहीं, पता बदल गया है। अब 45 गांधी नगर, जयपुर में रहती हूँ।', '45 गांधी नगर, जयपुर में रहती हूँ'],
    ['ar', 'لا، العنوان ناقص. شارع الوحدة، بناية النخيل، شقة ١٢، قريب من دوار الساعة.', 'شارع الوحدة، بناية النخيل، شقة ١٢، قريب من دوار الساعة'],
  ] as const)('in %s, notes an address corrected unasked while the order is discussed, then asks about the order', async (language, line, address) => {
    const scripted = new ScriptedCall({ language, confirmAddress: true, variables: { name: 'Anita', order_id: 'ORD-1042', address: '12 Lake Road' } });
    await scripted.say(language === 'en' ? 'Yes, speaking.' : language === 'hi' ? 'हाँ जी' : 'نعم');
    const noted = await scripted.say(line);
    expect(noted.tools).toEqual([{ name: 'update_address', args: { address } }]);
    expect(scripted.decision).toBeUndefined();
    await scripted.say(language === 'en' ? 'Yes, deliver it there.' : language === 'hi' ? 'हाँ, वहीं भेज दीजिए।' : 'إيه، أرسلوه.');
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
    expect(scripted.addressUpdate).toBe(address);
  });

  it('takes "deliver it today, I am home" as the delivery as planned', async () => {
    const scripted = new ScriptedCall({ language: 'ar' });
    await scripted.say('هلا، إيه أنا.');
    await scripted.say('زين، خلاص وصّلوه اليوم، أنا موجودة.');
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
  });

  it('takes the day said with an hour, and the "kal" a Hindi callee says they meant', async () => {
    const scripted = new ScriptedCall({ language: 'hi' });
    await scripted.say('हाँ जी');
    const reply = await scripted.say('Actually, tomorrow morning at 10 would be better, आज मैं बाहर हूँ।');
    expect(reply.tools).toEqual([{ name: 'reschedule_delivery', args: { date: 'tomorrow', time: 'morning at 10' } }]);

    const past = new ScriptedCall({ language: 'hi' });
    await past.say('जी, बोल रही हूँ।');
    const yesterday = await past.say('कल रात को ही भेज देते, बीता हुआ कल, सात बजे।');
    expect(yesterday.tools[0]?.args['date']).toBe('बीता हुआ कल');
  });

  describe('code-switching', () => {
    it('a Hinglish callee mixing English words is understood, and answered in Hinglish', async () => {
      const scripted = new ScriptedCall({ language: 'hi-Latn' });
      await scripted.say('Haan ji, speaking.');
      const reply = await scripted.say('Please deliver kar do, I will take it.');
      expect(reply.tools.map((tool) => tool.name)).toEqual(['confirm_order']);
      expect(reply.text).toMatch(/confirm ho gaya hai/);
    });

    it('a Hindi callee written in Devanagari with English words, or in Latin letters, is understood', async () => {
      const scripted = new ScriptedCall({ language: 'hi' });
      await scripted.say('जी हाँ, बोल रही हूँ');
      await scripted.say('ये order cancel कर दो');
      expect(scripted.decision?.outcome).toBe('cancelled');

      const latin = new ScriptedCall({ language: 'hi' });
      await latin.say('haan ji');
      await latin.say('kal subah 11 baje bhej dena');
      expect(latin.decision).toEqual({ outcome: 'rescheduled', rescheduleDate: '2026-12-02', rescheduleTime: '11:00' });
    });

    it.each([
      ['an Egyptian caller', 'أيوه يا فندم', 'عايز ألغي الأوردر'],
      ['a Moroccan caller', 'واخا، أنا هي', 'بغيت نلغي الطلب'],
      ['a Moroccan caller in French', "oui, c'est moi", 'annuler la commande'],
    ])('%s cancelling is understood', async (_who, identity, cancel) => {
      const scripted = new ScriptedCall({ language: 'ar' });
      await scripted.say(identity);
      await scripted.say(cancel);
      expect(scripted.decision?.outcome).toBe('cancelled');
    });
  });
});
