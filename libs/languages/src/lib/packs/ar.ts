import type { LanguagePack } from '../language-pack';

export const ARABIC: LanguagePack = {
  code: 'ar',
  name: 'Arabic',
  locale: 'ar-AE',
  aliases: ['arabic', 'ara', 'ar-ae', 'ar-sa', 'ar-eg', 'ar-ma', 'ar-dz', 'ar-tn', 'ar-kw', 'ar-qa', 'العربية', 'عربي'],
  direction: 'rtl',
  deepgram: {
    model: 'nova-3',
    language: 'multi',
    languageHints: ['ar'],
    note: 'Deepgram documents no monolingual nova-3 Arabic model (nova-2 has ar); nova-3 multilingual (language=multi, 55 languages) with language_hint ar serves Gulf, Egyptian and Darija callers and their French or English words',
  },
  elevenlabs: { model: 'eleven_flash_v2_5', languageCode: 'ar', voiceId: '9BWtsMINqrJLrRacOk9x', voiceName: 'Aria' },
  espeakVoice: 'ar',
  promptInstruction:
    'Reply in Modern Standard Arabic, written in Arabic script, short and polite, as on a phone call. Callers may speak Gulf, Egyptian or Moroccan (Darija) Arabic and mix in French or English words: understand them all, and keep replying in simple Modern Standard Arabic. Read order ids out character by character.',
  defaults: {
    welcome: 'مرحباً، معك فريق التوصيل. هل أتحدث مع {name}؟',
    voicemail: 'مرحباً، نتصل بك من فريق التوصيل بخصوص الطلب رقم {order_id}. سنعاود الاتصال لاحقاً. شكراً لك.',
    reprompt: 'مرحباً؟ هل الصوت واضح؟',
    transferring: 'لحظة من فضلك، سأحوّلك إلى أحد زملائي.',
    addressQuestion: 'هل ما زال عنوان التوصيل هو {address}؟',
    goodbyes: {
      confirmed: 'شكراً لك! تم تأكيد طلبك. مع السلامة.',
      cancelled: 'تم إلغاء طلبك. شكراً لإبلاغنا. مع السلامة.',
      rescheduled: 'تم تغيير موعد التوصيل إلى {reschedule_date} الساعة {reschedule_time}. شكراً لك، مع السلامة.',
      wrong_person: 'عذراً على الإزعاج. مع السلامة.',
      do_not_call: 'حسناً، لن نتصل بك مرة أخرى. مع السلامة.',
      no_response: 'لا نستطيع سماعك، سنعاود الاتصال لاحقاً. مع السلامة.',
      ended_without_outcome: 'شكراً على وقتك. مع السلامة.',
      max_duration: 'علينا إنهاء المكالمة هنا، وسنتواصل معك مرة أخرى. مع السلامة.',
      failed: 'عذراً، نواجه مشكلة تقنية. سنعاود الاتصال بك. مع السلامة.',
      callback_requested: 'بكل سرور، سنتصل بك في الموعد الذي طلبته: {callback_time}. مع السلامة.',
      transferred: 'يُرجى البقاء على الخط، سيتابع معك أحد زملائي.',
    },
  },
  // Gulf "ee", Egyptian "aiwa", Darija "wakha" beside the standard "na'am"; romanised forms for code-switched transcripts.
  backchannels: ['نعم', 'أيوه', 'ايوه', 'أيوا', 'ايوا', 'طيب', 'آه', 'اه', 'إيه', 'ايه', 'إي', 'اي', 'اها', 'آها', 'همم', 'وخا', 'واخا', 'تمام', 'aiwa', 'aywa', "na'am", 'naam', 'tayyib', 'tayeb', 'ah', 'eh', 'ee', 'wakha', 'tamam', 'hmm'],
};
