import type { LanguagePack } from '../language-pack';

export const PORTUGUESE_BRAZIL: LanguagePack = {
  code: 'pt-BR',
  name: 'Portuguese (Brazil)',
  locale: 'pt-BR',
  aliases: ['pt', 'pt-br', 'pt_br', 'portuguese', 'português', 'portugues', 'brazilian portuguese', 'por'],
  direction: 'ltr',
  deepgram: { model: 'nova-3', language: 'pt-BR', note: 'nova-3 monolingual Portuguese (pt, pt-BR, pt-PT) since September 2025' },
  elevenlabs: { model: 'eleven_flash_v2_5', languageCode: 'pt', voiceId: 'XrExE9yKIg1WjnnlVkGX', voiceName: 'Matilda' },
  espeakVoice: 'pt-br',
  promptInstruction:
    'Speak Brazilian Portuguese, addressing the callee as "você", short and friendly as on a phone call. The callee may mix in English words: understand them and keep answering in Portuguese. Read order ids out character by character.',
  defaults: {
    welcome: 'Olá, aqui é da equipe de entregas. Estou falando com {name}?',
    voicemail: 'Olá, aqui é da equipe de entregas, sobre o pedido {order_id}. Vamos ligar de novo mais tarde. Obrigada.',
    reprompt: 'Alô? Você ainda está aí?',
    transferring: 'Um momento, por favor. Vou transferir você para um colega.',
    addressQuestion: 'O seu endereço de entrega continua sendo {address}?',
    goodbyes: {
      confirmed: 'Obrigada! Seu pedido está confirmado. Tchau.',
      cancelled: 'Seu pedido foi cancelado. Obrigada por avisar. Tchau.',
      rescheduled: 'Combinado, sua entrega ficou para {reschedule_date} às {reschedule_time}. Obrigada, tchau.',
      wrong_person: 'Desculpe o incômodo. Tchau.',
      do_not_call: 'Entendido, não vamos mais ligar para você. Tchau.',
      no_response: 'Não conseguimos ouvir você; vamos ligar de novo mais tarde. Tchau.',
      ended_without_outcome: 'Obrigada pelo seu tempo. Tchau.',
      max_duration: 'Precisamos encerrar a ligação aqui; vamos entrar em contato de novo. Tchau.',
      failed: 'Desculpe, estamos com um problema técnico. Vamos ligar de volta. Tchau.',
      callback_requested: 'Claro, vamos ligar de novo no horário que você pediu: {callback_time}. Tchau.',
      transferred: 'Fique na linha, por favor: um colega vai continuar o atendimento.',
    },
  },
  backchannels: ['sim', 'uhum', 'aham', 'hum', 'ahn', 'ah', 'tá', 'ta', 'ok', 'certo', 'isso'],
};
