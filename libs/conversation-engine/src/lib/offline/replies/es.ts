import type { OrderFacts, Replies } from './replies';

const order = (f: OrderFacts) => (f.orderId ? `el pedido ${f.orderId}` : 'su pedido');
const amount = (f: OrderFacts) => (f.amount ? ` de ${f.amount}` : '');
const you = (f: OrderFacts) => f.name ?? 'el titular del pedido';

/** Latin American Spanish, the polite "usted". */
export const SPANISH_REPLIES: Replies = {
  code: 'es',
  askIdentity: (f) => `Disculpe, ¿hablo con ${you(f)}?`,
  whoBeforeIdentity: (f) => `Le llamamos del equipo de entregas de la tienda donde se hizo la compra. ¿Hablo con ${you(f)}?`,
  identityFirst: (f) => `Solo puedo dar los detalles del pedido a ${you(f)}. ¿Hablo con ${you(f)}?`,
  askOrder: (f) => `Gracias, le llamo por ${order(f)}${amount(f)}, con pago contra entrega. ¿Lo entregamos como estaba previsto?`,
  whoAfterIdentity: (f) => `Le llamo del equipo de entregas por ${order(f)}${amount(f)}, con pago contra entrega. ¿Lo entregamos como estaba previsto?`,
  amount: (f) => (f.amount ? `El monto de ${order(f)} es ${f.amount}, que se paga en efectivo al recibirlo. ¿Lo entregamos como estaba previsto?` : `El repartidor le dirá el monto exacto de ${order(f)} en la entrega. ¿Lo entregamos como estaba previsto?`),
  proposeCancel: (f) => `Quiere cancelar ${order(f)}, ¿es correcto?`,
  proposeSlot: (f, when) => `Quiere que ${order(f)} se entregue ${when}, ¿es correcto?`,
  askChoice: () => 'No hay problema. ¿Quiere cancelar el pedido, o que se lo entreguemos otro día?',
  askDay: () => 'Claro, ¿qué día le conviene para la entrega?',
  askTime: () => '¿Y a qué hora ese día?',
  askExactTime: (daypart) => `¿A qué hora ${daypart}?`,
  pastDay: () => 'Ese día ya pasó. ¿Qué día y hora próximos le convienen?',
  unclearDay: () => 'Disculpe, ¿qué día y a qué hora le conviene la entrega?',
  askCallbackTime: () => 'Por supuesto, ¿cuándo le volvemos a llamar?',
  callbackPast: () => 'Esa hora ya pasó. ¿Cuándo le volvemos a llamar?',
  offerCallback: () => 'Lo siento, ahora no hay ningún compañero disponible. ¿Cuándo le podemos volver a llamar?',
  addressQuestion: (f) => `Antes de la entrega: ¿su dirección sigue siendo ${f.address}?`,
  askAddress: () => '¿Cuál es la dirección correcta?',
  addressNoted: () => 'Gracias, anoté la nueva dirección.',
  orderQuestion: () => '¿Lo entregamos como estaba previsto?',
  notUnderstood: () => 'Disculpe, no le entendí. ¿Entregamos su pedido como estaba previsto?',
  confirmed: (f) => `Gracias, ${order(f)} está confirmado y se entregará como estaba previsto. Hasta luego.`,
  cancelled: (f) => `De acuerdo, cancelé ${order(f)}. Gracias por avisarnos. Hasta luego.`,
  rescheduled: (when) => `Muy bien, pasamos la entrega a ${when}. Hasta luego.`,
  callbackBooked: (when) => `Claro, le volvemos a llamar ${when}. Hasta luego.`,
  wrongPerson: () => 'Disculpe la molestia. Que tenga buen día. Hasta luego.',
  doNotCall: () => 'Entendido, no le volveremos a llamar. Hasta luego.',
  transferring: () => 'Un momento, le comunico con un compañero. Por favor, no cuelgue.',
  goodbye: () => 'Gracias por su tiempo. Hasta luego.',
};
