import type { OrderFacts, Replies } from './replies';

const order = (f: OrderFacts) => (f.orderId ? `order ${f.orderId}` : 'your order');
const amount = (f: OrderFacts) => (f.amount ? ` of ${f.amount}` : '');
const you = (f: OrderFacts) => f.name ?? 'the customer';

export const ENGLISH_REPLIES: Replies = {
  code: 'en',
  askIdentity: (f) => `Sorry, am I speaking with ${you(f)}?`,
  whoBeforeIdentity: (f) => `This is the delivery team of the store you ordered from. Am I speaking with ${you(f)}?`,
  identityFirst: (f) => `I can only share the order details with ${you(f)}. Am I speaking with ${you(f)}?`,
  askOrder: (f) => `Thank you, I am calling about your cash on delivery ${order(f)}${amount(f)}. Shall we deliver it as planned?`,
  whoAfterIdentity: (f) => `I am calling from the delivery team about your cash on delivery ${order(f)}${amount(f)}. Shall we deliver it as planned?`,
  amount: (f) => (f.amount ? `The amount for ${order(f)} is ${f.amount}, paid in cash on delivery. Shall we deliver it as planned?` : `The courier will tell you the exact amount for ${order(f)} on delivery. Shall we deliver it as planned?`),
  proposeCancel: (f) => `You would like to cancel ${order(f)}${amount(f)}, is that right?`,
  proposeSlot: (f, when) => `You would like ${order(f)} delivered ${when} instead, is that right?`,
  askChoice: () => 'No problem, would you like to cancel the order, or have it delivered on another day?',
  askDay: () => 'Sure, which day would suit you for the delivery?',
  askTime: () => 'And at what time on that day?',
  askExactTime: (daypart) => `What time in the ${daypart.replace(/^(in the|this|at)\s+/i, '')}?`,
  pastDay: () => 'That day has already passed. Which upcoming day and time would suit you?',
  unclearDay: () => 'Sorry, which day and what time would suit you for the delivery?',
  askCallbackTime: () => 'Of course, when shall we call you back?',
  callbackPast: () => 'That time has already passed. When shall we call you back?',
  offerCallback: () => 'I am sorry, no colleague can take the call right now. When can we call you back?',
  addressQuestion: (f) => `Before we deliver: is your address still ${f.address}?`,
  askAddress: () => 'What is the correct delivery address?',
  addressNoted: () => 'Thank you, I have noted the new address.',
  orderQuestion: () => 'Shall we deliver it there as planned?',
  notUnderstood: () => 'Sorry, I did not catch that. Shall we deliver your order as planned?',
  confirmed: (f) => `Thank you, ${order(f)} is confirmed and will be delivered as planned. Goodbye.`,
  cancelled: (f) => `Okay, I have cancelled ${order(f)}. Thank you for letting us know. Goodbye.`,
  rescheduled: (when) => `Alright, I will move the delivery to ${when}. Goodbye.`,
  callbackBooked: (when) => `Sure, we will call you back ${when}. Goodbye.`,
  wrongPerson: () => 'I am sorry for the trouble. Have a good day. Goodbye.',
  doNotCall: () => 'Understood, we will not call you again. Goodbye.',
  transferring: () => 'Let me connect you to a colleague now. Please stay on the line.',
  goodbye: () => 'Thank you for your time. Goodbye!',
};
