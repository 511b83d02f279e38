import { readFileSync } from 'node:fs';
import { languagePack, type LanguageCode } from '@codcall/languages';
import { OFFLINE_POLICY_CLAIMS } from './offline-claims';
import { ScriptedCall } from './scripted-call.fixture';

/**
 * One callee script per language, each line as a caller of that language would say it. Every
 * capability the offline policy claims (offline-claims.ts) is played here in every language.
 */
interface Script {
  identity: string;
  confirm: string;
  cancel: string;
  /** Asked for another day and hour in one breath: date and time as passed to the tool, and what it resolved. */
  reschedule: { line: string; date: string; time: string };
  /** A day and a part of the day only, then the hour asked for. */
  vague: { line: string; hour: string };
  /** 16:30 on the callee's clock: this morning is past; then a day that is not. */
  past: { line: string; then: string; resolved: string };
  wrongPerson: string;
  who: string;
  amount: string;
  changeOfMind: string;
  anger: string;
  doNotCall: string;
  /** "Call me after 6": 18:00 today. */
  callback: string;
  transfer: string;
  address: { line: string; contains: string };
  /** "I'm listening", said as a whole turn: not an answer to anything. */
  backchannel: string;
  /** Words of another language mid-call (English, or Hinglish in an English call), and the outcome they ask for. */
  codeSwitch: { line: string; outcome: 'confirmed' | 'cancelled' | 'rescheduled' };
}

