import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { CallRecord } from '@codcall/call-orchestration';
import { SpeechSideChannel } from '@codcall/media';
import {
  embeddedSpeech,
  FakeDeepgramServer,
  FakeElevenLabsServer,
  FakeOpenAIServer,
  FakeTwilioServer,
  type FakeChatReply,
  type RecordedChatRequest,
} from '@codcall/test-support';
import { runScriptedCampaign, scriptedCallees } from './support/carrier-campaign';
import { startGateway } from './support/gateway';

const ACCOUNT_SID = 'AC' + 'b2'.repeat(16);
const KEYS = {
  twilio: 'twilio-auth-token-for-tests',
  deepgram: 'dg-key-for-tests-0123456789',
  openai: 'sk-key-for-tests-0123456789',
  elevenlabs: 'xi-key-for-tests-0123456789',
};


/**
 * The test's stand-in for the model's judgement: a fixed script that reads the callee's last
 * words and answers with the tool a model would call. It is a script, not an AI; what it proves
 * is the wire: what our adapter sent OpenAI and what it made of OpenAI's streamed answer.
 */
function scriptedModel(request: RecordedChatRequest): FakeChatReply {
  const messages = request.body['messages'] as { role: string; content?: string }[];
  // An outcome takes one round trip: a request without tools would be the second one the product no longer makes.
  if (!request.body['tools']) return 'A second model request.';
  const said = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  if (/wrong number/i.test(said)) return { toolCalls: [{ name: 'wrong_person', arguments: {} }] };
  // A model that writes its goodbye beside the tool call: those words are the goodbye.
  if (/cancel/i.test(said)) return { text: 'No problem, it is cancelled. Goodbye!', toolCalls: [{ name: 'cancel_order', arguments: { reason: 'ordered by mistake' } }] };
  if (/tomorrow at 3/i.test(said)) return { toolCalls: [{ name: 'reschedule_delivery', arguments: { date: 'tomorrow', time: '3 pm' } }] };
  if (/deliver it/i.test(said)) return { toolCalls: [{ name: 'confirm_order', arguments: {} }] };
  return 'Sorry, could you say that again?';
}

/**
 * A call heard by Deepgram, thought by OpenAI and spoken by ElevenLabs, each through its official
 * SDK against a local fake that speaks the vendor's wire protocol, placed through Twilio's SDK
 * against a fake Twilio. The callees' words travel only as audio: the fake Deepgram finds them
 * in the bytes the gateway forwards.
 */
