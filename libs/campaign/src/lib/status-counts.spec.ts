import { countStatuses, tallyRowStatuses } from './status-counts';

describe('status counts', () => {
  it('orders outcomes as people read them, odd statuses after, uncalled rows last', () => {
    const counts = tallyRowStatuses([{ status: '' }, { status: 'busy' }, { status: 'Confirmed' }, { status: 'confirmed' }, { status: 'called back' }]);
    expect(countStatuses(counts)).toEqual([
      { status: 'confirmed', count: 2, share: 0.4 },
      { status: 'busy', count: 1, share: 0.2 },
      { status: 'called back', count: 1, share: 0.2 },
      { status: '', count: 1, share: 0.2 },
    ]);
  });

  it('puts callbacks and transfers with the conversations, before the calls nobody answered', () => {
    const counts = tallyRowStatuses([{ status: 'no_answer' }, { status: 'transferred' }, { status: 'wrong_person' }, { status: 'callback_requested' }, { status: 'rescheduled' }]);
    expect(countStatuses(counts).map((count) => count.status)).toEqual(['rescheduled', 'callback_requested', 'transferred', 'wrong_person', 'no_answer']);
  });
});
