import { RecordingAudioOutput } from '@codcall/test-support';
import { PlayoutTracker } from './playout-tracker';

function tracker() {
  const output = new RecordingAudioOutput();
  let idle = 0;
  const playout = new PlayoutTracker(output, () => 0, () => idle++);
  return { output, playout, idleCount: () => idle };
}

/** Speaks `clauses`, each as two chunks of 100 bytes. */
function speakClauses(playout: PlayoutTracker, clauses: string[]) {
  const speech = playout.speak();
  for (const clause of clauses) {
    speech.beginClause(clause);
    speech.sendAudio(Buffer.alloc(100));
    speech.sendAudio(Buffer.alloc(100));
    speech.endClause();
  }
  speech.close();
  return speech;
}

describe('PlayoutTracker', () => {
  it('given every mark back, the speech was heard whole and the agent is idle', async () => {
    const { output, playout, idleCount } = tracker();
    const speech = speakClauses(playout, ['Hello Priya.', 'About your order.']);
    expect(output.marks).toHaveLength(4); // a mark after every chunk, not only per clause
    output.marks.splice(0).forEach((mark) => playout.handleMark(mark));
    await expect(speech.waitForPlayout()).resolves.toEqual({ interrupted: false, heardText: 'Hello Priya. About your order.' });
    expect(idleCount()).toBe(1);
  });

  it('given a stop after the first clause played, only that clause was heard', async () => {
    const { output, playout } = tracker();
    const speech = speakClauses(playout, ['Hello Priya.', 'About your order.']);
    output.marks.slice(0, 2).forEach((mark) => playout.handleMark(mark));
    playout.stopAll();
    expect(output.clears).toBe(1);
    await expect(speech.waitForPlayout()).resolves.toEqual({ interrupted: true, heardText: 'Hello Priya.' });
  });

  it('given a pause, the marks the carrier returns for the cleared audio are not played, and resume sends the rest again', async () => {
    const { output, playout, idleCount } = tracker();
    const speech = speakClauses(playout, ['Hello Priya.', 'About your order.']);
    playout.handleMark(output.marks.shift()!);
    const cleared = output.marks.splice(0);
    expect(playout.pause()).toBe(true);
    cleared.forEach((mark) => playout.handleMark(mark)); // Twilio: the outstanding marks come back at once
    expect(speech.heardText()).toBe('');
    const before = output.audioBytes;
    playout.resume();
    expect(output.audioBytes - before).toBe(300); // from the second chunk on
    output.marks.splice(0).forEach((mark) => playout.handleMark(mark));
    await expect(speech.waitForPlayout()).resolves.toEqual({ interrupted: false, heardText: 'Hello Priya. About your order.' });
    expect(idleCount()).toBe(1);
  });

  it('holds audio produced while paused and sends it on resume', () => {
    const { output, playout } = tracker();
    const speech = playout.speak();
    playout.pause();
    speech.beginClause('Still thinking.');
    speech.sendAudio(Buffer.alloc(80));
    expect(output.audioBytes).toBe(0);
    playout.resume();
    expect(output.audioBytes).toBe(80);
    expect(output.marks).toHaveLength(1);
  });
});
