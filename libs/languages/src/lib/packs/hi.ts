import type { LanguagePack } from '../language-pack';

export const HINDI: LanguagePack = {
  code: 'hi',
  name: 'Hindi',
  locale: 'hi-IN',
  aliases: ['hindi', 'hi-in', 'hin', 'हिन्दी', 'हिंदी'],
  direction: 'ltr',
  deepgram: { model: 'nova-3', language: 'hi', note: 'nova-3 monolingual Hindi (since November 2025); transcripts come in Devanagari' },
  elevenlabs: { model: 'eleven_flash_v2_5', languageCode: 'hi', voiceId: 'EXAVITQu4vr4xnSDxMaL', voiceName: 'Sarah' },
  espeakVoice: 'hi',
  promptInstruction:
    'Speak Hindi, written in Devanagari script, in the polite "aap" form, the everyday Hindi of a phone call (common English words such as order, delivery and address are fine). The callee may mix Hindi and English: understand both, and keep answering in Hindi. Read order ids out character by character.',
  defaults: {
    welcome: 'नमस्ते, मैं डिलीवरी टीम से बोल रही हूँ। क्या मेरी बात {name} जी से हो रही है?',
    voicemail: 'नमस्ते, हम डिलीवरी टीम से ऑर्डर {order_id} के बारे में कॉल कर रहे थे। हम आपको बाद में फिर से कॉल करेंगे। धन्यवाद।',
    reprompt: 'हैलो? क्या आपको मेरी आवाज़ आ रही है?',
    transferring: 'एक मिनट रुकिए, मैं आपकी बात अपने एक साथी से करवा रही हूँ।',
    addressQuestion: 'क्या आपका डिलीवरी का पता अभी भी {address} ही है?',
    goodbyes: {
      confirmed: 'धन्यवाद! आपका ऑर्डर कन्फ़र्म हो गया है। नमस्ते।',
      cancelled: 'आपका ऑर्डर कैंसिल कर दिया गया है। बताने के लिए धन्यवाद। नमस्ते।',
      rescheduled: 'ठीक है, आपकी डिलीवरी अब {reschedule_date} को {reschedule_time} पर होगी। धन्यवाद, नमस्ते।',
      wrong_person: 'परेशान करने के लिए माफ़ कीजिए। नमस्ते।',
      do_not_call: 'ठीक है, हम आपको दोबारा कॉल नहीं करेंगे। नमस्ते।',
      no_response: 'आपकी आवाज़ नहीं आ रही है, हम बाद में फिर से कॉल करेंगे। नमस्ते।',
      ended_without_outcome: 'अपना समय देने के लिए धन्यवाद। नमस्ते।',
      max_duration: 'हमें यह कॉल यहीं खत्म करनी होगी, हम आपसे फिर संपर्क करेंगे। नमस्ते।',
      failed: 'माफ़ कीजिए, कुछ तकनीकी दिक्कत आ रही है। हम आपको वापस कॉल करेंगे। नमस्ते।',
      callback_requested: 'ज़रूर, हम आपको आपके बताए समय पर कॉल करेंगे: {callback_time}। धन्यवाद, नमस्ते।',
      transferred: 'कृपया लाइन पर बने रहिए, मेरे साथी अब आपसे बात करेंगे।',
    },
  },
  // Deepgram's Hindi model writes Devanagari; callers code-switch, so the romanised forms count too.
  backchannels: ['हाँ', 'हां', 'जी', 'अच्छा', 'हम्म', 'हूँ', 'हाँ जी', 'जी हाँ', 'haan', 'han', 'ji', 'achha', 'accha', 'hmm', 'hoon'],
};
