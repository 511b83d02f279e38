import type { LanguagePack } from '../language-pack';

export const INDONESIAN: LanguagePack = {
  code: 'id',
  name: 'Indonesian',
  locale: 'id-ID',
  aliases: ['indonesian', 'bahasa indonesia', 'id-id', 'ind'],
  direction: 'ltr',
  deepgram: { model: 'nova-3', language: 'id', note: 'nova-3 monolingual Indonesian since September 2025' },
  elevenlabs: { model: 'eleven_flash_v2_5', languageCode: 'id', voiceId: 'pFZP5JQG7iQjIQuC4Bku', voiceName: 'Lily' },
  espeakVoice: 'id',
  promptInstruction:
    'Speak Indonesian (Bahasa Indonesia), polite and natural as on a phone call, addressing the callee as "Bapak" or "Ibu" when you know which, otherwise "Anda". The callee may mix in English or regional words: understand them and keep answering in Indonesian. Read order ids out character by character.',
  defaults: {
    welcome: 'Halo, saya dari tim pengiriman. Apakah benar saya berbicara dengan {name}?',
    voicemail: 'Halo, kami dari tim pengiriman, menelepon mengenai pesanan {order_id}. Kami akan menelepon lagi nanti. Terima kasih.',
    reprompt: 'Halo? Apakah masih tersambung?',
    transferring: 'Mohon tunggu sebentar, saya sambungkan dengan rekan saya.',
    addressQuestion: 'Apakah alamat pengiriman Anda masih {address}?',
    goodbyes: {
      confirmed: 'Terima kasih! Pesanan Anda sudah dikonfirmasi. Sampai jumpa.',
      cancelled: 'Pesanan Anda sudah dibatalkan. Terima kasih sudah memberi tahu kami. Sampai jumpa.',
      rescheduled: 'Baik, pengiriman Anda dijadwalkan ulang ke {reschedule_date} pukul {reschedule_time}. Terima kasih, sampai jumpa.',
      wrong_person: 'Mohon maaf atas gangguannya. Sampai jumpa.',
      do_not_call: 'Baik, kami tidak akan menelepon Anda lagi. Sampai jumpa.',
      no_response: 'Suara Anda tidak terdengar, kami akan menelepon lagi nanti. Sampai jumpa.',
      ended_without_outcome: 'Terima kasih atas waktunya. Sampai jumpa.',
      max_duration: 'Kami harus mengakhiri panggilan ini; kami akan menghubungi Anda lagi. Sampai jumpa.',
      failed: 'Mohon maaf, ada gangguan teknis. Kami akan menelepon Anda kembali. Sampai jumpa.',
      callback_requested: 'Baik, kami akan menelepon kembali pada waktu yang Anda minta: {callback_time}. Sampai jumpa.',
      transferred: 'Mohon tetap di saluran, rekan saya akan melanjutkan.',
    },
  },
  backchannels: ['iya', 'ya', 'oh', 'hmm', 'em', "he'eh", 'heeh', 'oke', 'ok', 'sip', 'betul'],
};
