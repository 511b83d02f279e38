// A turn's record is the wire contract's (@codcall/gateway-api): the engine writes it, the gateway
// sends it, the campaign stores it and the report reads it, all as one type.
import type { AnsweredTurnEntry, BargeInEntry, TurnTimingEntry } from '@codcall/gateway-api';

export type AnsweredTurnTiming = AnsweredTurnEntry;
export type BargeInTiming = BargeInEntry;
export type TurnTiming = TurnTimingEntry;
