import type { LanguagePack } from '../language-pack';

export const ENGLISH: LanguagePack = {
  code: 'en',
  name: 'English',
  locale: 'en-US',
  aliases: ['english', 'en-us', 'en-gb', 'en-in', 'eng'],
  direction: 'ltr',
  deepgram: { model: 'nova-3', language: 'en', note: 'nova-3 monolingual English: the most accurate English model' },
  elevenlabs: { model: 'eleven_flash_v2_5', languageCode: 'en', voiceId: '21m00Tcm4TlvDq8ikWAM', voiceName: 'Rachel' },
  espeakVoice: 'en-us',
  promptInstruction:
    'Speak English. The callee may switch to another language mid-call: understand them, and answer in English unless they ask you to change. Read order ids out character by character.',
  defaults: {
    welcome: 'Hello, this is the delivery team calling. Am I speaking with {name}?',
    voicemail: 'Hello, this is the delivery team calling about order {order_id}. We will try again later. Thank you.',
    reprompt: 'Hello? Are you still there?',
    transferring: 'One moment, please. I am connecting you to a colleague.',
    addressQuestion: 'Is your delivery address still {address}?',
    goodbyes: {
      confirmed: 'Thank you! Your order is confirmed. Goodbye.',
      cancelled: 'Your order has been cancelled. Thank you for letting us know. Goodbye.',
      rescheduled: 'Your delivery has been moved to {reschedule_date} at {reschedule_time}. Thank you. Goodbye.',
      wrong_person: 'Sorry for the trouble. Goodbye.',
      do_not_call: "Understood. We won't call you again. Goodbye.",
      no_response: "We couldn't hear you, so we'll try again later. Goodbye.",
      ended_without_outcome: 'Thank you for your time. Goodbye.',
      max_duration: "We'll have to end the call here; we'll contact you again. Goodbye.",
      failed: "Sorry, we're having technical trouble. We'll call you back. Goodbye.",
      callback_requested: "Of course. We'll call you back at the time you asked for: {callback_time}. Goodbye.",
      transferred: 'Please stay on the line: a colleague will take it from here.',
    },
  },
  // The words the turn detector has always let pass while the agent speaks.
  backchannels: ['yeah', 'yep', 'yes', 'uh-huh', 'mm-hm', 'mhm', 'mm', 'hmm', 'okay', 'ok', 'right', 'sure', 'ah', 'oh', 'aha', 'uh', 'um'],
};
