/** One colour per outcome status, the same in every chart of the dashboard. */
export const STATUS_COLOURS: Readonly<Record<string, string>> = {
  confirmed: '#1a7f37',
  cancelled: '#b42318',
  rescheduled: '#2463eb',
  callback_requested: '#7c3aed',
  transferred: '#0e7490',
  no_answer: '#a16207',
  busy: '#c2410c',
  voicemail: '#6b7280',
  invalid_number: '#9f1239',
  wrong_person: '#be185d',
  no_response: '#ca8a04',
  do_not_call: '#334155',
  outside_window: '#0891b2',
  failed: '#111827',
};
const OTHERS = ['#475569', '#64748b', '#94a3b8'];

export function colourOf(status: string, index = 0): string {
  return STATUS_COLOURS[status] ?? OTHERS[index % OTHERS.length];
}
