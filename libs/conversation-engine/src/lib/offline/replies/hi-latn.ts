import type { OrderFacts, Replies } from './replies';

const order = (f: OrderFacts) => (f.orderId ? `order ${f.orderId}` : 'order');
const amount = (f: OrderFacts) => (f.amount ? `, jiska amount ${f.amount} hai` : '');
const you = (f: OrderFacts) => (f.name ? `${f.name} ji` : 'customer');

/** Hinglish in Latin letters, as Indian callers text and talk: Hindi grammar, English nouns. */
export const HINGLISH_REPLIES: Replies = {
  code: 'hi-Latn',
  askIdentity: (f) => `Sorry, kya meri baat ${you(f)} se ho rahi hai?`,
  whoBeforeIdentity: (f) => `Main us store ki delivery team se bol rahi hoon jahan se order kiya gaya tha. Kya meri baat ${you(f)} se ho rahi hai?`,
  identityFirst: (f) => `Order ki details main sirf ${you(f)} ko de sakti hoon. Kya meri baat ${you(f)} se ho rahi hai?`,
  askOrder: (f) => `Thank you, main aapke cash on delivery ${order(f)} ke baare mein call kar rahi hoon${amount(f)}. Kya hum ise plan ke hisaab se deliver kar dein?`,
  whoAfterIdentity: (f) => `Main delivery team se aapke cash on delivery ${order(f)} ke baare mein call kar rahi hoon${amount(f)}. Kya hum ise plan ke hisaab se deliver kar dein?`,
  amount: (f) => (f.amount ? `${order(f)} ka amount ${f.amount} hai, delivery par cash mein dena hai. Kya hum ise plan ke hisaab se deliver kar dein?` : `${order(f)} ka exact amount courier delivery par bata dega. Kya hum ise plan ke hisaab se deliver kar dein?`),
  proposeCancel: (f) => `Aap ${order(f)} cancel karna chahte hain, sahi hai?`,
  proposeSlot: (f, when) => `Aap chahte hain ki ${order(f)} ${when} deliver ho, sahi hai?`,
  askChoice: () => 'Koi baat nahi, kya aap order cancel karna chahenge, ya kisi aur din delivery chahenge?',
  askDay: () => 'Zaroor, aapko kis din delivery chahiye?',
  askTime: () => 'Aur us din kitne baje?',
  askExactTime: (daypart) => `${daypart.replace(/\s*(ko|mein|me)$/i, '')} ko kitne baje?`,
  pastDay: () => 'Woh din toh nikal chuka hai. Aane wala kaunsa din aur time aapke liye theek rahega?',
  unclearDay: () => 'Sorry, aapko kis din aur kitne baje delivery chahiye?',
  askCallbackTime: () => 'Zaroor, hum aapko kab call karein?',
  callbackPast: () => 'Woh time toh nikal chuka hai. Hum aapko kab call karein?',
  offerCallback: () => 'Sorry, abhi koi colleague call nahi le sakta. Hum aapko kab call back karein?',
  addressQuestion: (f) => `Delivery se pehle: kya aapka address abhi bhi ${f.address} hi hai?`,
  askAddress: () => 'Sahi address kya hai?',
  addressNoted: () => 'Thank you, maine naya address note kar liya hai.',
  orderQuestion: () => 'Kya hum ise plan ke hisaab se deliver kar dein?',
  notUnderstood: () => 'Sorry, main samajh nahi payi. Kya hum aapka order plan ke hisaab se deliver kar dein?',
  confirmed: (f) => `Thank you, aapka ${order(f)} confirm ho gaya hai aur time par deliver hoga. Namaste.`,
  cancelled: (f) => `Theek hai, maine aapka ${order(f)} cancel kar diya hai. Batane ke liye thank you. Namaste.`,
  rescheduled: (when) => `Theek hai, delivery ab ${when} hogi. Thank you, namaste.`,
  callbackBooked: (when) => `Zaroor, hum aapko ${when} call karenge. Namaste.`,
  wrongPerson: () => 'Sorry, aapko takleef hui. Aapka din achha ho. Namaste.',
  doNotCall: () => 'Theek hai, hum aapko dobara call nahi karenge. Namaste.',
  transferring: () => 'Ek minute rukiye, main aapki baat apne ek colleague se karwa rahi hoon. Please line par bane rahiye.',
  goodbye: () => 'Apna time dene ke liye thank you. Namaste.',
};
