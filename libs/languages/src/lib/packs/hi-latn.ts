import type { LanguagePack } from '../language-pack';

export const HINGLISH: LanguagePack = {
  code: 'hi-Latn',
  name: 'Hinglish',
  locale: 'en-IN',
  aliases: ['hinglish', 'hi-en', 'hi_latn', 'hi-latn-in', 'hindi-english'],
  direction: 'ltr',
  deepgram: {
    model: 'nova-3',
    language: 'multi',
    languageHints: ['hi', 'en'],
    note: 'no single-language model serves Hindi-English code-switching: nova-3 multilingual (language=multi) with language_hint hi,en transcribes both in one utterance',
  },
  elevenlabs: { model: 'eleven_flash_v2_5', languageCode: 'hi', voiceId: 'EXAVITQu4vr4xnSDxMaL', voiceName: 'Sarah' },
  espeakVoice: 'hi',
  promptInstruction:
    'Speak Hinglish: conversational Hindi mixed with English, written in Latin script (for example "Aapka order kal deliver ho jayega"), never Devanagari. Use the polite "aap" form. The callee will switch between Hindi and English mid-sentence: understand both and answer in the same Hinglish. Read order ids out character by character.',
  defaults: {
    welcome: 'Namaste, main delivery team se bol rahi hoon. Kya meri baat {name} ji se ho rahi hai?',
    voicemail: 'Namaste, hum delivery team se order {order_id} ke baare mein call kar rahe the. Hum aapko baad mein phir se call karenge. Thank you.',
    reprompt: 'Hello? Kya aapko meri awaaz aa rahi hai?',
    transferring: 'Ek minute rukiye, main aapki baat apne ek colleague se karwa rahi hoon.',
    addressQuestion: 'Kya aapka delivery address abhi bhi {address} hi hai?',
    goodbyes: {
      confirmed: 'Thank you! Aapka order confirm ho gaya hai. Namaste.',
      cancelled: 'Aapka order cancel kar diya gaya hai. Batane ke liye thank you. Namaste.',
      rescheduled: 'Theek hai, aapki delivery ab {reschedule_date} ko {reschedule_time} par hogi. Thank you, namaste.',
      wrong_person: 'Pareshan karne ke liye maaf kijiye. Namaste.',
      do_not_call: 'Theek hai, hum aapko dobara call nahi karenge. Namaste.',
      no_response: 'Aapki awaaz nahi aa rahi hai, hum baad mein phir se call karenge. Namaste.',
      ended_without_outcome: 'Apna time dene ke liye thank you. Namaste.',
      max_duration: 'Humein yeh call yahin khatam karni hogi, hum aapse phir contact karenge. Namaste.',
      failed: 'Sorry, kuch technical problem aa rahi hai. Hum aapko wapas call karenge. Namaste.',
      callback_requested: 'Zaroor, hum aapko aapke bataye time par call karenge: {callback_time}. Thank you, namaste.',
      transferred: 'Please line par bane rahiye, mere colleague ab aapse baat karenge.',
    },
  },
  backchannels: ['haan', 'han', 'haan ji', 'ji haan', 'ji', 'achha', 'accha', 'acha', 'hmm', 'hoon', 'ok', 'okay', 'yeah', 'हाँ', 'जी', 'अच्छा'],
};