const SCRIPTS: Record<LanguageCode, Script> = {
  en: {
    identity: 'Yes, speaking.',
    confirm: 'Yes, please deliver it.',
    cancel: 'Please cancel it, I ordered it by mistake.',
    reschedule: { line: "I won't be home today. Deliver it tomorrow at 5 pm.", date: 'tomorrow', time: 'at 5 pm' },
    vague: { line: 'Tomorrow evening.', hour: 'At 6.' },
    past: { line: 'Today at 10 am.', then: 'Thursday at 11 am.', resolved: '2026-12-03 11:00' },
    wrongPerson: 'You have the wrong number, there is no Anita here.',
    who: 'Who is this?',
    amount: 'How much do I have to pay?',
    changeOfMind: 'Yes, deliver it... actually, no, cancel it.',
    anger: 'This is a scam, stop bothering me!',
    doNotCall: 'Stop calling me.',
    callback: "I'm driving right now. Call me after 6.",
    transfer: 'Can I talk to a real person, please?',
    address: { line: "No, it's Flat 4B, Palm Residency, MG Road now.", contains: 'Flat 4B, Palm Residency' },
    backchannel: 'Mm-hm.',
    codeSwitch: { line: 'Haan ji, confirm kar do.', outcome: 'confirmed' },
  },
  hi: {
    identity: 'हाँ जी, मैं अनीता बोल रही हूँ।',
    confirm: 'हाँ, भेज दीजिए।',
    cancel: 'नहीं, मुझे ये ऑर्डर नहीं चाहिए।',
    reschedule: { line: 'कल शाम पाँच बजे भेज दीजिए, अभी मैं घर पर नहीं हूँ।', date: 'कल', time: 'शाम पाँच बजे' },
    vague: { line: 'कल शाम को', hour: 'छह बजे' },
    past: { line: 'आज सुबह दस बजे', then: 'परसों सुबह ग्यारह बजे', resolved: '2026-12-03 11:00' },
    wrongPerson: 'आपने गलत नंबर लगाया है।',
    who: 'आप कौन बोल रहे हैं?',
    amount: 'कितने पैसे देने हैं?',
    changeOfMind: 'हाँ भेज दो... नहीं नहीं, कैंसल कर दो।',
    anger: 'ये सब बकवास है, फ्रॉड हो तुम लोग!',
    doNotCall: 'मुझे दोबारा कॉल मत करना।',
    callback: 'अभी मैं बिजी हूँ, छह बजे के बाद कॉल करना।',
    transfer: 'किसी इंसान से बात कराइए।',
    address: { line: 'नहीं, अब मेरा पता फ्लैट 12, गुलमोहर अपार्टमेंट, जयपुर है।', contains: 'फ्लैट 12, गुलमोहर अपार्टमेंट' },
    backchannel: 'अच्छा',
    codeSwitch: { line: 'ये order cancel कर दो', outcome: 'cancelled' },
  },
  'hi-Latn': {
    identity: 'Haan ji, bol raha hoon.',
    confirm: 'Haan haan, confirm kar do.',
    cancel: 'Nahi, mujhe ye order nahi chahiye.',
    reschedule: { line: 'Kal shaam 5 baje bhej dena, abhi ghar pe nahi hoon.', date: 'Kal', time: 'shaam 5 baje' },
    vague: { line: 'kal shaam ko', hour: '6 baje' },
    past: { line: 'aaj subah 10 baje', then: 'parson subah 11 baje', resolved: '2026-12-03 11:00' },
    wrongPerson: 'Wrong number hai, yahan koi Anita nahi rehti.',
    who: 'Aap kaun bol rahe ho?',
    amount: 'Kitne paise dene hain?',
    changeOfMind: 'Haan bhej do... nahi nahi, cancel kar do.',
    anger: 'Bakwas hai ye, fraud ho tum log!',
    doNotCall: 'Mujhe dobara call mat karna.',
    callback: 'Abhi busy hoon, 6 baje ke baad call karna.',
    transfer: 'Mujhe kisi insaan se baat karao.',
    address: { line: 'Nahi, ab mera pata Flat 12, Gulmohar Apartments, Jaipur hai.', contains: 'Flat 12, Gulmohar Apartments' },
    backchannel: 'achha',
    codeSwitch: { line: 'Please deliver kar do, I will take it.', outcome: 'confirmed' },
  },
  ar: {
    identity: 'نعم، أنا أنيتا.',
    confirm: 'أيوه، أكد الطلب لو سمحت.',
    cancel: 'لا، ما أبي الطلب.',
    reschedule: { line: 'بكرة الساعة خمسة المسا، اليوم مش موجود.', date: 'بكرة', time: 'الساعة خمسة المسا' },
    vague: { line: 'بكرة المسا', hour: 'الساعة ستة' },
    past: { line: 'اليوم الصبح الساعة عشرة', then: 'بعد بكرة الساعة 11 الصبح', resolved: '2026-12-03 11:00' },
    wrongPerson: 'الرقم غلط، ما في أحد اسمه أنيتا هنا.',
    who: 'مين معايا؟',
    amount: 'كم المبلغ؟',
    changeOfMind: 'أيوه أكد... لا لحظة، ألغيه.',
    anger: 'هذا نصب، اتركوني في حالي!',
    doNotCall: 'لا تتصل علي مرة ثانية.',
    callback: 'أنا مشغول الحين، اتصل بعد الساعة ستة.',
    transfer: 'ابي اكلم موظف.',
    address: { line: 'لا، العنوان الجديد شقة 4، برج النخيل، البرشاء.', contains: 'شقة 4، برج النخيل' },
    backchannel: 'طيب',
    codeSwitch: { line: 'ok, cancel it please', outcome: 'cancelled' },
  },
  es: {
    identity: 'Sí, soy yo.',
    confirm: 'Sí, tráiganlo como estaba previsto.',
    cancel: 'No, ya no lo quiero.',
    reschedule: { line: 'Mañana a las cinco de la tarde, hoy no voy a estar.', date: 'Mañana', time: 'a las cinco de la tarde' },
    vague: { line: 'Mañana por la tarde.', hour: 'A las seis.' },
    past: { line: 'Hoy a las diez de la mañana.', then: 'Pasado mañana a las once de la mañana.', resolved: '2026-12-03 11:00' },
    wrongPerson: 'Se equivocó de número, aquí no vive ninguna Anita.',
    who: '¿Quién habla?',
    amount: '¿Cuánto tengo que pagar?',
    changeOfMind: 'Sí, tráiganlo... mejor no, cancélenlo.',
    anger: '¡Esto es una estafa, déjenme en paz!',
    doNotCall: 'No me vuelvan a llamar.',
    callback: 'Estoy manejando, llámeme después de las seis.',
    transfer: 'Quiero hablar con una persona.',
    address: { line: 'No, ahora es Calle Reforma 120, departamento 5, colonia Juárez.', contains: 'Calle Reforma 120' },
    backchannel: 'ajá',
    codeSwitch: { line: 'Ok, deliver it mañana a las 3.', outcome: 'rescheduled' },
  },
  'pt-BR': {
    identity: 'Sim, sou eu.',
    confirm: 'Sim, pode mandar.',
    cancel: 'Não, não quero mais.',
    reschedule: { line: 'Amanhã às 17h, hoje não vou estar em casa.', date: 'Amanhã', time: 'às 17h' },
    vague: { line: 'Amanhã à tarde.', hour: 'Às seis.' },
    past: { line: 'Hoje às 10h da manhã.', then: 'Depois de amanhã às 11h.', resolved: '2026-12-03 11:00' },
    wrongPerson: 'Foi engano, não tem nenhuma Anita aqui.',
    who: 'Quem está falando?',
    amount: 'Quanto vou pagar?',
    changeOfMind: 'Sim, pode mandar... pensando bem, cancela.',
    anger: 'Isso é golpe, me deixa em paz!',
    doNotCall: 'Não me liguem mais.',
    callback: 'Estou dirigindo, me liga depois das seis.',
    transfer: 'Quero falar com um atendente.',
    address: { line: 'Não, agora é Rua das Flores, 250, apartamento 12, Pinheiros.', contains: 'Rua das Flores, 250' },
    backchannel: 'uhum',
    codeSwitch: { line: 'Ok, pode cancel, não preciso.', outcome: 'cancelled' },
  },
  id: {
    identity: 'Iya, saya sendiri.',
    confirm: 'Iya, kirim saja sesuai jadwal.',
    cancel: 'Tidak, saya tidak jadi pesan.',
    reschedule: { line: 'Besok jam 5 sore saja, hari ini saya tidak di rumah.', date: 'Besok', time: 'jam 5 sore' },
    vague: { line: 'Besok sore.', hour: 'Jam enam.' },
    past: { line: 'Hari ini jam 10 pagi.', then: 'Lusa jam 11 pagi.', resolved: '2026-12-03 11:00' },
    wrongPerson: 'Salah sambung, tidak ada yang namanya Anita di sini.',
    who: 'Ini siapa ya?',
    amount: 'Berapa yang harus saya bayar?',
    changeOfMind: 'Iya kirim... eh tunggu, batalkan saja.',
    anger: 'Penipu! Jangan ganggu saya!',
    doNotCall: 'Jangan telepon saya lagi.',
    callback: 'Saya lagi nyetir, telepon lagi setelah jam 6.',
    transfer: 'Saya mau bicara dengan orang.',
    address: { line: 'Bukan, sekarang alamat saya Jalan Melati nomor 12, Kebayoran Baru.', contains: 'Jalan Melati nomor 12' },
    backchannel: 'oh',
    codeSwitch: { line: 'Oke, deliver besok jam 3 sore aja.', outcome: 'rescheduled' },
  },
};