describe('a COD campaign with real speech and language adapters', () => {
  let twilio: FakeTwilioServer;
  let deepgram: FakeDeepgramServer;
  let openai: FakeOpenAIServer;
  let elevenlabs: FakeElevenLabsServer;
  let gateway: INestApplication;
  let gatewayUrl: string;
  let recordsDir: string;

  beforeAll(async () => {
    twilio = await new FakeTwilioServer({
      accountSid: ACCOUNT_SID,
      authToken: KEYS.twilio,
      speak: async (text) => embeddedSpeech(text),
      // Nobody listens to it: the callees' words reach the gateway as audio only.
      sideChannel: new SpeechSideChannel(),
      timing: { ringMs: 100, thinkMs: 100, agentTurnGapMs: 300 },
      // The four callees who talk.
      callees: scriptedCallees(4),
    }).start();
    deepgram = await new FakeDeepgramServer({ apiKey: KEYS.deepgram, recognise: { finalDelayMs: 50 } }).start();
    openai = await new FakeOpenAIServer({ apiKey: KEYS.openai, reply: scriptedModel, firstTokenDelayMs: 60 }).start();
    elevenlabs = await new FakeElevenLabsServer({ apiKey: KEYS.elevenlabs, firstByteDelayMs: 40, msPerCharacter: 20 }).start();

    // The shipped agent as it is: Deepgram nova-3, OpenAI gpt-4o-mini, ElevenLabs flash, Twilio.
    ({ app: gateway, url: gatewayUrl, recordsDir } = await startGateway({
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: KEYS.twilio,
      TWILIO_PHONE_NUMBER: '+15005550006',
      TWILIO_API_BASE_URL: twilio.baseUrl,
      DEEPGRAM_API_KEY: KEYS.deepgram,
      DEEPGRAM_BASE_URL: deepgram.url,
      OPENAI_API_KEY: KEYS.openai,
      OPENAI_BASE_URL: openai.url,
      ELEVENLABS_API_KEY: KEYS.elevenlabs,
      ELEVENLABS_BASE_URL: elevenlabs.baseUrl,
    }));
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([twilio?.close(), deepgram?.close(), openai?.close(), elevenlabs?.close()]);
  }, 30_000);

  it('hears each callee, decides with tool calls, speaks, and writes every outcome back', async () => {
    const { summary, written, expected } = await runScriptedCampaign({ gatewayUrl, carrier: 'twilio', prefix: 'B', only: 4 });
    expect(summary.byStatus).toEqual({ confirmed: 1, cancelled: 1, rescheduled: 1, wrong_person: 1 });
    expect(written).toBe(expected);

    // Deepgram: one live socket per answered call, asking for what the agent names.
    expect(deepgram.connections).toHaveLength(4);
    for (const connection of deepgram.connections) {
      expect(connection.authorization).toBe(`Token ${KEYS.deepgram}`);
      expect(connection.query).toMatchObject({ model: 'nova-3', language: 'en', encoding: 'mulaw', sample_rate: '8000', endpointing: '300', interim_results: 'true' });
    }

    // OpenAI: one request per call (the outcome turn's goodbye needs no second one), each with the
    // row's own details and the callee's words as Deepgram heard them.
    const turns = openai.requests.filter((request) => request.body['tools']);
    expect(turns).toHaveLength(4);
    expect(openai.requests).toHaveLength(4);
    const priya = turns.find((request) => JSON.stringify(request.body['messages']).includes('B3'))!;
    expect(priya.apiKey).toBe(KEYS.openai);
    expect(priya.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 150, stream: true });
    const messages = priya.body['messages'] as { role: string; content: string }[];
    expect(messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('name: Priya Sharma') });
    expect(messages[1]).toEqual({ role: 'assistant', content: expect.stringContaining('Hello Priya Sharma') });
    expect(messages[2]).toEqual({ role: 'user', content: "I won't be home. Can you deliver it tomorrow at 3 pm?" });
    expect((priya.body['tools'] as { function: { name: string } }[]).map((tool) => tool.function.name)).toEqual(
      expect.arrayContaining(['confirm_order', 'cancel_order', 'reschedule_delivery', 'wrong_person']),
    );

    // ElevenLabs: the greeting, the model's own goodbye (clause by clause) and the agent's configured
    // goodbyes for tool-only outcomes, in the agent's voice and model, as mu-law 8 kHz.
    const spoken = elevenlabs.requests.map((request) => String(request.body['text']));
    expect(spoken).toEqual(expect.arrayContaining([expect.stringContaining('Hello Priya Sharma'), 'No problem, it is cancelled.', 'Goodbye!', 'Your order is confirmed.']));
    for (const request of elevenlabs.requests) {
      expect(request).toMatchObject({ voiceId: '21m00Tcm4TlvDq8ikWAM', apiKey: KEYS.elevenlabs, query: { output_format: 'ulaw_8000' }, body: { model_id: 'eleven_flash_v2_5' } });
    }

    // Every call's record names the real providers and measured each turn.
    const records = readdirSync(recordsDir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(join(recordsDir, file), 'utf8')) as CallRecord);
    expect(records).toHaveLength(4);
    for (const record of records) {
      expect(record.providers).toEqual({ transcriber: 'deepgram:nova-3', languageModel: 'openai:gpt-4o-mini', synthesizer: 'elevenlabs:eleven_flash_v2_5' });
      expect(record.transcript.filter((line) => line.speaker === 'callee')).toHaveLength(1);
    }
    expect(JSON.stringify(records)).not.toMatch(new RegExp(Object.values(KEYS).join('|')));
  }, 120_000);
});
