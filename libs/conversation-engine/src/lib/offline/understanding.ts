import { INTENTS, type Intent, type Lexicon } from './lexicons';

/** A span of the callee's own words (as they were written, not folded). */
export interface Span {
  start: number;
  end: number;
  text: string;
}

/** What one callee turn says, as far as the lexicons can tell. */
export interface Heard {
  /** The most decisive intent said, or undefined when none is. */
  intent?: Intent;
  /** Every intent said, most decisive first. */
  intents: Intent[];
  /** The day named is today ("deliver it today": the delivery as planned). */
  dayIsToday: boolean;
  /** Words of plain assent were said too ("yes it's me, who is calling?"). */
  affirms: boolean;
  /** A keypad press the session turned into words ("[The customer pressed 1 ...]"). */
  keypad?: '1' | '2' | '3';
  /** The last day named, in the callee's words ("kal", "el viernes"). */
  day?: string;
  daypart?: string;
  clock?: string;
  /** An hour alone ("5", "paanch"): an answer to "what time?". */
  hour?: string;
  /** The callee's words about a day or time, in the order said: what request_callback is given. */
  when?: string;
  reason?: string;
  /** The turn's words once leading "no, it's ..." are dropped: a corrected address, perhaps. */
  rest: string;
  /** After "my address has changed": the new address, once its leading words are dropped. */
  afterAddressChange?: string;
  /** The whole turn as said. */
  said: string;
}

/** Latin accents, Arabic hamza seats, vowel marks and tatweel, the Devanagari nukta. */
const FOLDED_MARKS = /(?:[\u0300-\u036f]|[\u064b-\u065f]|\u0670|\u0640|\u093c)/gu;

/**
 * Folds what varies in writing but not in meaning, one character at a time so positions map
 * back to the callee's words: Latin accents, Arabic hamza seats and vowel marks, ة and ى, Hindi
 * nukta and chandrabindu, native digits. Used on lexicon patterns too.
 */
function foldCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  if (code >= 0x660 && code <= 0x669) return String(code - 0x660);
  if (code >= 0x6f0 && code <= 0x6f9) return String(code - 0x6f0);
  if (code >= 0x966 && code <= 0x96f) return String(code - 0x966);
  if (character === 'ة') return 'ه';
  if (character === 'ى') return 'ي';
  if (character === 'ँ') return 'ं';
  if (character === '’' || character === '`') return "'";
  return character
    .normalize('NFD')
    .replace(FOLDED_MARKS, '')
    .normalize('NFC');
}

export function foldPattern(source: string): string {
  return [...source].map(foldCharacter).join('');
}