const VARIABLES = { name: 'Anita', order_id: 'ORD-1042', amount: '1299', currency: 'INR', address: '12 Lake Road, Jaipur' };
/** The order's id and amount in any of the forms an agent may say them. */
const ORDER_DETAIL = /1\s?0\s?4\s?2|١\s?٠\s?٤\s?٢|1[,.]?299|١[٬,.]?٢٩٩|Lake Road/;

function call(language: LanguageCode, options: { now?: Date; transferAvailable?: boolean; confirmAddress?: boolean } = {}): ScriptedCall {
  return new ScriptedCall({ language, variables: VARIABLES, ...options });
}

/** Past the identity answer: the order question has been asked. */
async function identified(language: LanguageCode, options: Parameters<typeof call>[1] = {}): Promise<ScriptedCall> {
  const scripted = call(language, options);
  await scripted.say(SCRIPTS[language].identity);
  return scripted;
}

describe('the offline claims', () => {
  it('name every language scripted here, and only capabilities a test below plays in each', () => {
    expect([...OFFLINE_POLICY_CLAIMS.languages].sort()).toEqual(Object.keys(SCRIPTS).sort());
    const titles = readFileSync(__filename, 'utf8').match(/it\('([a-z_, ]+):/g)?.join(' ') ?? '';
    for (const capability of OFFLINE_POLICY_CLAIMS.capabilities) expect(titles).toMatch(new RegExp(`[ ']${capability}[,:]`));
  });
});

describe.each(Object.keys(SCRIPTS) as LanguageCode[])('the offline policy in %s', (language) => {
  const script = SCRIPTS[language];

  it('identity: takes "yes, it is me" as identity only, then asks about the order by its number and amount', async () => {
    const scripted = call(language);
    const reply = await scripted.say(script.identity);
    expect(reply.tools).toEqual([]);
    expect(scripted.decision).toBeUndefined();
    expect(reply.text).toMatch(/O R D, (1 0 4 2|١ ٠ ٤ ٢)/);
    expect(reply.text).toMatch(/1[,.]299|١٬٢٩٩/);
    await scripted.say(script.confirm);
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
  });

  it('confirm: confirms in a reply in the language of the call', async () => {
    const scripted = await identified(language);
    const reply = await scripted.say(script.confirm);
    expect(reply.tools.map((tool) => tool.name)).toEqual(['confirm_order']);
    if (language === 'hi') expect(reply.text).toMatch(/[\u0900-\u097f]/);
    if (language === 'ar') expect(reply.text).toMatch(/[\u0600-\u06ff]/);
  });

  it('cancel: cancels when asked to', async () => {
    const scripted = await identified(language);
    await scripted.say(script.cancel);
    expect(scripted.decision?.outcome).toBe('cancelled');
  });

  it('reschedule: passes a new day and hour in the callee’s own words, and the tool resolves them on their calendar', async () => {
    const scripted = await identified(language);
    const reply = await scripted.say(script.reschedule.line);
    expect(reply.tools).toEqual([{ name: 'reschedule_delivery', args: { date: script.reschedule.date, time: script.reschedule.time } }]);
    expect(scripted.decision).toEqual({ outcome: 'rescheduled', rescheduleDate: '2026-12-02', rescheduleTime: '17:00' });
  });

  it('vague_time: pins a part of the day down to an hour before rescheduling', async () => {
    const scripted = await identified(language);
    const question = await scripted.say(script.vague.line);
    expect(question.tools).toEqual([]);
    await scripted.say(script.vague.hour);
    expect(scripted.decision).toEqual({ outcome: 'rescheduled', rescheduleDate: '2026-12-02', rescheduleTime: '18:00' });
  });

  it('past_date: hears a past day refused, asks again, and takes the next one', async () => {
    const scripted = await identified(language, { now: new Date('2026-12-01T11:00:00Z') });
    const refused = await scripted.say(script.past.line);
    expect(refused.tools.map((tool) => tool.name)).toEqual(['reschedule_delivery']);
    expect(scripted.decision).toBeUndefined();
    await scripted.say(script.past.then);
    const decision = scripted.decision;
    expect(decision?.outcome === 'rescheduled' && `${decision.rescheduleDate} ${decision.rescheduleTime}`).toBe(script.past.resolved);
  });

  it('wrong_person: tells a wrong person nothing about the order', async () => {
    const scripted = call(language);
    await scripted.say(script.wrongPerson);
    expect(scripted.decision?.outcome).toBe('wrong_person');
    expect(scripted.agentLines.join(' ')).not.toMatch(ORDER_DETAIL);
  });

  it('who_is_calling, amount_question: says who is calling without order detail before the identity answer, and the amount only after it', async () => {
    const scripted = call(language);
    await scripted.say(script.who);
    await scripted.say(script.amount);
    expect(scripted.agentLines.join(' ')).not.toMatch(ORDER_DETAIL);
    await scripted.say(script.identity);
    const amount = await scripted.say(script.amount);
    expect(amount.text).toMatch(/1[,.]299|١٬٢٩٩/);
    expect(scripted.decision).toBeUndefined();
  });

  it('change_of_mind: follows a change of mind: the last thing wanted counts', async () => {
    const scripted = await identified(language);
    await scripted.say(script.changeOfMind);
    expect(scripted.decision?.outcome).toBe('cancelled');
  });

  it('angry_refusal: takes an angry refusal as a cancellation, with the callee’s words as the reason', async () => {
    const scripted = await identified(language);
    await scripted.say(script.anger);
    expect(scripted.decision).toMatchObject({ outcome: 'cancelled', cancelReason: expect.any(String) });
  });

  it('do_not_call: stops calling a callee who asks it to', async () => {
    const scripted = call(language);
    await scripted.say(script.doNotCall);
    expect(scripted.decision?.outcome).toBe('do_not_call');
  });

  it('callback: books a callback at the time the callee names', async () => {
    const scripted = await identified(language);
    const reply = await scripted.say(script.callback);
    expect(reply.tools.map((tool) => tool.name)).toEqual(['request_callback']);
    expect(scripted.decision).toEqual({ outcome: 'callback_requested', callbackAt: '2026-12-01T18:00+05:30' });
  });

  it('transfer: hands a callee who asks for a person to a colleague, or offers a callback when there is none', async () => {
    const transferring = await identified(language, { transferAvailable: true });
    await transferring.say(script.transfer);
    expect(transferring.decision?.outcome).toBe('transferred');

    const alone = await identified(language);
    const offer = await alone.say(script.transfer);
    expect(offer.tools).toEqual([]);
    await alone.say(script.callback);
    expect(alone.decision?.outcome).toBe('callback_requested');
  });

  it('address: reads the address back before confirming, and records a correction with the outcome', async () => {
    const scripted = await identified(language, { confirmAddress: true });
    const question = await scripted.say(script.confirm);
    expect(question.tools).toEqual([]);
    expect(question.text).toContain('12 Lake Road, Jaipur');
    const reply = await scripted.say(script.address.line);
    expect(reply.tools.map((tool) => tool.name)).toEqual(['update_address', 'confirm_order']);
    expect(scripted.addressUpdate).toContain(script.address.contains);
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
  });

  it('address: goes on to the outcome when the callee says the address is right', async () => {
    const scripted = await identified(language, { confirmAddress: true });
    await scripted.say(script.confirm);
    await scripted.say(script.identity);
    expect(scripted.addressUpdate).toBeUndefined();
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
  });

  it('backchannel, silence: does not take a backchannel for an answer, and keeps its place through a reprompt', async () => {
    const scripted = await identified(language);
    const reply = await scripted.say(script.backchannel);
    expect(reply.tools).toEqual([]);
    scripted.agentSays(languagePack(language).defaults.reprompt);
    await scripted.say(script.confirm);
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
  });

  it('barge_in: asks again, naming the order, when the callee cut in before hearing it', async () => {
    const scripted = call(language);
    await scripted.say(script.identity);
    scripted.cutOff(1);
    const again = await scripted.say(script.confirm);
    expect(again.tools).toEqual([]);
    expect(again.text).toMatch(/O R D/);
    await scripted.say(script.confirm);
    expect(scripted.decision).toEqual({ outcome: 'confirmed' });
  });

  it('code_switching: understands a callee who switches language mid-call', async () => {
    const scripted = await identified(language);
    await scripted.say(script.codeSwitch.line);
    expect(scripted.decision?.outcome).toBe(script.codeSwitch.outcome);
  });

  it('dtmf: understands the keypad', async () => {
    const scripted = call(language);
    await scripted.press('3');
    await scripted.say(script.reschedule.line);
    expect(scripted.decision?.outcome).toBe('rescheduled');
  });
});
