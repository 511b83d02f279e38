import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SynthesisRequest } from '../providers';
import { ClauseQueue } from './clause-queue';
import { EspeakSynthesizer } from './espeak-synthesizer';

/** Takes everything out of the queue, in the order a free worker would render it. */
function drain(queue: ClauseQueue<string>): string[] {
  const taken: string[] = [];
  for (let next = queue.take(); next !== undefined; next = queue.take()) taken.push(next);
  return taken;
}

describe('the order in which the offline voice renders clauses', () => {
  it('renders the next clause of a sentence the callee is hearing before other calls’ first clauses', () => {
    const queue = new ClauseQueue<string>();
    queue.push('Bob: Hello, this is Priya from the delivery team.', { id: 'bob-greeting', clause: 0 });
    queue.push('Carol: Hello, this is Priya from the delivery team.', { id: 'carol-greeting', clause: 0 });
    // Alice's first clause is playing; her second arrives last.
    queue.push('Alice: of 42.50. Shall we deliver it as planned?', { id: 'alice-reply', clause: 1 });
    expect(drain(queue)).toEqual([
      'Alice: of 42.50. Shall we deliver it as planned?',
      'Bob: Hello, this is Priya from the delivery team.',
      'Carol: Hello, this is Priya from the delivery team.',
    ]);
  });

  it('keeps one utterance’s clauses in their order, even one prepared whole before it plays', () => {
    const queue = new ClauseQueue<string>();
    queue.push('greeting 1', { id: 'greeting', clause: 0 });
    queue.push('other call', { id: 'other', clause: 0 });
    queue.push('greeting 2', { id: 'greeting', clause: 1 });
    queue.push('greeting 3', { id: 'greeting', clause: 2 });
    // Once the greeting has begun, the rest of it comes before the other call's first clause.
    expect(drain(queue)).toEqual(['greeting 1', 'greeting 2', 'greeting 3', 'other call']);
  });

  it('keeps arrival order for clauses that say nothing of their utterance (a simulated callee’s line)', () => {
    const queue = new ClauseQueue<string>();
    for (const line of ['Yes, speaking.', 'Yes, please deliver it.', 'Sorry, who is this?']) queue.push(line);
    expect(drain(queue)).toEqual(['Yes, speaking.', 'Yes, please deliver it.', 'Sorry, who is this?']);
  });

  it('forgets a clause cancelled while it waits, and says so only once', () => {
    const queue = new ClauseQueue<string>();
    const cancelGoodbye = queue.push('interrupted reply', { id: 'reply', clause: 1 });
    queue.push('greeting', { id: 'greeting', clause: 0 });
    expect(cancelGoodbye()).toBe(true);
    expect(cancelGoodbye()).toBe(false);
    expect(drain(queue)).toEqual(['greeting']);
    expect(queue.size).toBe(0);
  });

  it('starves nobody: a first clause overtaken often enough goes next', () => {
    const queue = new ClauseQueue<string>(3);
    queue.push('waiting greeting', { id: 'greeting', clause: 0 });
    const taken: string[] = [];
    // Ten calls keep their sentences going; each takes a turn at the worker.
    for (let i = 0; i < 10; i++) {
      queue.push(`continuation ${i}`, { id: `call-${i}`, clause: 1 });
      taken.push(queue.take() as string);
    }
    expect(taken.slice(0, 4)).toEqual(['continuation 0', 'continuation 1', 'continuation 2', 'waiting greeting']);
  });
});

/** A stand-in eSpeak worker speaking the protocol: every clause becomes 100 ms of silence, as a WAV. */
const FAKE_WORKER = `
import { parentPort } from 'node:worker_threads';
const samples = 800;
function wav() {
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0); buffer.writeUInt32LE(36 + samples * 2, 4); buffer.write('WAVE', 8);
  buffer.write('fmt ', 12); buffer.writeUInt32LE(16, 16); buffer.writeUInt16LE(1, 20); buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(8000, 24); buffer.writeUInt32LE(16000, 28); buffer.writeUInt16LE(2, 32); buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36); buffer.writeUInt32LE(samples * 2, 40);
  return new Uint8Array(buffer);
}
parentPort.on('message', ({ id, text }) => parentPort.postMessage(text.startsWith('fail') ? { id, error: 'no voice' } : { id, wav: wav() }));
parentPort.postMessage({ ready: true });
`;

describe('EspeakSynthesizer’s shared workers', () => {
  let dir: string;
  let synthesizer: EspeakSynthesizer;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'espeak-pool-'));
    writeFileSync(join(dir, 'worker.mjs'), FAKE_WORKER);
    synthesizer = new EspeakSynthesizer({ workerPath: join(dir, 'worker.mjs'), workers: 1 });
  });
  afterEach(async () => {
    await synthesizer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts speaking a clause now; resolves with its audio bytes once rendered, recording when it finished. */
  function speak(finished: string[], text: string, extra: Partial<SynthesisRequest> = {}): Promise<number> {
    const iterator = synthesizer.synthesize({ text, language: 'en', signal: new AbortController().signal, ...extra })[Symbol.asyncIterator]();
    const first = iterator.next();
    return (async () => {
      let bytes = 0;
      for (let step = await first; !step.done; step = await iterator.next()) bytes += step.value.length;
      finished.push(text);
      return bytes;
    })();
  }

  it('renders a begun sentence’s next clause before the first clauses queued ahead of it', async () => {
    const finished: string[] = [];
    const clauses = [
      speak(finished, 'Busy: the worker is on this one.', { utterance: { id: 'busy', clause: 0 } }),
      speak(finished, 'Bob: hello.', { utterance: { id: 'bob', clause: 0 } }),
      speak(finished, 'Carol: hello.', { utterance: { id: 'carol', clause: 0 } }),
      speak(finished, 'Alice: shall we deliver it as planned?', { utterance: { id: 'alice', clause: 1 } }),
    ];
    // 100 ms of mu-law at 8 kHz for each clause.
    expect(await Promise.all(clauses)).toEqual([800, 800, 800, 800]);
    expect(finished).toEqual(['Busy: the worker is on this one.', 'Alice: shall we deliver it as planned?', 'Bob: hello.', 'Carol: hello.']);
  });

  it('drops a clause cancelled while it waits, and the worker goes on with the next', async () => {
    const finished: string[] = [];
    const cancelled = new AbortController();
    const clauses = [speak(finished, 'Busy.'), speak(finished, 'Interrupted reply.', { signal: cancelled.signal }), speak(finished, 'Next call.')];
    cancelled.abort();
    expect(await Promise.all(clauses)).toEqual([800, 0, 800]);
    expect(finished).toEqual(['Interrupted reply.', 'Busy.', 'Next call.']);
  });

  it('fails only the clause the worker could not speak', async () => {
    const finished: string[] = [];
    const failing = speak(finished, 'fail: a voice eSpeak lacks');
    const next = speak(finished, 'A voice it has.');
    await expect(failing).rejects.toThrow('espeak-ng: no voice');
    await expect(next).resolves.toBe(800);
  });
});
