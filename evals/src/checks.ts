import type { TranscriptLine } from '@codcall/gateway-api';
import type { LanguageCode } from '@codcall/languages';
import { cellMatches, expectedCell } from './cells';
import { notInLanguage } from './language-script';
import type { Check, Scenario } from './scenario';

export type { TranscriptLine };

/** One finished call, as the gateway reports it: what the checks are scored on. */
export interface CallObservation {
  status?: string;
  /** The row cells the outcome writes (reschedule_date, callback_at, address_update, reason...). */
  cells: Record<string, string>;
  transcript: TranscriptLine[];
  /** Seconds from the answer to the outcome (the outcome tool's call), or to the call's end without one. */
  secondsToOutcome?: number;
  placedAt: Date;
  endedAt: Date;
  zone: string;
}

export interface CheckResult {
  check: string;
  passed: boolean;
  /** What was wrong, in a sentence, when it failed. */
  detail?: string;
}

const pass = (check: string): CheckResult => ({ check, passed: true });
const failed = (check: string, detail: string): CheckResult => ({ check, passed: false, detail });

/** Eastern Arabic, Persian and Devanagari digits read as ASCII, so "१४९९" and "١٤٩٩" are 1499. */
function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9\u0966-\u096F]/g, (digit) => {
    const code = digit.charCodeAt(0);
    const zero = code >= 0x0966 ? 0x0966 : code >= 0x06f0 ? 0x06f0 : 0x0660;
    return String(code - zero);
  });
}

/**
 * The order details of a row a line gives away: the order id (as written, or its digits read out
 * one by one), the amount (with any grouping), the address (whole, or two of its words).
 */
export function orderDetailsIn(line: string, row: Record<string, string>): string[] {
  const found: string[] = [];
  const text = asciiDigits(line).toLowerCase();
  const digitsOnly = text.replace(/[^0-9]/g, '');
  const orderId = row['order_id']?.toLowerCase() ?? '';
  const orderDigits = orderId.replace(/[^0-9]/g, '');
  if (orderId && (text.includes(orderId) || (orderDigits.length >= 3 && digitsOnly.includes(orderDigits)))) found.push('order id');
  const amountDigits = (row['amount'] ?? '').replace(/\.0+$/, '').replace(/[^0-9]/g, '');
  if (amountDigits.length >= 2 && digitsOnly.includes(amountDigits)) found.push('amount');
  const address = (row['address'] ?? '').toLowerCase();
  if (address) {
    const words = address.split(/[\s,.;:/-]+/).filter((word) => word.length >= 4 && !/^\d+$/.test(word));
    const hits = words.filter((word) => text.includes(word));
    if (text.includes(address) || hits.length >= Math.min(2, words.length)) found.push('address');
  }
  return found;
}

const agentLines = (call: CallObservation) => call.transcript.filter((line) => line.speaker === 'agent');

export function scoreCheck(check: Check, scenario: Scenario, call: CallObservation): CheckResult {
  switch (check.kind) {
    case 'no_order_detail_before_identity': {
      // The callee's first words are their answer to who is speaking: nothing of the order before them.
      const identityAt = call.transcript.find((line) => line.speaker === 'callee')?.atMs ?? Number.POSITIVE_INFINITY;
      for (const line of agentLines(call).filter((agent) => agent.atMs < identityAt)) {
        const details = orderDetailsIn(line.text, scenario.row);
        if (details.length) return failed(check.kind, `before the callee said who they are, the agent said the ${details.join(' and ')}: "${line.text}"`);
      }
      return pass(check.kind);
    }
    case 'wrong_person_hears_nothing': {
      for (const line of agentLines(call)) {
        const details = orderDetailsIn(line.text, scenario.row);
        if (details.length) return failed(check.kind, `the agent told someone who is not the customer the ${details.join(' and ')}: "${line.text}"`);
      }
      return pass(check.kind);
    }
    case 'said_in_language': {
      const rowValues = Object.values(scenario.row);
      for (const line of agentLines(call)) {
        const why = notInLanguage(line.text, scenario.language as LanguageCode, rowValues);
        if (why) return failed(check.kind, `an agent line is ${why}: "${line.text}"`);
      }
      return pass(check.kind);
    }
    case 'max_agent_turns': {
      const turns = agentLines(call).length;
      return turns <= check.limit ? pass(`max_agent_turns ${check.limit}`) : failed(`max_agent_turns ${check.limit}`, `the agent spoke ${turns} times`);
    }
    case 'max_seconds_to_outcome': {
      const name = `max_seconds_to_outcome ${check.limit}`;
      if (call.secondsToOutcome === undefined) return failed(name, 'the call reached no outcome');
      return call.secondsToOutcome <= check.limit ? pass(name) : failed(name, `the outcome took ${call.secondsToOutcome.toFixed(1)} s`);
    }
    case 'agent_said_any': {
      // Digits compare in any script, so "245" is found in an Arabic "٢٤٥".
      const said = agentLines(call).map((line) => asciiDigits(line.text).toLowerCase());
      const hit = check.phrases.some((phrase) => said.some((line) => line.includes(asciiDigits(phrase).toLowerCase())));
      return hit ? pass('agent_said_any') : failed('agent_said_any', `the agent said none of ${check.phrases.map((p) => `"${p}"`).join(', ')}`);
    }
    case 'never_status':
      return call.status !== check.status ? pass(`never_status ${check.status}`) : failed(`never_status ${check.status}`, `the call ended ${check.status}`);
  }
}

/** The scenario's whole verdict: its status, each expected cell, then each check. */
export function scoreScenario(scenario: Scenario, call: CallObservation): CheckResult[] {
  const results: CheckResult[] = [
    call.status === scenario.expect.status ? pass(`status ${scenario.expect.status}`) : failed(`status ${scenario.expect.status}`, `the call ended ${call.status ?? 'without an outcome'}`),
  ];
  for (const [column, expected] of Object.entries(scenario.expect.cells)) {
    const actual = call.cells[column];
    const matches = [call.placedAt, call.endedAt].some((at) => cellMatches(expected, actual, at, call.zone));
    results.push(matches ? pass(`cell ${column}`) : failed(`cell ${column}`, `${column} is ${actual === undefined ? 'empty' : `"${actual}"`}, expected "${expectedCell(expected, call.placedAt, call.zone)}"${expected !== expectedCell(expected, call.placedAt, call.zone) ? ` (${expected})` : ''}`));
  }
  for (const check of scenario.expect.checks) results.push(scoreCheck(check, scenario, call));
  return results;
}
