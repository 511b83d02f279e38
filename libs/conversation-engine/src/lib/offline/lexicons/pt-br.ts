import type { Lexicon } from './lexicon';

const HOUR = '(\\d{1,2}(:\\d{2}|h\\d{0,2})?|uma|duas|três|quatro|cinco|seis|sete|oito|nove|dez|onze|doze|meio dia)';
const WEEKDAY = '(segunda|terça|quarta|quinta|sexta)( feira)?|sábado|domingo';

/** Brazilian Portuguese; accents are optional (folded away). */
export const PORTUGUESE: Lexicon = {
  code: 'pt-BR',
  intents: {
    do_not_call: ['não (me )?(ligue|liguem|liga) mais', '(para|parem|pare) de (me )?ligar', '(tire|tira|tirem) meu número', 'não quero (mais )?(receber )?ligações', 'nunca mais (me )?lig\\p{L}*'],
    wrong_person: ['número errado', '(foi )?engano', 'não (tem|mora) (ninguém|nenhum\\p{L}*)', 'não conheço', 'não sou (eu|\\S+)', 'pessoa errada', 'ligou errado'],
    human: ['falar com (um |uma |o |a |alguém|algum\\p{L}* )?(atendente|pessoa|humano|gerente|operador|responsável)?', 'um atendente', 'uma pessoa (de verdade|real)', 'atendimento humano', 'me (transfere|transfira|passa para)'],
    callback: ['(me )?(liga|ligue|liguem|retorna|retorne) (mais tarde|depois|amanhã|de novo|outra hora|às|as|lá pelas|à noite|de tarde|daqui)', 'me liga', 'me ligue', 'liga depois', '(estou|tô|to) (ocupad[oa]|dirigindo|no trabalho|numa reunião|em reunião)'],
    cancel: ['cancel\\p{L}*', 'não (quero|preciso)( mais)?', 'não tenho interesse', 'desist\\p{L}*', 'devolv\\p{L}*'],
    anger: ['golpe', 'golpista', 'fraude', 'palhaçada', 'absurdo', 'besteira', 'me (deixa|deixem) em paz', 'que saco', 'chega'],
    address: ['(meu )?endereço (mudou|está errado|tá errado|está incompleto|antigo|novo)', 'endereço (errado|incompleto)', '(me )?mudei', 'novo endereço'],
    reschedule: ['outro dia', 'outra data', 'outro horário', 'não (vou|vai) estar', 'não estarei', 'não estou em casa', 'reagend\\p{L}*', 'remarc\\p{L}*', 'adiar', 'mudar (a data|o dia)'],
    who: ['quem (é|fala|está falando|tá falando|ta falando)', 'de onde (fala|é|ligam|liga)', 'do que se trata', 'quem é você'],
    amount: ['quanto (é|custa|fica|deu|vou pagar|tenho que pagar|pago)', 'qual (é )?o valor', 'o valor', 'quanto'],
    confirm: ['confirm\\p{L}*', 'pode (mandar|entregar|enviar|trazer)', 'manda', 'quero (sim|receber)', 'como combinado', 'entrega (sim|normal)'],
    no: ['não', 'nao'],
    yes: ['sim', 'sou eu', 'é ele', 'é ela', 'isso', 'isso mesmo', 'claro', 'certo', 'pode falar', 'pois não', 'tá bom', 'ta bom', 'beleza', 'positivo', 'com certeza', 'falando', 'ok'],
  },
  pastDays: ['ontem', 'anteontem'],
  today: ['hoje'],
  changeOfMind: ['na verdade', 'pensando bem', 'espera', 'peraí', 'pera', 'melhor', 'não não'],
  negations: ['não', 'nunca'],
  reasonMarkers: ['porque', 'pois', 'já que'],
  days: ['hoje', 'depois de amanhã', 'amanhã', 'ontem', `(na |no |nesta |nessa |próxima |próximo )?(${WEEKDAY})( que vem)?`, '(semana que vem|próxima semana)', 'dia \\d{1,2}', 'daqui a (\\d+|dois|três) dias'],
  dayparts: ['(de|da|pela|à|a|na|nesta|hoje à) (manhã|tarde|noite)'],
  clocks: [`(às|as|depois das|lá pelas|la pelas|antes das|a partir das|umas|à|a) ${HOUR}( e meia| horas| hrs)?`, '\\d{1,2}(h\\d{0,2}|:\\d{2}| horas)', 'meio dia'],
  hours: [HOUR],
  addressLead: ['não', 'agora', 'é', 'o (novo |correto )?endereço é', 'meu endereço (é|agora é)', 'mudei para', 'mudou'],
  timePhrase: (daypart, clock) => `${clock} ${daypart}`,
};
