import { TOTAL_LEG, TURN_LEGS, type AnsweredTurnsReport, type CampaignReport, type Spread } from '@codcall/campaign';

/** Legs most turns do not have (a tool that sent the model back): a row only when some turn had one. */
const RARE_LEGS = new Set(TURN_LEGS.filter((leg) => leg.rare).map((leg) => leg.name));

/**
 * Where each turn's time went, per kind, in the status table's plain-text style:
 *
 *   text turns (12)                 |  n | p50    | p95
 *   --------------------------------+----+--------+-------
 *   speech end -> STT final         | 12 | 100 ms | 120 ms
 *
 * Empty when no record has turns (a store kept before turn timings); the latency line covers those.
 */
export function renderTurnLegTables(legs: CampaignReport['turnLegs']): string {
  const tables: string[] = [];
  if (legs.text.turns) tables.push(answeredTable('text turns', legs.text));
  if (legs.outcome.turns) tables.push(answeredTable('outcome turns', legs.outcome));
  if (legs.bargeIn.turns) {
    const { bargeIn } = legs;
    tables.push(
      table(`barge-ins (${bargeIn.turns}: ${bargeIn.resumed} resumed, ${bargeIn.interrupted} interrupted)`, [['speech start -> clear', bargeIn.speechStartToClear]]),
    );
  }
  return tables.join('\n\n');
}

function answeredTable(title: string, turns: AnsweredTurnsReport): string {
  return table(
    `${title} (${turns.turns})`,
    turns.legs.filter(({ name, spread }) => spread.n > 0 || !RARE_LEGS.has(name)).map(({ name, spread }) => [name === TOTAL_LEG ? 'total (speech end -> first frame)' : name, spread]),
  );
}

function table(title: string, rows: [string, Spread][]): string {
  const ms = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value)} ms`);
  const cells = rows.map(([leg, spread]) => [leg, String(spread.n), ms(spread.p50), ms(spread.p95)]);
  const widths = [title, 'n', 'p50', 'p95'].map((header, column) => Math.max(header.length, ...cells.map((row) => row[column].length)));
  // The leg's name reads left to right; the numbers line up on the right.
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]))).join(' | ');
  const rule = widths.map((width) => '-'.repeat(width)).join('-+-');
  return [line([title, 'n', 'p50', 'p95']), rule, ...cells.map(line)].join('\n');
}