/** The turn folded and in lower case, punctuation as spaces, with each folded character's position in the original. */
export function normalise(said: string): { text: string; origin: number[]; clauseBreaks: number[] } {
  let text = '';
  const origin: number[] = [];
  const clauseBreaks: number[] = [];
  let index = 0;
  for (const character of said) {
    if (CLAUSE_END.test(character)) clauseBreaks.push(text.length);
    // "15.00" is a time in Indonesian; elsewhere the dot is punctuation.
    const timeDot = character === '.' && /\d/.test(said[index - 1] ?? '') && /^\d\d/.test(said.slice(index + 1, index + 3));
    let folded = timeDot ? ':' : foldCharacter(character.toLowerCase());
    if (!timeDot && !/^[\p{L}\p{M}\p{N}':]*$/u.test(folded)) folded = ' ';
    for (const unit of folded) {
      text += unit;
      origin.push(index);
    }
    index += character.length;
  }
  return { text, origin, clauseBreaks };
}

/** Punctuation that ends a clause, Arabic and Devanagari included. */
const CLAUSE_END = /[,.;!?،؛؟।]/;

const compiled = new Map<string, RegExp>();

/** A whole-word pattern over normalised text; a space in the source is any run of spaces. */
function pattern(source: string): RegExp {
  let regex = compiled.get(source);
  if (!regex) {
    const body = foldPattern(source).replace(/ /g, '\\s+');
    regex = new RegExp(`(?<![\\p{L}\\p{M}\\p{N}'])(?:${body})(?![\\p{L}\\p{M}\\p{N}'])`, 'gu');
    compiled.set(source, regex);
  }
  return regex;
}

interface Match {
  start: number;
  end: number;
}

function matches(sources: readonly string[], text: string, from = 0): Match[] {
  const found: Match[] = [];
  for (const source of sources) {
    const regex = pattern(source);
    regex.lastIndex = 0;
    for (const match of text.matchAll(regex)) {
      if (match.index < from || match[0].length === 0) continue;
      found.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  return found.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** Longest first, no overlaps, in the order said. */
function disjoint(found: Match[]): Match[] {
  const kept: Match[] = [];
  for (const match of [...found].sort((a, b) => b.end - b.start - (a.end - a.start))) {
    if (!kept.some((other) => match.start < other.end && other.start < match.end)) kept.push(match);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function blank(text: string, spans: Match[]): string {
  let out = text;
  for (const span of spans) out = out.slice(0, span.start) + ' '.repeat(span.end - span.start) + out.slice(span.end);
  return out;
}

const KEYPAD = /pressed (\d)/i;

/**
 * Reads one callee turn with the call's lexicons (its language's first). What follows a change
 * of mind ("actually, no, cancel it") is what counts, when it says anything.
 */
export function understand(said: string, lexicons: readonly Lexicon[]): Heard {
  const { text, origin, clauseBreaks } = normalise(said);
  // A span ends where the next folded character begins: vowel marks dropped from its last letter stay in.
  const original = (span: Match): string => said.slice(origin[span.start], span.end < origin.length ? origin[span.end] : said.length).trim();
  const keypad = KEYPAD.exec(said)?.[1];
  const heard: Heard = { rest: said.trim(), said, affirms: false, intents: [], dayIsToday: false };
  if (keypad === '1' || keypad === '2' || keypad === '3') return { ...heard, keypad };

  const all = (pick: (lexicon: Lexicon) => readonly string[], from = 0) => lexicons.flatMap((lexicon) => matches(pick(lexicon), text, from));
  const intentsAt = (from: number): Intent[] => INTENTS.filter((intent) => all((lexicon) => lexicon.intents[intent], from).length > 0);
  const intentAt = (from: number): Intent | undefined => intentsAt(from)[0];

  // A change of mind counts from its last marker on, when anything is said after it.
  const markers = all((lexicon) => lexicon.changeOfMind);
  let from = 0;
  for (const marker of markers.reverse()) {
    if (intentAt(marker.end) || timeWords(text.slice(marker.end), lexicons).length) {
      from = marker.end;
      break;
    }
  }
  const segment = ' '.repeat(from) + text.slice(from);
  heard.intents = intentsAt(from);
  heard.intent = heard.intents[0];
  // Assent inside the question itself ("quem está falando", "siapa ya") is not assent.
  const asked = heard.intent ? all((lexicon) => lexicon.intents[heard.intent as Intent], from) : [];
  heard.affirms = all((lexicon) => lexicon.intents.yes, from).some((yes) => !asked.some((match) => yes.start < match.end && match.start < yes.end));

  const dayparts = disjoint(all((lexicon) => lexicon.dayparts, from));
  const days = disjoint(lexicons.flatMap((lexicon) => matches(lexicon.days, blank(segment, dayparts))));
  const clocks = disjoint(lexicons.flatMap((lexicon) => matches(lexicon.clocks, blank(segment, [...dayparts, ...days]))));
  // Which day is the one wanted: one said with an hour or a part of the day ("hoy no puedo,
  // mañana a las 5"), else one not negated ("not today, tomorrow"), else the last said.
  const negations = all((lexicon) => lexicon.negations, from);
  const clause = (at: number): [number, number] => [Math.max(0, ...clauseBreaks.filter((b) => b <= at)), Math.min(text.length, ...clauseBreaks.filter((b) => b > at))];
  const inClause = (day: Match, spans: Match[]) => {
    const [start, end] = clause(day.start);
    return spans.some((span) => span.start >= start && span.start < end && (span.end <= day.start || span.start >= day.end));
  };
  const timed = [...dayparts, ...clocksIn(lexicons, blank(segment, [...dayparts, ...days]))];
  const notNegated = days.filter((day) => !inClause(day, negations));
  const withTime = notNegated.filter((day) => inClause(day, timed));
  let chosen = withTime.length ? withTime : notNegated.length ? notNegated : days;
  // "कल ... बीता हुआ कल": the callee said which "kal" (yesterday or tomorrow) they meant.
  const past = disjoint(lexicons.flatMap((lexicon) => matches(lexicon.pastDays, segment)));
  const picked = chosen[chosen.length - 1];
  if (picked && past.length) {
    const pastDay = past.find((span) => text.slice(span.start, span.end).includes(text.slice(picked.start, picked.end)));
    if (pastDay) chosen = [pastDay];
  }
  if (chosen.length) {
    const day = chosen[chosen.length - 1];
    heard.day = original(day);
    heard.dayIsToday = lexicons.some((lexicon) => matches(lexicon.today, text.slice(0, day.end)).some((match) => match.start === day.start && match.end === day.end));
  }
  if (dayparts.length) heard.daypart = original(dayparts[dayparts.length - 1]);
  if (clocks.length) heard.clock = original(clocks[clocks.length - 1]);
  const when = disjoint([...chosen, ...dayparts, ...clocks]);
  if (when.length) heard.when = when.map(original).join(' ');
  const hours = disjoint(lexicons.flatMap((lexicon) => matches(lexicon.hours, blank(segment, [...dayparts, ...days]))));
  if (hours.length) heard.hour = original(hours[hours.length - 1]);

  const reasonMarker = all((lexicon) => lexicon.reasonMarkers, from)[0];
  if (reasonMarker) heard.reason = said.slice(origin[reasonMarker.end] ?? said.length).replace(/^[\s,]+|[\s.!?।,]+$/g, '') || undefined;

  // "No, it's 14 Park Street now": the address is what follows the leading words.
  const afterLead = (start: number): number => {
    let lead = start;
    for (let again = true; again; ) {
      again = false;
      const next = all((lexicon) => lexicon.addressLead).find((match) => match.start >= lead && text.slice(lead, match.start).trim() === '' && match.end > lead);
      if (next) {
        lead = next.end;
        again = true;
      }
    }
    return lead;
  };
  const tail = (at: number) => said.slice(origin[at] ?? said.length).replace(/^[\s,:.;।،-]+/, '').trim();
  const lead = afterLead(0);
  if (lead > 0) heard.rest = tail(lead);
  const change = all((lexicon) => lexicon.intents.address, from).pop();
  if (change) heard.afterAddressChange = tail(afterLead(change.end + (text.slice(change.end).match(/^[\s]*/)?.[0].length ?? 0)));
  return heard;
}

function clocksIn(lexicons: readonly Lexicon[], text: string): Match[] {
  return disjoint(lexicons.flatMap((lexicon) => matches(lexicon.clocks, text)));
}

/** Whether the words name a day or a time at all. */
function timeWords(text: string, lexicons: readonly Lexicon[]): Match[] {
  return lexicons.flatMap((lexicon) => [...matches(lexicon.days, text), ...matches(lexicon.dayparts, text), ...matches(lexicon.clocks, text)]);
}
