/**
 * One turn of a call as the campaign keeps it: the gateway's turn timing (times in ms since the
 * conversation started), as the wire contract declares it for clients. A leg the turn did not have is absent.
 */
export type { AnsweredTurnEntry, BargeInEntry, TurnTimingEntry } from '@codcall/gateway-api';
