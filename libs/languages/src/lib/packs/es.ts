import type { LanguagePack } from '../language-pack';

export const SPANISH: LanguagePack = {
  code: 'es',
  name: 'Spanish',
  locale: 'es-MX',
  aliases: ['spanish', 'español', 'espanol', 'spa', 'es-419', 'es-mx', 'es-co', 'es-ar', 'es-pe', 'es-cl', 'es-us', 'es-es'],
  direction: 'ltr',
  deepgram: { model: 'nova-3', language: 'es', note: 'nova-3 monolingual Spanish (es, es-419) since September 2025' },
  elevenlabs: { model: 'eleven_flash_v2_5', languageCode: 'es', voiceId: 'FGY2WhTYpPnrIDTdsKH5', voiceName: 'Laura' },
  espeakVoice: 'es-419',
  promptInstruction:
    'Speak Latin American Spanish, addressing the callee as "usted", short and warm as on a phone call. The callee may mix in English words: understand them and keep answering in Spanish. Read order ids out character by character.',
  defaults: {
    welcome: 'Hola, le llamamos del equipo de entregas. ¿Hablo con {name}?',
    voicemail: 'Hola, le llamamos del equipo de entregas por el pedido {order_id}. Volveremos a llamar más tarde. Gracias.',
    reprompt: '¿Hola? ¿Sigue ahí?',
    transferring: 'Un momento, por favor. Le comunico con un compañero.',
    addressQuestion: '¿Su dirección de entrega sigue siendo {address}?',
    goodbyes: {
      confirmed: '¡Gracias! Su pedido quedó confirmado. Hasta luego.',
      cancelled: 'Su pedido fue cancelado. Gracias por avisarnos. Hasta luego.',
      rescheduled: 'Listo, su entrega quedó para el {reschedule_date} a las {reschedule_time}. Gracias, hasta luego.',
      wrong_person: 'Disculpe la molestia. Hasta luego.',
      do_not_call: 'Entendido, no le volveremos a llamar. Hasta luego.',
      no_response: 'No logramos escucharle; volveremos a llamar más tarde. Hasta luego.',
      ended_without_outcome: 'Gracias por su tiempo. Hasta luego.',
      max_duration: 'Tenemos que terminar la llamada aquí; nos pondremos en contacto de nuevo. Hasta luego.',
      failed: 'Disculpe, tenemos un problema técnico. Le volveremos a llamar. Hasta luego.',
      callback_requested: 'Claro, le volveremos a llamar a la hora que nos pidió: {callback_time}. Hasta luego.',
      transferred: 'No cuelgue, por favor: un compañero le va a atender.',
    },
  },
  backchannels: ['sí', 'si', 'ajá', 'aja', 'mhm', 'mm', 'ah', 'ok', 'okey', 'vale', 'claro', 'ya', 'bueno', 'órale'],
};
