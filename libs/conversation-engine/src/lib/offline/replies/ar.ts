import type { OrderFacts, Replies } from './replies';

const order = (f: OrderFacts) => (f.orderId ? `الطلب ${f.orderId}` : 'طلبك');
const amount = (f: OrderFacts) => (f.amount ? ` بقيمة ${f.amount}` : '');
const you = (f: OrderFacts) => f.name ?? 'صاحب الطلب';

/** Arabic in Arabic script, plain enough for Gulf, Egyptian and Moroccan callers alike. */
export const ARABIC_REPLIES: Replies = {
  code: 'ar',
  askIdentity: (f) => `عفوًا، هل أتكلم مع ${you(f)}؟`,
  whoBeforeIdentity: (f) => `معك فريق التوصيل من المتجر الذي طلبت منه. هل أتكلم مع ${you(f)}؟`,
  identityFirst: (f) => `أستطيع مشاركة تفاصيل الطلب مع ${you(f)} فقط. هل أتكلم مع ${you(f)}؟`,
  askOrder: (f) => `شكرًا، أتصل بخصوص ${order(f)}${amount(f)}، الدفع عند الاستلام. هل نوصله في موعده؟`,
  whoAfterIdentity: (f) => `أتصل من فريق التوصيل بخصوص ${order(f)}${amount(f)}، الدفع عند الاستلام. هل نوصله في موعده؟`,
  amount: (f) => (f.amount ? `قيمة ${order(f)} هي ${f.amount}، تدفع نقدًا عند الاستلام. هل نوصله في موعده؟` : `المندوب سيخبرك بالمبلغ الدقيق لـ${order(f)} عند التوصيل. هل نوصله في موعده؟`),
  proposeCancel: (f) => `تريد إلغاء ${order(f)}، صحيح؟`,
  proposeSlot: (f, when) => `تريد توصيل ${order(f)} ${when}، صحيح؟`,
  askChoice: () => 'لا مشكلة، هل تريد إلغاء الطلب، أم توصيله في يوم آخر؟',
  askDay: () => 'أكيد، أي يوم يناسبك للتوصيل؟',
  askTime: () => 'وفي أي ساعة في ذلك اليوم؟',
  askExactTime: (daypart) => `في أي ساعة ${daypart}؟`,
  pastDay: () => 'هذا اليوم قد مضى. أي يوم ووقت قادم يناسبك؟',
  unclearDay: () => 'عفوًا، أي يوم وأي ساعة تناسبك للتوصيل؟',
  askCallbackTime: () => 'أكيد، متى نتصل بك؟',
  callbackPast: () => 'هذا الوقت قد مضى. متى نتصل بك؟',
  offerCallback: () => 'عفوًا، لا يوجد زميل متاح الآن. متى نتصل بك مرة أخرى؟',
  addressQuestion: (f) => `قبل التوصيل: هل عنوانك ما زال ${f.address}؟`,
  askAddress: () => 'ما هو العنوان الصحيح؟',
  addressNoted: () => 'شكرًا، سجلت العنوان الجديد.',
  orderQuestion: () => 'هل نوصله في موعده؟',
  notUnderstood: () => 'عفوًا، لم أفهم، هل نوصل طلبك في موعده؟',
  confirmed: (f) => `شكرًا، تم تأكيد ${order(f)} وسيصلك في موعده. مع السلامة.`,
  cancelled: (f) => `تمام، ألغيت ${order(f)}. شكرًا لإخبارنا. مع السلامة.`,
  rescheduled: (when) => `تمام، سننقل التوصيل إلى ${when}. مع السلامة.`,
  callbackBooked: (when) => `أكيد، سنتصل بك ${when}. مع السلامة.`,
  wrongPerson: () => 'آسفة على الإزعاج. يومك سعيد. مع السلامة.',
  doNotCall: () => 'مفهوم، لن نتصل بك مرة أخرى. مع السلامة.',
  transferring: () => 'لحظة من فضلك، سأحولك إلى زميل الآن. ابق على الخط.',
  goodbye: () => 'شكرًا على وقتك، مع السلامة.',
};
