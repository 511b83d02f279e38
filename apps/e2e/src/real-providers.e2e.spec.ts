import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DateTime } from 'luxon';
import { CallListRepository } from '@codcall/call-list';
import type { CallRecord } from '@codcall/call-orchestration';
import { HttpGatewayClient, NO_RETRIES, runCampaign, type CampaignSummary } from '@codcall/campaign';
import { languagePack } from '@codcall/languages';
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
import type { CalleeBook } from '@codcall/telephony-providers';
import { shippedAgent, startGateway } from './support/gateway';

const ACCOUNT_SID = 'AC' + 'b2'.repeat(16);
const KEYS = {
  twilio: 'twilio-auth-token-for-tests',
  deepgram: 'dg-key-for-tests-0123456789',
  openai: 'sk-key-for-tests-0123456789',
  elevenlabs: 'xi-key-for-tests-0123456789',
};

/** One CSV row and its callee: who they are, what they say (one line per agent turn), how the row must end. */
interface Callee {
  name: string;
  phone: string;
  orderId: string;
  /** The row's `language` cell; absent: the agent's default (English). */
  language?: string;
  says: string[];
  status: string;
}

/** The agent's welcome asks who is speaking: each callee answers that first, then the order question. */
const ENGLISH: Callee[] = [
  { name: 'John Doe', phone: '+15551234567', orderId: 'B1', says: ['Yes, speaking.', 'Yes, please deliver it.'], status: 'confirmed' },
  { name: 'Jane Smith', phone: '+15559876543', orderId: 'B2', says: ['Yes, this is Jane.', 'No, please cancel it. I ordered it by mistake.'], status: 'cancelled' },
  { name: 'Priya Sharma', phone: '+919876543210', orderId: 'B3', says: ['Yes, speaking.', "I won't be home. Can you deliver it tomorrow at 3 pm?"], status: 'rescheduled' },
  { name: 'Ahmed', phone: '+971501234567', orderId: 'B4', says: ['You have the wrong number.'], status: 'wrong_person' },
];

/** A Hindi row (by its code) and an Arabic one (by its name): each call is held in the row's language. */
const MULTILINGUAL: Callee[] = [
  { name: 'अनीता शर्मा', phone: '+919812345670', orderId: 'M1', language: 'hi', says: ['हाँ जी, बोल रही हूँ।', 'हाँ, ऑर्डर भेज दीजिए।'], status: 'confirmed' },
  { name: 'فاطمة الزهراء', phone: '+971509876543', orderId: 'M2', language: 'Arabic', says: ['نعم، أنا فاطمة.', 'لا، ألغِ الطلب من فضلك.'], status: 'cancelled' },
];
const ORDER_IDS = [...ENGLISH, ...MULTILINGUAL].map((callee) => callee.orderId);

/**
 * The test's stand-in for the model's judgement: a fixed script that reads the callee's last
 * words and answers as a model would, in the call's language. It is a script, not an AI; what it
 * proves is the wire: what our adapter sent OpenAI and what it made of OpenAI's streamed answer.
 * After the callee says who they are, it asks about the order by its id, as the prompt asks.
 */
function scriptedModel(request: RecordedChatRequest): FakeChatReply {
  const messages = request.body['messages'] as { role: string; content?: string }[];
  // An outcome takes one round trip: a request without tools would be a second one the product no longer makes.
  if (!request.body['tools']) return 'A second model request.';
  const said = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const orderId = ORDER_IDS.find((id) => new RegExp(`\\b${id}\\b`).test(messages[0]?.content ?? '')) ?? '';
  if (/wrong number/i.test(said)) return { toolCalls: [{ name: 'wrong_person', arguments: {} }] };
  // A model that writes its goodbye beside the tool call: those words are the goodbye.
  if (/cancel/i.test(said)) return { text: 'No problem, it is cancelled. Goodbye!', toolCalls: [{ name: 'cancel_order', arguments: { reason: 'ordered by mistake' } }] };
  if (/tomorrow at 3/i.test(said)) return { toolCalls: [{ name: 'reschedule_delivery', arguments: { date: 'tomorrow', time: '3 pm' } }] };
  if (/deliver it/i.test(said)) return { toolCalls: [{ name: 'confirm_order', arguments: {} }] };
  if (/speaking|this is/i.test(said)) return `Thank you. Shall I confirm order ${orderId} for delivery?`;
  if (/भेज दीजिए/.test(said)) return { toolCalls: [{ name: 'confirm_order', arguments: {} }] };
  if (/बोल रही/.test(said)) return `धन्यवाद। क्या मैं आपका ऑर्डर ${orderId} डिलीवरी के लिए कन्फ़र्म कर दूँ?`;
  if (/ألغ/.test(said)) return { text: 'حسناً، تم إلغاء طلبك. مع السلامة.', toolCalls: [{ name: 'cancel_order', arguments: { reason: 'لم تعد تريده' } }] };
  if (/أنا/.test(said)) return `شكراً. هل أؤكد طلبك ${orderId} للتوصيل؟`;
  return 'Sorry, could you say that again?';
}

