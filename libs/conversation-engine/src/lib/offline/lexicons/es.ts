import type { Lexicon } from './lexicon';

const HOUR = '(\\d{1,2}(:\\d{2})?|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce)';
const WEEKDAY = '(lunes|martes|miércoles|jueves|viernes|sábado|domingo)';
const CALL_ME = '(llámame|llámeme|llámenme|me llama|me llaman|me puede llamar|me pueden llamar|vuelva a llamar|vuelvan a llamar|llame|llamen)';

/** Spanish as Latin American callers speak it; accents are optional (folded away). */
export const SPANISH: Lexicon = {
  code: 'es',
  intents: {
    do_not_call: ['no (me )?(vuelva|vuelvan|vuelvas) a llamar', '(deje|dejen|deja) de llamar(me)?', 'no me (llame|llamen|llames) (más|nunca)', '(borre|borren|borra|quite|quiten) mi número', 'no quiero que me llamen'],
    wrong_person: ['número equivocado', 'se (equivocó|equivoco|equivocaron)', 'equivocad[oa]', 'aquí no (vive|hay) (ningún|ninguna|nadie)', 'no (conozco|sé quién)', 'no soy (yo|él|ella|\\S+)', 'persona equivocada'],
    human: ['hablar con (una |un |alguien|el |la )?(persona|humano|agente|asesor|operador|gerente|encargado|supervisor)?', 'persona real', 'un humano', '(pásame|páseme|comunícame|comuníqueme|transfiérame|transfiéreme) con', 'atención al cliente'],
    callback: [`${CALL_ME} (más tarde|después|luego|mañana|en|a las|otra vez|de nuevo|esta tarde|esta noche|por la)`, 'llámame', 'llámeme', 'estoy (ocupad[oa]|manejando|conduciendo|en una reunión|trabajando)'],
    cancel: ['cancel\\p{L}*', 'ya no (lo |la )?quiero', 'no (lo |la )?quiero', 'no me interesa', 'anul\\p{L}*', 'devolver', 'no lo necesito'],
    anger: ['estafa', 'estafadores', 'fraude', 'tontería', 'basura', 'déjenme en paz', 'déjame en paz', 'qué molestia', 'hart[oa]', 'ridículo'],
    address: ['mi dirección (cambió|es otra|está mal|está incompleta)', '(nueva|otra) dirección', 'dirección (equivocada|incorrecta|vieja|anterior)', 'me (mudé|cambié)'],
    reschedule: ['otro día', 'otra fecha', 'otro momento', 'otra hora', 'no (voy a )?estar', 'no estaré', 'no estoy en casa', 'reprogram\\p{L}*', 'cambiar (la fecha|el día)', 'pospon\\p{L}*', 'para (otro|el) día'],
    who: ['quién (habla|es|llama|eres|me llama)', 'de dónde (llama|llaman|habla)', 'de qué se trata', 'con quién hablo'],
    amount: ['cuánto (es|cuesta|hay que pagar|tengo que pagar|sale|va a ser|pago)', 'el monto', 'el total', 'el precio', 'cuánto'],
    confirm: ['confirm\\p{L}*', '(lo|la) quiero', 'envíe(nlo|lo)', 'envíalo', 'tráiganlo', 'tráigalo', 'entrégue(nlo|lo)', 'que lo traigan', 'adelante', 'como (estaba )?previsto', 'mándenlo', 'mándelo'],
    no: ['no', 'nop', 'para nada'],
    yes: ['^sí', 'sí', 'claro', 'correcto', 'así es', 'soy yo', 'él habla', 'ella habla', 'con él', 'con ella', 'de acuerdo', 'vale', 'bueno', 'exacto', 'por supuesto', 'dígame', 'dime'],
  },
  pastDays: ['ayer', 'anteayer', 'el (lunes|martes|miércoles|jueves|viernes|sábado|domingo) pasado'],
  today: ['hoy'],
  changeOfMind: ['mejor', 'en realidad', 'pensándolo bien', 'espere', 'espera', 'perdón', 'no no', 'bueno no'],
  negations: ['no', 'nunca'],
  reasonMarkers: ['porque', 'ya que', 'pues'],
  days: ['hoy', 'pasado mañana', '(?<!la )mañana', 'ayer', `(el )?${WEEKDAY}( que viene| próximo| pasado)?`, '(la )?(próxima semana|semana que viene)', 'el \\d{1,2}( de \\p{L}+)?', 'en (\\d+|dos|tres|cuatro) días', 'esta (tarde|noche)'],
  dayparts: ['(por|en|de) la (mañana|tarde|noche)', 'esta (tarde|noche)', 'al mediodía'],
  clocks: [`(a |después de |antes de |hacia |como a |desde |tipo )?(las|la) ${HOUR}( y media| y cuarto| menos cuarto)?`, `${HOUR} ?(am|pm|hrs|horas|h)`, '\\d{1,2}:\\d{2}', 'mediodía'],
  hours: [`(las |la )?${HOUR}`],
  addressLead: ['no', 'ahora', 'es', 'la (nueva |correcta )?dirección es', 'mi dirección (es|ahora es)', 'me mudé a', 'cambió', 'vivo en'],
  timePhrase: (daypart, clock) => `${clock} ${daypart}`,
};
