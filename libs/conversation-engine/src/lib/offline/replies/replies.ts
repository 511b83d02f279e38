import type { LanguageCode } from '@codcall/languages';

/** The row as the agent says it: the order id spelled out, the amount in the locale. */
export interface OrderFacts {
  name?: string;
  orderId?: string;
  amount?: string;
  address?: string;
}

/**
 * What the offline agent says, in one language: short phone sentences, one question at a time.
 * Nothing before the identity answer names the order; everything that asks about the order
 * names its id, which is how the session knows the order question was asked.
 */
export interface Replies {
  code: LanguageCode;
  askIdentity(f: OrderFacts): string;
  whoBeforeIdentity(f: OrderFacts): string;
  /** Order details were asked for before the callee said who they are. */
  identityFirst(f: OrderFacts): string;
  askOrder(f: OrderFacts): string;
  whoAfterIdentity(f: OrderFacts): string;
  amount(f: OrderFacts): string;
  proposeCancel(f: OrderFacts): string;
  proposeSlot(f: OrderFacts, when: string): string;
  askChoice(): string;
  askDay(): string;
  askTime(): string;
  askExactTime(daypart: string): string;
  pastDay(): string;
  unclearDay(): string;
  askCallbackTime(): string;
  callbackPast(): string;
  offerCallback(): string;
  addressQuestion(f: OrderFacts): string;
  askAddress(): string;
  addressNoted(): string;
  notUnderstood(): string;
  /** After a corrected address: "shall we deliver it there as planned?" (the order was named already). */
  orderQuestion(): string;
  confirmed(f: OrderFacts): string;
  cancelled(f: OrderFacts): string;
  rescheduled(when: string): string;
  callbackBooked(when: string): string;
  wrongPerson(): string;
  doNotCall(): string;
  transferring(): string;
  goodbye(): string;
}
