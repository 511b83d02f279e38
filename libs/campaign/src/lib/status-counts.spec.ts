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
});
