import type { SynthesisUsage } from '@codcall/call-orchestration';
import type { PreparedSpeech, SynthesisRequest, Synthesizer } from '@codcall/conversation-engine';

/**
 * Rides on a synthesis request through the shared greeting cache (PreparedSpeech copies requests
 * with a spread, which keeps symbol keys, and keys its cache on the text and voice only), so the
 * vendor synthesizer underneath knows which call a synthesis is for.
 */
const BILLED_TO = Symbol('the call this synthesis is counted for');

type BilledRequest = SynthesisRequest & { [BILLED_TO]?: SynthesisUsage };

/**
 * The vendor's synthesizer, counting each request's characters for the call it carries: only
 * what reaches the vendor counts, so a greeting replayed from the cache costs the replaying call
 * nothing and is counted once, for the call whose preparation synthesised it.
 */
export class CountedSynthesizer implements Synthesizer {
  readonly name: string;

  constructor(private readonly vendor: Synthesizer) {
    this.name = vendor.name;
  }

  synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    // A blank request is never sent to the vendor.
    if (request.text.trim()) (request as BilledRequest)[BILLED_TO]?.add(request.text);
    return this.vendor.synthesize(request);
  }
}

/** One call's view of the shared greeting cache: every request it makes carries its usage. */
export class BilledSpeech implements Synthesizer {
  readonly name: string;

  constructor(
    private readonly shared: PreparedSpeech,
    private readonly usage: SynthesisUsage,
  ) {
    this.name = shared.name;
  }

  prepare(request: Omit<SynthesisRequest, 'signal'>): void {
    this.shared.prepare(this.billed(request));
  }

  /** Whether the cache has this phrase's audio (the session times a prepared goodbye without TTS legs). */
  isPrepared(request: Omit<SynthesisRequest, 'signal'>): boolean {
    return this.shared.isPrepared(request);
  }

  synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    return this.shared.synthesize(this.billed(request));
  }

  private billed<T extends Omit<SynthesisRequest, 'signal'>>(request: T): T {
    return { ...request, [BILLED_TO]: this.usage };
  }
}
