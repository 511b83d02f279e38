import type { AgentRuntimeConfig } from '@codcall/agent-config';
import { isBackchannel } from '@codcall/languages';

/** English words a listener says to show they are following, not to take the turn. */
const BACKCHANNEL = /^(mm+|m-?hm+|uh-?huh|okay|ok|yeah|yes|right|sure|hmm+|ah+|oh)[.!]?$/i;
/**
 * The same, word by word, for judging a pause. "yes" and "sure" are left out: said over the agent
 * they answer its question as often as they acknowledge it, and an answer must not be dropped.
 * Every language's backchannels ("haan", "ji", "achha", "aiwa", "na'am", "sí", "iya", "sim") come
 * from the language packs, all of them whatever the call's language: callers code-switch.
 */
const BACKCHANNEL_WORD = /^(m+-?hm+|mm+|uh-?huh|okay|ok|yeah|yep|right|hmm+|ah+|oh|aha|uh|um)$/i;
/** The English pack lists them as backchannels; over the agent they stay answers, as above. */
const ANSWER_WORDS = /^(yes|sure)$/i;

/** Words after which a pause is a breath: "I want it delivered on... Friday". */
const UNFINISHED = /(,|\.\.\.|…|\b(and|but|or|so|because|if|then|the|a|an|to|on|at|my|I|I'm|um|uh|er|like))\s*$/i;

/** How long a callee who paused mid-sentence gets to go on before the agent answers. */
export const UNFINISHED_GRACE_MS = 1200;

/** What the callee's words mean for the agent while it is talking. */
export type SpeechOverAgent = 'nothing' | 'backchannel' | 'interruption';

/**
 * Turn-taking judgements on the callee's words: whether words over the agent take the floor,
 * whether a pause ends the turn, and the callee's words gathered for the turn.
 */
/** The callee's words for one turn, and when they were spoken (ms on the session's clock). */
export interface CalleeWords {
  text: string;
  /** When the last final with words arrived. */
  sttFinalAtMs?: number;
  /** The callee's last voiced frame, by the recogniser's word timings, when it gave them. */
  speechEndedAtMs?: number;
}

export class TurnDetector {
  private words: CalleeWords = { text: '' };
  private speaking = false;
  private startedAtMs?: number;

  constructor(private readonly timing: AgentRuntimeConfig['timing']) {}

  /** The callee may never cut the agent off (interruptionWords 0). */
  get neverInterrupted(): boolean {
    return this.timing.interruptionWords === 0;
  }

  /**
   * Words-only barge-in (interruptionMode 'words', today's rule): `interruptionWords` words that
   * are not one backchannel.
   */
  interruptsByWords(text: string): boolean {
    const said = text.trim();
    return said.split(/\s+/).filter(Boolean).length >= this.timing.interruptionWords && !BACKCHANNEL.test(said) && !onlyBackchannels(said);
  }

  /**
   * While the agent is paused on the callee's speech start: one word that is not a backchannel
   * takes the floor. The agent is already silent, so waiting for more words (interruptionWords)
   * would only delay the callee; a cough gives no words, "mm-hm" only backchannels.
   */
  judgeDuringPause(text: string): SpeechOverAgent {
    if (wordsOf(text).length === 0) return 'nothing';
    return onlyBackchannels(text) ? 'backchannel' : 'interruption';
  }

  /** Only backchannel words: in pause mode not a turn of its own. */
  isBackchannel(text: string): boolean {
    return this.judgeDuringPause(text) === 'backchannel';
  }

  /** The recogniser heard the callee start speaking. */
  speechStarted(atMs: number): void {
    this.speaking = true;
    this.startedAtMs = atMs;
  }

  /** The recogniser judged the callee done (an endpoint or an utterance end). */
  speechEnded(): void {
    this.speaking = false;
  }

  /** Between the callee's speech start and the end of their turn. */
  get calleeSpeaking(): boolean {
    return this.speaking;
  }

  /** When the callee last started speaking. */
  get speechStartedAtMs(): number | undefined {
    return this.startedAtMs;
  }

  /** A final's words join the turn; the latest word timing says when the callee stopped. */
  addWords(text: string, heard: { atMs: number; speechEndedAtMs?: number }): void {
    if (!text.trim()) return;
    this.words = {
      text: `${this.words.text} ${text.trim()}`.trim(),
      sttFinalAtMs: heard.atMs,
      speechEndedAtMs: heard.speechEndedAtMs,
    };
  }

  get hasWords(): boolean {
    return this.words.text !== '';
  }

  /** The grace before answering after an endpoint: longer when the words sound unfinished. */
  replyDelayMs(): number {
    const grace = UNFINISHED.test(this.words.text.trim()) ? UNFINISHED_GRACE_MS : 0;
    return Math.max(this.timing.replyDelayMs, grace);
  }

  /** The turn's words, and a fresh start for the next turn. */
  takeWords(): CalleeWords {
    const words = this.words;
    this.words = { text: '' };
    return words;
  }
}

/**
 * Nothing but "I'm listening", in any language: "mm-hm", "haan haan", "haan ji", "aiwa", "sí sí",
 * "iya", "uhum". "haan, kal bhejna" carries a request and is not.
 */
function onlyBackchannels(text: string): boolean {
  const words = wordsOf(text);
  if (words.length === 0 || words.some((word) => ANSWER_WORDS.test(word))) return false;
  return isBackchannel(text) || words.every((word) => BACKCHANNEL_WORD.test(word) || isBackchannel(word));
}

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}\p{N}'-]/gu, ''))
    .filter(Boolean);
}
