import { CampaignEventFeed } from './campaign-event-feed';

describe('a campaign event feed', () => {
  const waiting = (rows: number) => ({ type: 'waiting' as const, rows, next_due_at: '2031-05-06T09:00:00.000Z', reason: 'retry' });

  it('keeps only the last events it was sized for, and tells a follower it missed too much to replay', () => {
    const feed = new CampaignEventFeed(3);
    const seen = [1, 2, 3, 4, 5].map((rows) => feed.publish(waiting(rows)));
    expect(feed.missedSince(seen[0].seq)?.map((entry) => entry.event)).toBeUndefined(); // event 2 is gone
    expect(feed.missedSince(seen[1].seq)?.map((entry) => entry.seq)).toEqual([seen[2].seq, seen[3].seq, seen[4].seq]);
    expect(feed.missedSince(seen[3].seq)).toEqual([seen[4]]);
    expect(feed.missedSince(seen[4].seq)).toEqual([]);
    expect(feed.missedSince(seen[4].seq + 10)).toBeUndefined(); // an id from nowhere: a fresh snapshot
    expect(feed.missedSince(undefined)).toBeUndefined();
  });

  it('numbers events in order across feeds, from the start time, so a service started later numbers above them', async () => {
    const [a, b] = [new CampaignEventFeed(), new CampaignEventFeed()];
    const first = a.publish(waiting(1));
    const second = b.publish(waiting(2));
    expect(second.seq).toBeGreaterThan(first.seq);
    await new Promise((resolve) => setTimeout(resolve, 2));
    const laterStart = Date.now() * 1000; // where a service started now would begin
    expect(second.seq).toBeLessThan(laterStart);
    expect(Number.isSafeInteger(second.seq)).toBe(true);
  });

  it('hands each new event to its followers until they leave', () => {
    const feed = new CampaignEventFeed();
    const received: number[] = [];
    const leave = feed.subscribe((entry) => received.push(entry.event.type === 'waiting' ? entry.event.rows : -1));
    feed.publish(waiting(7));
    leave();
    feed.publish(waiting(8));
    expect(received).toEqual([7]);
    expect(feed.subscribers).toBe(0);
  });
});
