/**
 * Starts reading `source` now and hands its chunks on as they come, to one reader that may start
 * later: a clause's audio is synthesised while the clause before it is still being sent and played.
 * A failure of the source reaches the reader after the chunks that came before it.
 */
export function readAhead<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const chunks: T[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  void (async () => {
    try {
      for await (const chunk of source) {
        chunks.push(chunk);
        notify();
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      notify();
    }
  })();
  return {
    async *[Symbol.asyncIterator]() {
      for (let next = 0; ; ) {
        if (next < chunks.length) {
          yield chunks[next++];
          continue;
        }
        if (failure) throw failure.error;
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}
