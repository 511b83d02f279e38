import type { CallAudioOutput } from '@codcall/media';

/** What the callee heard of one piece of speech once it is over. */
export interface Playout {
  /** The speech was cut off before all of it was played. */
  interrupted: boolean;
  /** The clauses played to their end (all of them when not interrupted). */
  heardText: string;
}

/** One chunk of agent audio on its way to the callee; its mark coming back says it was played. */
interface Piece {
  speech: SpeechHandle;
  clause: Clause;
  audio: Buffer;
  /** Set while the chunk is at the carrier; unset while held (paused) or after a clear. */
  mark?: string;
}

interface Clause {
  text: string;
  /** Chunks sent or held and not yet played. */
  unplayed: number;
  /** All of the clause's audio has been produced. */
  complete: boolean;
}

/**
 * One utterance of the agent (the greeting, an answer, a goodbye): clauses of text, each followed
 * by its audio. The producer calls `beginClause`, `sendAudio`..., then `close()` when it has no
 * more; `waitForPlayout()` settles once all of it was played or it was stopped.
 */
export class SpeechHandle {
  readonly clauses: Clause[] = [];
  /** When the first chunk went to the carrier (ms on the session's clock). */
  firstSentAtMs?: number;
  /** Called once, when the first chunk goes to the carrier. */
  onFirstSent?: (atMs: number) => void;
  private readonly controller = new AbortController();
  private closed = false;
  private settled?: Playout;
  private resolvePlayout!: (playout: Playout) => void;
  private readonly playout = new Promise<Playout>((resolve) => (this.resolvePlayout = resolve));

  constructor(private readonly tracker: PlayoutTracker) {}

  /** Aborted when the speech is stopped: synthesis for it should stop too. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The whole text so far, as the model wrote it. */
  get text(): string {
    return this.clauses.map((clause) => clause.text).join(' ');
  }

  beginClause(text: string): void {
    if (this.stopped) return;
    this.clauses.push({ text, unplayed: 0, complete: false });
  }

  sendAudio(audio: Buffer): void {
    const clause = this.clauses.at(-1);
    if (this.stopped || this.closed || !clause || audio.length === 0) return;
    this.tracker.enqueue({ speech: this, clause, audio });
  }

  endClause(): void {
    const clause = this.clauses.at(-1);
    if (clause) clause.complete = true;
  }

  /** No more clauses will come. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tracker.checkDone(this);
  }

  /** Stops the speech: its audio still at the carrier is cleared, what was not sent never is. */
  stop(): void {
    this.tracker.stop(this);
  }

  waitForPlayout(): Promise<Playout> {
    return this.playout;
  }

  /** The clauses played to their end, from clause `from` on. */
  heardText(from = 0): string {
    const heard: string[] = [];
    for (const clause of this.clauses.slice(from)) {
      if (!clause.complete || clause.unplayed > 0) break;
      heard.push(clause.text);
    }
    return heard.join(' ');
  }

  /** @internal The tracker settles the handle. */
  settle(interrupted: boolean): void {
    if (this.settled) return;
    if (interrupted) this.controller.abort();
    this.closed = true;
    this.settled = { interrupted, heardText: interrupted ? this.heardText() : this.text };
    this.resolvePlayout(this.settled);
  }

  get isSettled(): boolean {
    return this.settled !== undefined;
  }
}

/**
 * The truth of what the callee heard. Every chunk of agent audio sent to the carrier is followed
 * by a mark; the carrier returns a mark once the audio before it was played, so the tracker knows
 * the playback position to the chunk. It can pause (clear the carrier, keep what was not played,
 * hold new audio) and resume (send the kept audio again), or stop speech for good.
 */
export class PlayoutTracker {
  /** Chunks not yet played, in the order they are to be heard. */
  private pieces: Piece[] = [];
  private readonly atCarrier = new Map<string, Piece>();
  private readonly open = new Set<SpeechHandle>();
  private markCounter = 0;
  private paused = false;

  constructor(
    private readonly output: CallAudioOutput,
    private readonly now: () => number,
    /** Everything the agent said has been played and nothing more is coming. */
    private readonly onIdle: () => void,
  ) {}

