/**
 * The simulator's side channel: when a simulated callee speaks, the simulator publishes what it
 * says here alongside the audio frames it sends. The offline transcriber reads it, because no
 * offline recogniser is good enough to turn synthetic speech back into text reliably. Real calls
 * never use it.
 */
export interface SimulatedUtterance {
  /** Our call id (the gateway's), not the carrier's. */
  callId: string;
  text: string;
  /** Number of 20 ms audio frames the utterance occupies on the inbound track. */
  frames: number;
}

type Listener = (utterance: SimulatedUtterance) => void;

export class SpeechSideChannel {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly backlog = new Map<string, SimulatedUtterance[]>();

  publish(utterance: SimulatedUtterance): void {
    const listeners = this.listeners.get(utterance.callId);
    if (listeners && listeners.size > 0) {
      for (const listener of listeners) listener(utterance);
      return;
    }
    // The transcriber may subscribe a moment after the stream starts: keep what it would miss.
    const queue = this.backlog.get(utterance.callId) ?? [];
    queue.push(utterance);
    this.backlog.set(utterance.callId, queue);
  }

  subscribe(callId: string, listener: Listener): () => void {
    const set = this.listeners.get(callId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(callId, set);
    const missed = this.backlog.get(callId);
    if (missed) {
      this.backlog.delete(callId);
      for (const utterance of missed) listener(utterance);
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(callId);
    };
  }

  /** Forgets everything about a call that has ended. */
  release(callId: string): void {
    this.listeners.delete(callId);
    this.backlog.delete(callId);
  }
}
