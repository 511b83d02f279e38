/**
 * Where a conversation is on its way to an outcome. The issue this answers: a welcome that asked
 * "is this Anita? shall I confirm order 1042?" in one breath recorded a callee who only said
 * "yes, speaking" as confirmed. The rules, the same for the model and the offline policy:
 *
 * - `identity`: the welcome establishes who is speaking. Whatever it says, the callee's first
 *   answer is an answer about who they are, never about the order.
 * - `order_question`: the agent now asks about the order. The order question is the first agent
 *   turn after that answer that names the order: its id as written or spelled out ("O R D, 1 0 4
 *   2"), as far as the callee heard it before cutting in. A row without an order id has nothing to
 *   name: then any agent turn after the first answer is the order question. Replying "I'm Priya
 *   from the delivery team, am I speaking with Anita?" to "who is this?" names no order, so the
 *   "yes" that follows is still identity.
 * - `order_answered`: the callee has spoken after the order question. Only now may confirm,
 *   cancel or reschedule be recorded (the session neither offers nor accepts them before).
 *
 * A keypad press is an answer to the keypad choices ("press 1 to confirm"), which are an order
 * question of their own: it moves the conversation to `order_answered` at once.
 */
export type ConversationStage = 'identity' | 'order_question' | 'order_answered';

export class ConversationStageTracker {
  private stage: ConversationStage = 'identity';
  private orderAsked = false;
  private readonly orderKey: string;
  private readonly orderDigits: string;

  constructor(orderId: string | undefined) {
    this.orderKey = alphanumeric(orderId ?? '');
    this.orderDigits = this.orderKey.replace(/\D/g, '');
  }

  get current(): ConversationStage {
    return this.stage;
  }

  get orderAnswered(): boolean {
    return this.stage === 'order_answered';
  }

  /** The agent's words since the callee last spoke, as the callee heard them, told before the callee's turn. */
  calleeTurn(agentWordsHeard: readonly string[]): void {
    if (this.stage === 'identity') {
      this.stage = 'order_question';
      return;
    }
    if (this.stage === 'order_question') {
      this.orderAsked ||= agentWordsHeard.some((words) => this.namesOrder(words));
      if (this.orderAsked) this.stage = 'order_answered';
    }
  }

  keypadAnswer(): void {
    this.stage = 'order_answered';
  }

  private namesOrder(words: string): boolean {
    if (!words.trim()) return false;
    if (!this.orderKey) return true;
    const said = alphanumeric(words);
    if (said.includes(this.orderKey)) return true;
    // A voice that reads the letters in its own script still says the digits: enough when there are a few.
    return this.orderDigits.length >= 3 && said.replace(/\D/g, '').includes(this.orderDigits);
  }
}

/** Lower-case letters and ASCII digits only: "O R D, १ ० ४ २" and "ORD-1042" both read "ord1042". */
function alphanumeric(text: string): string {
  return asciiDigits(text.normalize('NFKC'))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Digits of other scripts (Arabic-Indic, Persian, Devanagari) as ASCII. */
function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9\u0966-\u096f]/g, (digit) => {
    const code = digit.charCodeAt(0);
    const zero = code >= 0x966 ? 0x966 : code >= 0x6f0 ? 0x6f0 : 0x660;
    return String(code - zero);
  });
}