  speak(): SpeechHandle {
    const handle = new SpeechHandle(this);
    this.open.add(handle);
    return handle;
  }

  /** Some speech is still being produced, at the carrier, or held. */
  get busy(): boolean {
    return this.open.size > 0 || this.pieces.length > 0;
  }

  /** Audio is at the carrier now, not yet reported played. */
  get playing(): boolean {
    return this.atCarrier.size > 0;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  handleMark(name: string): void {
    const piece = this.atCarrier.get(name);
    if (!piece) return; // a mark from before a clear: that audio was dropped, not played
    // Marks come back in order: every chunk up to this one has been played.
    const upTo = this.pieces.indexOf(piece);
    const played = this.pieces.splice(0, upTo + 1);
    for (const done of played) {
      if (done.mark) this.atCarrier.delete(done.mark);
      done.clause.unplayed--;
    }
    for (const speech of new Set(played.map((p) => p.speech))) this.checkDone(speech, false);
    this.checkIdle();
  }

  /**
   * Clears the carrier at once and keeps every chunk not yet played, to be sent again by
   * `resume()`. Marks the carrier returns for the cleared audio (Twilio returns them all right
   * after a clear) no longer count as played. Returns whether there was audio to clear.
   */
  pause(): boolean {
    if (this.paused) return false;
    this.paused = true;
    const hadAudio = this.atCarrier.size > 0;
    if (hadAudio) this.output.clear();
    this.forgetCarrier();
    return hadAudio;
  }

  /** Sends again what the pause kept, and lets new audio through. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const piece of this.pieces) this.send(piece);
  }

  /** Stops all speech: the carrier is cleared (always, when `alwaysClear`), nothing kept is sent. */
  stopAll(alwaysClear = false): void {
    if (alwaysClear || this.atCarrier.size > 0) this.output.clear();
    this.forgetCarrier();
    this.pieces = [];
    this.paused = false;
    for (const speech of [...this.open]) this.settle(speech, true);
  }

  /** The call is over: every speech ends where it is, without a word to the carrier. */
  release(): void {
    this.forgetCarrier();
    this.pieces = [];
    this.paused = false;
    for (const speech of [...this.open]) this.settle(speech, true);
  }

  /** Stops one piece of speech (see SpeechHandle.stop). */
  stop(speech: SpeechHandle): void {
    const mine = this.pieces.filter((p) => p.speech === speech);
    if (mine.some((p) => p.mark)) {
      // The carrier has one buffer: clearing drops the others' audio too, so it goes out again.
      this.output.clear();
      this.forgetCarrier();
      this.pieces = this.pieces.filter((p) => p.speech !== speech);
      if (!this.paused) this.pieces.forEach((p) => this.send(p));
    } else this.pieces = this.pieces.filter((p) => p.speech !== speech);
    this.settle(speech, true);
    this.checkIdle();
  }

  /** @internal */
  enqueue(piece: Piece): void {
    piece.clause.unplayed++;
    this.pieces.push(piece);
    if (!this.paused) this.send(piece);
  }

  /** @internal A handle settles once it is closed and all of its audio was played; `notify` tells an idle agent. */
  checkDone(speech: SpeechHandle, notify = true): void {
    if (speech.isSettled || !speech.isClosed || this.pieces.some((p) => p.speech === speech)) return;
    speech.clauses.forEach((clause) => (clause.complete = true));
    this.settle(speech, false);
    if (notify) this.checkIdle();
  }

  private send(piece: Piece): void {
    this.output.sendAudio(piece.audio);
    const mark = `m${++this.markCounter}`;
    piece.mark = mark;
    this.atCarrier.set(mark, piece);
    this.output.sendMark(mark);
    if (piece.speech.firstSentAtMs === undefined) {
      piece.speech.firstSentAtMs = this.now();
      piece.speech.onFirstSent?.(piece.speech.firstSentAtMs);
    }
  }

  private forgetCarrier(): void {
    this.atCarrier.clear();
    for (const piece of this.pieces) piece.mark = undefined;
  }

  private settle(speech: SpeechHandle, interrupted: boolean): void {
    this.open.delete(speech);
    speech.settle(interrupted);
  }

  private checkIdle(): void {
    if (!this.busy) this.onIdle();
  }
}
