/**
 * The speech and language vendors for the scale benchmark, in a process of their own so the
 * gateway's CPU is measured alone and the load generator's is not mixed with theirs: Deepgram,
 * OpenAI and ElevenLabs fakes (libs/test-support) with the provider delays of issue 10. Prints
 * one JSON line with their base URLs on stdout once listening; ends when its stdin closes (the
 * benchmark died or is done) or on SIGTERM.
 *
 *   node -r @swc-node/register bench/scale/vendor-fakes.ts   (started by call-scale.bench.ts)
 */
// Straight from their files: the test-support index would also load the carriers' fakes.
import { FakeDeepgramServer } from '../../libs/test-support/src/lib/fakes/deepgram-fake-server';
import { FakeElevenLabsServer } from '../../libs/test-support/src/lib/fakes/elevenlabs-fake-server';
import { FakeOpenAIServer, type FakeChatReply, type RecordedChatRequest } from '../../libs/test-support/src/lib/fakes/openai-fake-server';
import { AGENT_LINES, CALLEE_LINES, MS_PER_CHARACTER, PROVIDER_DELAYS, VENDOR_KEY } from './call-script';

export interface VendorFakeUrls {
  deepgram: string;
  openai: string;
  elevenlabs: string;
  pid: number;
}

/** The scripted model: the benchmark callee's lines decide the kind of answer (see call-script). */
export function scriptedReply(request: RecordedChatRequest): FakeChatReply {
  const messages = request.body['messages'] as { role: string; content?: string | null }[];
  const last = messages.at(-1);
  // Today's second round trip after an outcome tool: the goodbye the model writes.
  if (last?.role === 'tool') return AGENT_LINES.goodbyeAfterTool;
  const said = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  if (said.includes(CALLEE_LINES.confirmWithWords)) {
    return { text: AGENT_LINES.goodbyeWithTool, toolCalls: [{ name: 'confirm_order', arguments: {} }] };
  }
  if (said.includes(CALLEE_LINES.confirm)) return { toolCalls: [{ name: 'confirm_order', arguments: {} }] };
  if (said.includes(CALLEE_LINES.askMore)) return AGENT_LINES.longAnswer;
  return AGENT_LINES.answer;
}

async function main(): Promise<void> {
  const deepgram = await new FakeDeepgramServer({ apiKey: VENDOR_KEY, recognise: { interimEveryMs: 100 } }).start();
  const openai = await new FakeOpenAIServer({ apiKey: VENDOR_KEY, firstTokenDelayMs: PROVIDER_DELAYS.llmFirstTokenMs, reply: scriptedReply }).start();
  const elevenlabs = await new FakeElevenLabsServer({ apiKey: VENDOR_KEY, firstByteDelayMs: PROVIDER_DELAYS.ttsFirstByteMs, msPerCharacter: MS_PER_CHARACTER }).start();
  const urls: VendorFakeUrls = { deepgram: deepgram.url, openai: openai.url, elevenlabs: elevenlabs.baseUrl, pid: process.pid };
  process.stdout.write(`${JSON.stringify(urls)}\n`);
  const stop = () => {
    void Promise.allSettled([deepgram.close(), openai.close(), elevenlabs.close()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
