/**
 * A call record's parts as the call page shows them. The campaign-api passes the gateway's record
 * through (`transcript`, `tool_calls`, `turns`, `timeline` are its own shapes), so each field is
 * read in either of the spellings a record may carry.
 */
export interface TranscriptLine {
  speaker: string;
  text: string;
  atMs?: number;
}
export interface ToolCallLine {
  name: string;
  arguments: string;
  result: string;
  atMs?: number;
}
export interface TimelineLine {
  event: string;
  detail?: string;
  atMs?: number;
}
/** One answered turn's legs, in ms: callee stopped -> transcript final -> model's first token -> first audio byte -> first frame sent. */
export interface TurnLegs {
  kind: string;
  transcriptMs?: number;
  modelMs?: number;
  speechMs?: number;
  /** From the audio (synthesised, or prepared during the call) to its first frame on the wire: codcall's own part. */
  sendMs?: number;
  totalMs?: number;
  atMs?: number;
  /** A barge-in's: `resumed` (a cough: what was not heard was said again) or `interrupted`. */
  resolution?: string;
}

type Json = Record<string, unknown>;
const objects = (list: unknown[] | undefined): Json[] => (list ?? []).filter((item): item is Json => !!item && typeof item === 'object');
const number = (item: Json, ...keys: string[]): number | undefined => {
  for (const key of keys) if (typeof item[key] === 'number') return item[key] as number;
  return undefined;
};
const text = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

export function transcriptLines(list: unknown[] | undefined): TranscriptLine[] {
  return objects(list).map((line) => ({ speaker: text(line['speaker'] ?? line['role']), text: text(line['text']), atMs: number(line, 'atMs', 'at_ms') }));
}

export function toolCallLines(list: unknown[] | undefined): ToolCallLine[] {
  return objects(list).map((call) => ({ name: text(call['name']), arguments: text(call['arguments']), result: text(call['result']), atMs: number(call, 'atMs', 'at_ms') }));
}

export function timelineLines(list: unknown[] | undefined): TimelineLine[] {
  return objects(list).map((entry) => ({ event: text(entry['event']), detail: entry['detail'] === undefined ? undefined : text(entry['detail']), atMs: number(entry, 'atMs', 'at_ms') }));
}

export function turnLegs(list: unknown[] | undefined): TurnLegs[] {
  return objects(list).map((turn) => {
    const at = (name: string) => number(turn, `${name}AtMs`, `${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_at_ms`);
    const gap = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? undefined : to - from);
    const spoke = at('calleeSpeechEnded');
    return {
      kind: text(turn['kind']),
      // A barge-in has no speech end: it is placed where the callee started talking over the agent.
      atMs: spoke ?? at('speechStarted'),
      transcriptMs: gap(spoke, at('sttFinal')),
      modelMs: gap(at('llmRequest'), at('llmFirstToken')),
      speechMs: gap(at('ttsRequest'), at('ttsFirstByte')),
      sendMs: gap(at('ttsFirstByte') ?? at('llmFirstToken'), at('firstFrameSent')),
      totalMs: number(turn, 'latencyMs', 'latency_ms') ?? gap(spoke, at('firstFrameSent')),
      ...(typeof turn['resolution'] === 'string' ? { resolution: turn['resolution'] } : {}),
    };
  });
}

/** 12.3 s, for a call's clock. */
export function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`;
}