/**
 * Calls heard by Deepgram, thought by OpenAI and spoken by ElevenLabs, each through its official
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
  const csvDir = mkdtempSync(join(tmpdir(), 'real-providers-csv-'));

  beforeAll(async () => {
    const callees: CalleeBook = Object.fromEntries([...ENGLISH, ...MULTILINGUAL].map((callee) => [callee.phone, { answer: 'human', says: callee.says }]));
    twilio = await new FakeTwilioServer({
      accountSid: ACCOUNT_SID,
      authToken: KEYS.twilio,
      speak: async (text) => embeddedSpeech(text),
      // Nobody listens to it: the callees' words reach the gateway as audio only.
      sideChannel: new SpeechSideChannel(),
      timing: { ringMs: 100, thinkMs: 100, agentTurnGapMs: 300 },
      callees,
    }).start();
    deepgram = await new FakeDeepgramServer({ apiKey: KEYS.deepgram, recognise: { finalDelayMs: 50 } }).start();
    openai = await new FakeOpenAIServer({ apiKey: KEYS.openai, reply: scriptedModel, firstTokenDelayMs: 60 }).start();
    elevenlabs = await new FakeElevenLabsServer({ apiKey: KEYS.elevenlabs, firstByteDelayMs: 40, msPerCharacter: 20 }).start();

    // The shipped agent as it is: Deepgram nova-3, OpenAI gpt-4o-mini, ElevenLabs flash, Twilio, English by default.
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
    rmSync(csvDir, { recursive: true, force: true });
  }, 30_000);

  /** Runs a campaign over `header` and one row per callee (their cells from `cells`), one dial each; the CSV as written. */
  async function campaignOver(file: string, header: string, callees: Callee[], cells: (callee: Callee) => string): Promise<{ summary: CampaignSummary; written: string }> {
    const csv = join(csvDir, file);
    writeFileSync(csv, `${header}\r\n` + callees.map((callee) => `${cells(callee)}\r\n`).join(''));
    const repository = await CallListRepository.open(csv);
    const summary = await runCampaign({
      repository,
      gateway: new HttpGatewayClient(gatewayUrl),
      agentId: 'cod',
      carrier: 'twilio',
      concurrency: callees.length,
      callsPerSecond: Infinity,
      retryPolicy: NO_RETRIES,
    });
    await repository.close();
    return { summary, written: readFileSync(csv, 'utf8') };
  }

  function callRecords(callees: Callee[]): CallRecord[] {
    const orders = new Set(callees.map((callee) => callee.orderId));
    return readdirSync(recordsDir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(join(recordsDir, file), 'utf8')) as CallRecord)
      .filter((record) => orders.has(record.context['order_id'] ?? ''));
  }

  const toolNames = (request: RecordedChatRequest) => ((request.body['tools'] ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);
  const callOf = (request: RecordedChatRequest, orderId: string) => new RegExp(`\\b${orderId}\\b`).test(JSON.stringify(request.body['messages']));

  it('hears each callee, asks about the order once they said who they are, decides with tool calls, speaks, and writes every outcome back', async () => {
    const header = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time';
    const { summary, written } = await campaignOver('english.csv', header, ENGLISH, (c) => `${c.name},${c.phone},${c.orderId},,,`);
    expect(summary.byStatus).toEqual({ confirmed: 1, cancelled: 1, rescheduled: 1, wrong_person: 1 });
    const tomorrow = DateTime.now().setZone('Asia/Kolkata').plus({ days: 1 }).toISODate();
    expect(written).toBe(
      `${header}\r\n` +
        ENGLISH.map((c) => `${c.name},${c.phone},${c.orderId},${c.status},${c.status === 'rescheduled' ? `${tomorrow},15:00` : ','}\r\n`).join(''),
    );

    // Deepgram: one live socket per answered call, asking for what the agent names.
    expect(deepgram.connections).toHaveLength(4);
    for (const connection of deepgram.connections) {
      expect(connection.authorization).toBe(`Token ${KEYS.deepgram}`);
      expect(connection.query).toMatchObject({ model: 'nova-3', language: 'en', encoding: 'mulaw', sample_rate: '8000', endpointing: '300', interim_results: 'true' });
    }

    // OpenAI: one request per callee turn (an outcome turn's goodbye needs no second one), each with
    // the row's own details and the callee's words as Deepgram heard them.
    const turns = openai.requests.filter((request) => request.body['tools']);
    expect(openai.requests).toHaveLength(ENGLISH.reduce((sum, callee) => sum + callee.says.length, 0));
    expect(turns).toHaveLength(openai.requests.length);
    const priya = turns.filter((request) => callOf(request, 'B3'));
    expect(priya).toHaveLength(2);
    expect(priya[1].apiKey).toBe(KEYS.openai);
    expect(priya[1].body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 150, stream: true });
    const messages = priya[1].body['messages'] as { role: string; content: string }[];
    expect(messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('name: Priya Sharma') });
    expect(messages.slice(1)).toEqual([
      { role: 'assistant', content: expect.stringContaining('Priya Sharma') },
      { role: 'user', content: 'Yes, speaking.' },
      { role: 'assistant', content: 'Thank you. Shall I confirm order B3 for delivery?' },
      { role: 'user', content: "I won't be home. Can you deliver it tomorrow at 3 pm?" },
    ]);
    // "Yes, speaking" answers who is on the line, never the order: the order's outcomes are offered only after the order question.
    expect(toolNames(priya[0])).not.toContain('confirm_order');
    expect(toolNames(priya[1])).toEqual(expect.arrayContaining(['confirm_order', 'cancel_order', 'reschedule_delivery', 'wrong_person']));

    // ElevenLabs: the greeting, the model's own words and goodbye (clause by clause) and the agent's
    // configured goodbye for a tool-only outcome, in the agent's voice, model and language, as mu-law 8 kHz.
    const spoken = elevenlabs.requests.map((request) => String(request.body['text']));
    expect(spoken).toEqual(expect.arrayContaining([expect.stringContaining('Priya Sharma'), 'No problem, it is cancelled.', 'Goodbye!']));
    expect(spoken.join(' ')).toContain(shippedAgent.goodbyeMessages.confirmed.split(/(?<=[.!?])\s/)[0]);
    for (const request of elevenlabs.requests) {
      expect(request).toMatchObject({ voiceId: '21m00Tcm4TlvDq8ikWAM', apiKey: KEYS.elevenlabs, query: { output_format: 'ulaw_8000' }, body: { model_id: 'eleven_flash_v2_5', language_code: 'en' } });
    }

    // Every call's record names the real providers and holds the callee's words as they said them.
    const records = callRecords(ENGLISH);
    expect(records).toHaveLength(4);
    for (const record of records) {
      expect(record.providers).toEqual({ transcriber: 'deepgram:nova-3', languageModel: 'openai:gpt-4o-mini', synthesizer: 'elevenlabs:eleven_flash_v2_5' });
      const callee = ENGLISH.find((c) => c.orderId === record.context['order_id'])!;
      expect(record.transcript.filter((line) => line.speaker === 'callee').map((line) => line.text)).toEqual(callee.says);
    }
    expect(JSON.stringify(records)).not.toMatch(new RegExp(Object.values(KEYS).join('|')));
  }, 120_000);

  it("holds a Hindi and an Arabic row in their own language: Deepgram's model and language, ElevenLabs' voice and language_code, the prompt's instruction", async () => {
    const [deepgramFrom, openaiFrom, elevenlabsFrom] = [deepgram.connections.length, openai.requests.length, elevenlabs.requests.length];
    const header = 'name,recipient_phone_number,order_id,language,status,reschedule_date,reschedule_time';
    const { summary, written } = await campaignOver('multilingual.csv', header, MULTILINGUAL, (c) => `${c.name},${c.phone},${c.orderId},${c.language},,,`);
    expect(summary.byStatus).toEqual({ confirmed: 1, cancelled: 1 });
    expect(written).toBe(`${header}\r\n` + MULTILINGUAL.map((c) => `${c.name},${c.phone},${c.orderId},${c.language},${c.status},,\r\n`).join(''));

    const hindi = languagePack('hi');
    const arabic = languagePack('ar');

    // Deepgram: the Hindi call on Hindi nova-3, the Arabic one on nova-3 multilingual with its Arabic hint.
    const sockets = deepgram.connections.slice(deepgramFrom);
    expect(sockets).toHaveLength(2);
    const socketFor = (language: string) => sockets.find((socket) => socket.query['language'] === language);
    expect(hindi.deepgram.language).not.toBe(arabic.deepgram.language);
    expect(socketFor(hindi.deepgram.language)?.query).toMatchObject({ model: hindi.deepgram.model, encoding: 'mulaw', sample_rate: '8000' });
    expect(socketFor(hindi.deepgram.language)?.queryValues['language_hint']).toEqual(hindi.deepgram.languageHints);
    expect(socketFor(arabic.deepgram.language)?.query).toMatchObject({ model: arabic.deepgram.model, encoding: 'mulaw', sample_rate: '8000' });
    expect(socketFor(arabic.deepgram.language)?.queryValues['language_hint']).toEqual(arabic.deepgram.languageHints);

    // ElevenLabs: not one English word; each call in its pack's voice and model, with language_code enforcing it.
    const speech = elevenlabs.requests.slice(elevenlabsFrom);
    const spokenIn = (code: string) => speech.filter((request) => request.body['language_code'] === code);
    expect(spokenIn('hi').length + spokenIn('ar').length).toBe(speech.length);
    for (const [pack, callee] of [
      [hindi, MULTILINGUAL[0]],
      [arabic, MULTILINGUAL[1]],
    ] as const) {
      const requests = spokenIn(pack.elevenlabs.languageCode);
      expect(requests.length).toBeGreaterThan(0);
      for (const request of requests) expect(request).toMatchObject({ voiceId: pack.elevenlabs.voiceId, body: { model_id: pack.elevenlabs.model } });
      // The welcome, the pack's own text, greets the callee by name.
      expect(requests.map((request) => String(request.body['text'])).join(' ')).toContain(callee.name);
    }
    expect(spokenIn('ar').map((request) => String(request.body['text']))).toEqual(expect.arrayContaining(['حسناً، تم إلغاء طلبك.']));

    // OpenAI: every turn's prompt carries the call's language instruction; the callee's words arrive as they said them.
    const chats = openai.requests.slice(openaiFrom);
    expect(chats).toHaveLength(4);
    for (const [pack, callee] of [
      [hindi, MULTILINGUAL[0]],
      [arabic, MULTILINGUAL[1]],
    ] as const) {
      const turns = chats.filter((request) => callOf(request, callee.orderId));
      expect(turns).toHaveLength(2);
      for (const turn of turns) expect((turn.body['messages'] as { role: string; content: string }[])[0].content).toContain(pack.promptInstruction);
      const users = (turns[1].body['messages'] as { role: string; content: string }[]).filter((message) => message.role === 'user').map((message) => message.content);
      expect(users).toEqual(callee.says);
    }

    const records = callRecords(MULTILINGUAL);
    expect(records.map((record) => record.outcome?.status).sort()).toEqual(['cancelled', 'confirmed']);
    for (const record of records) {
      const callee = MULTILINGUAL.find((c) => c.orderId === record.context['order_id'])!;
      expect(record.transcript.filter((line) => line.speaker === 'callee').map((line) => line.text)).toEqual(callee.says);
    }
  }, 120_000);
});
