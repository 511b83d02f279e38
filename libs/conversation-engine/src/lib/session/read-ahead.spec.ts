import { readAhead } from './read-ahead';

/** A clause's synthesis that yields its chunks only when told to, recording when it was started. */
function slowClause(name: string, log: string[]) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  async function* audio() {
    log.push(`${name} synthesis started`);
    await released;
    yield `${name} audio`;
  }
  return { audio: audio(), release };
}

describe('reading a clause’s audio ahead', () => {
  it('synthesises the next clause while the one before it is still awaited, and hands each over in order', async () => {
    const log: string[] = [];
    const first = slowClause('first', log);
    const second = slowClause('second', log);
    const clauses = [readAhead(first.audio), readAhead(second.audio)];
    await Promise.resolve();
    // Both have started before the first has produced a byte: the second is not waiting its turn.
    expect(log).toEqual(['first synthesis started', 'second synthesis started']);
    second.release();
    first.release();
    const heard: string[] = [];
    for (const clause of clauses) for await (const chunk of clause) heard.push(chunk);
    expect(heard).toEqual(['first audio', 'second audio']);
  });

  it('passes a synthesis failure on after the audio that came before it', async () => {
    async function* failing() {
      yield 'half a clause';
      throw new Error('voice lost');
    }
    const heard: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of readAhead(failing())) heard.push(chunk);
      })(),
    ).rejects.toThrow('voice lost');
    expect(heard).toEqual(['half a clause']);
  });
});
