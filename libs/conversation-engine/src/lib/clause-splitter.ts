/**
 * Cuts a model's streaming text into speakable pieces as it arrives, so synthesis of the first
 * clause starts while the model is still writing the rest. A piece ends at a sentence end, or at
 * a comma-like pause once it is long enough to sound natural on its own.
 */
export class ClauseSplitter {
  private buffer = '';

  constructor(private readonly minClauseChars = 24) {}

  push(text: string): string[] {
    this.buffer += text;
    const pieces: string[] = [];
    for (;;) {
      const cut = this.findCut();
      if (cut < 0) break;
      const piece = this.buffer.slice(0, cut).trim();
      this.buffer = this.buffer.slice(cut);
      if (piece) pieces.push(piece);
    }
    return pieces;
  }

  flush(): string[] {
    const rest = this.buffer.trim();
    this.buffer = '';
    return rest ? [rest] : [];
  }

  private findCut(): number {
    // A sentence end is an end unless it closes a title or an initial ("Mr. Doe", "J. R. Rao"). One
    // at the very end of what has arrived is released at once (models send "Sure." and " Which" as
    // separate tokens, and waiting for the next costs a token's time on every turn), except a full
    // stop after a digit, which may still become "3.5".
    let cut = -1;
    // Hindi ends a sentence with a danda (। and ॥), Arabic asks with ؟ and pauses with ، and ؛.
    const sentence = /[.!?。！？।॥؟]+["')\]]?(\s|$)/g;
    let match: RegExpExecArray | null;
    while ((match = sentence.exec(this.buffer))) {
      const before = this.buffer.slice(0, match.index);
      const fullStop = match[0].startsWith('.') && !match[0].startsWith('..');
      if (/\b(Mr|Mrs|Ms|Dr|St|No)$/i.test(before) || (fullStop && /(^|\s)\p{Lu}$/u.test(before))) continue;
      const atEnd = match.index + match[0].length === this.buffer.length && !/\s$/.test(match[0]);
      if (atEnd && fullStop && /\d$/.test(before)) break;
      cut = match.index + match[0].length;
      break;
    }
    const pause = /[,;:—–،؛]\s/g;
    while ((match = pause.exec(this.buffer))) {
      if (cut >= 0 && match.index >= cut) break;
      if (match.index >= this.minClauseChars) return match.index + match[0].length;
    }
    return cut;
  }
}
