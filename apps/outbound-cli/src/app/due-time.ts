/** "2026-11-25 09:00 UTC (in 2 h 30 min)": when the next call is due, for an operator watching the campaign. */
export function formatDue(at: number, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((at - now) / 60_000));
  const wait = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC (in ${wait})`;
}
