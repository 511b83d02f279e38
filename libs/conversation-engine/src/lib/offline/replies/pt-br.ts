import type { OrderFacts, Replies } from './replies';

const order = (f: OrderFacts) => (f.orderId ? `o pedido ${f.orderId}` : 'o seu pedido');
const amount = (f: OrderFacts) => (f.amount ? ` de ${f.amount}` : '');
const you = (f: OrderFacts) => f.name ?? 'o titular do pedido';

/** Brazilian Portuguese, as a call centre speaks it ("o senhor" avoided: "você" is the norm). */
export const PORTUGUESE_REPLIES: Replies = {
  code: 'pt-BR',
  askIdentity: (f) => `Desculpe, falo com ${you(f)}?`,
  whoBeforeIdentity: (f) => `Aqui é da equipe de entregas da loja onde a compra foi feita. Falo com ${you(f)}?`,
  identityFirst: (f) => `Só posso passar os detalhes do pedido para ${you(f)}. Falo com ${you(f)}?`,
  askOrder: (f) => `Obrigada, estou ligando sobre ${order(f)}${amount(f)}, com pagamento na entrega. Podemos entregar como combinado?`,
  whoAfterIdentity: (f) => `Estou ligando da equipe de entregas sobre ${order(f)}${amount(f)}, com pagamento na entrega. Podemos entregar como combinado?`,
  amount: (f) => (f.amount ? `O valor do ${order(f).replace(/^o /, '')} é ${f.amount}, pago em dinheiro na entrega. Podemos entregar como combinado?` : `O entregador informa o valor exato do ${order(f).replace(/^o /, '')} na entrega. Podemos entregar como combinado?`),
  proposeCancel: (f) => `Você quer cancelar ${order(f)}, certo?`,
  proposeSlot: (f, when) => `Você quer que ${order(f)} seja entregue ${when}, certo?`,
  askChoice: () => 'Sem problema, você quer cancelar o pedido, ou receber em outro dia?',
  askDay: () => 'Claro, que dia fica bom para a entrega?',
  askTime: () => 'E a que horas nesse dia?',
  askExactTime: (daypart) => `A que horas ${daypart}?`,
  pastDay: () => 'Esse dia já passou. Que dia e horário futuros ficam bons para você?',
  unclearDay: () => 'Desculpe, que dia e que horas ficam bons para a entrega?',
  askCallbackTime: () => 'Claro, quando podemos ligar de volta?',
  callbackPast: () => 'Esse horário já passou. Quando podemos ligar de volta?',
  offerCallback: () => 'Desculpe, nenhum atendente pode atender agora. Quando podemos ligar de volta?',
  addressQuestion: (f) => `Antes da entrega: seu endereço ainda é ${f.address}?`,
  askAddress: () => 'Qual é o endereço correto?',
  addressNoted: () => 'Obrigada, anotei o novo endereço.',
  orderQuestion: () => 'Podemos entregar como combinado?',
  notUnderstood: () => 'Desculpe, não entendi. Podemos entregar o seu pedido como combinado?',
  confirmed: (f) => `Obrigada, ${order(f)} está confirmado e será entregue como combinado. Tchau.`,
  cancelled: (f) => `Tudo bem, cancelei ${order(f)}. Obrigada por avisar. Tchau.`,
  rescheduled: (when) => `Certo, a entrega fica para ${when}. Tchau.`,
  callbackBooked: (when) => `Claro, ligamos de volta ${when}. Tchau.`,
  wrongPerson: () => 'Desculpe o incômodo. Tenha um bom dia. Tchau.',
  doNotCall: () => 'Entendido, não vamos ligar mais. Tchau.',
  transferring: () => 'Um momento, vou transferir você para um atendente. Por favor, aguarde na linha.',
  goodbye: () => 'Obrigada pelo seu tempo. Tchau.',
};
