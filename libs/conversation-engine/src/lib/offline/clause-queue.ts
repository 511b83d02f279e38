import type { SynthesisRequest } from '../providers';

export type ClausePlace = NonNullable<SynthesisRequest['utterance']>;

interface Waiting<T> {
  item: T;
  place?: ClausePlace;
  order: number;
  /** Later arrivals taken before this one. */
  overtaken: number;
}

/**
 * The order in which a synthesis pool that renders one clause at a time (the offline voice's
 * workers, shared by every call of a gateway) takes its clauses. A later clause of an utterance
 * already begun goes first: its callee is hearing the sentence, and a clause rendered late is
 * heard as a pause inside it, which a callee answers into. Other clauses (a greeting's first, a
 * reply's first, a callee's line in the simulator) keep their order of arrival. Within one
 * utterance, clauses are taken in their order. Overtaking is bounded by itself (a call asks for
 * its next clause only once the last one is rendered, and its sentences end); as a backstop, a
 * clause overtaken `maxOvertaken` times goes next.
 */
export class ClauseQueue<T> {
  private readonly waiting: Waiting<T>[] = [];
  private arrivals = 0;

  constructor(private readonly maxOvertaken = 32) {}

  get size(): number {
    return this.waiting.length;
  }

  /** Queues `item`; the returned function takes it out again (true if it was still waiting). */
  push(item: T, place?: ClausePlace): () => boolean {
    const entry: Waiting<T> = { item, place, order: this.arrivals++, overtaken: 0 };
    this.waiting.push(entry);
    return () => {
      const index = this.waiting.indexOf(entry);
      if (index < 0) return false;
      this.waiting.splice(index, 1);
      return true;
    };
  }

  /** The clause to render next, out of the queue; undefined when none waits. */
  take(): T | undefined {
    const next = this.choose();
    if (!next) return undefined;
    for (const entry of this.waiting) if (entry.order < next.order) entry.overtaken++;
    this.waiting.splice(this.waiting.indexOf(next), 1);
    return next.item;
  }

  private choose(): Waiting<T> | undefined {
    // An utterance's earliest waiting clause holds back its later ones.
    const earliest = new Map<string, number>();
    for (const { place } of this.waiting) {
      if (place) earliest.set(place.id, Math.min(place.clause, earliest.get(place.id) ?? Infinity));
    }
    const ready = this.waiting.filter(({ place }) => !place || earliest.get(place.id) === place.clause);
    // `waiting` is in arrival order, so each find is the oldest of its kind.
    return (
      ready.find((entry) => entry.overtaken >= this.maxOvertaken) ??
      ready.find((entry) => (entry.place?.clause ?? 0) > 0) ??
      ready[0]
    );
  }
}
