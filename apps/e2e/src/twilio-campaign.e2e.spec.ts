import type { INestApplication } from '@nestjs/common';
import { pcm16ToMulaw, SpeechSideChannel } from '@codcall/media';
import { FakeTwilioServer } from '@codcall/test-support';
import { runScriptedCampaign, scriptedCallees } from './support/carrier-campaign';
import { shippedAgent, shippedAgentWithTaskConfig, startGateway } from './support/gateway';

const ACCOUNT_SID = 'AC' + 'a1'.repeat(16);
const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const tone = (ms: number) => pcm16ToMulaw(Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(5000 * Math.sin(i / 2))));

const agent = shippedAgent;

/**
 * The default carrier, end to end: the gateway places every call through the official Twilio
 * SDK against a fake Twilio that behaves like the real one on the wire (REST Calls API, webhooks
 * signed with the account's auth token, Media Streams with scripted callees, async AMD).
 */
describe('a COD campaign through Twilio', () => {
  let twilio: FakeTwilioServer;
  let gateway: INestApplication;
  let gatewayUrl: string;

  beforeAll(async () => {
    const sideChannel = new SpeechSideChannel();
    twilio = await new FakeTwilioServer({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      speak: async () => tone(600),
      sideChannel,
      timing: { ringMs: 100, thinkMs: 50, agentTurnGapMs: 300 },
      callees: scriptedCallees(),
    }).start();
    const leavesMessages = shippedAgentWithTaskConfig({ voicemail: true, voicemail_message: 'Hello {name}, this is the delivery team about order {order_id}. Please call us back.' });
    ({ app: gateway, url: gatewayUrl } = await startGateway(
      { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_PHONE_NUMBER: '+15005550006', TWILIO_API_BASE_URL: twilio.baseUrl },
      { sideChannel, agents: { getRuntimeConfig: async (id) => (id === 'cod-voicemail' ? leavesMessages : agent) } },
    ));
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await twilio?.close();
  }, 30_000);

  it('confirms, cancels, reschedules, spots the wrong person, and maps no-answer, busy and machines', async () => {
    const { summary, written, expected } = await runScriptedCampaign({ gatewayUrl, carrier: 'twilio', prefix: 'A' });
    expect(summary.byStatus).toMatchObject({ confirmed: 1, cancelled: 1, rescheduled: 1, wrong_person: 1, no_answer: 1, busy: 1, voicemail: 1 });
    expect(written).toBe(expected);

    // What the SDK sent Twilio: our public URLs, every status event, async AMD, our caller id.
    const creates = twilio.requests.filter((r) => r.path.endsWith('/Calls.json'));
    expect(creates).toHaveLength(7);
    expect(creates[0].params).toMatchObject({
      From: '+15005550006',
      Url: expect.stringMatching(new RegExp(`^${gatewayUrl}/call/[0-9a-f-]{36}/answer$`)),
      StatusCallback: expect.stringMatching(/\/status$/),
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      MachineDetection: 'Enable',
      AsyncAmd: 'true',
      Timeout: '30',
    });
    // Answered calls were hung up through the API once their conversation ended.
    const hangups = twilio.requests.filter((r) => /\/Calls\/CA[0-9a-f]{32}\.json$/.test(r.path));
    expect(hangups.length).toBeGreaterThanOrEqual(5);
    expect(hangups.every((r) => r.params['Status'] === 'completed')).toBe(true);
  }, 120_000);

  it('leaves a message after the beep when the agent asks for it', async () => {
    const placed = await fetch(`${gatewayUrl}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: 'cod-voicemail', recipient_phone_number: '+66812345678', carrier: 'twilio', context: { name: 'Somchai', order_id: 'V1' } }),
    }).then((r) => r.json() as Promise<{ call_id: string }>);
    const view = await fetch(`${gatewayUrl}/call/${placed.call_id}?wait=45`).then(
      (r) => r.json() as Promise<{ outcome: { status: string; reason: string }; transcript: { speaker: string; text: string }[] }>,
    );
    expect(view.outcome).toEqual({ status: 'voicemail', reason: 'message left after the beep' });
    expect(view.transcript.at(-1)?.text).toContain('about order V, 1. Please call us back.');
    const create = twilio.requests.filter((r) => r.path.endsWith('/Calls.json')).at(-1);
    expect(create?.params['MachineDetection']).toBe('DetectMessageEnd');
  }, 60_000);

  it('records failed, with Twilio\'s reason, when Twilio refuses the credentials', async () => {
    const strict = await new FakeTwilioServer({ accountSid: ACCOUNT_SID, authToken: 'a-different-token', speak: async () => tone(100), sideChannel: new SpeechSideChannel() }).start();
    const { app, url } = await startGateway({
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: '+15005550006',
      TWILIO_API_BASE_URL: strict.baseUrl,
    });
    try {
      const placed = await fetch(`${url}/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'twilio', context: { name: 'A', order_id: 'B1' } }),
      }).then((r) => r.json() as Promise<{ call_id: string }>);
      const view = await fetch(`${url}/call/${placed.call_id}?wait=5`).then((r) => r.json() as Promise<{ outcome: { status: string; reason: string } }>);
      expect(view.outcome.status).toBe('failed');
      expect(view.outcome.reason).toMatch(/Twilio refused the call: 401 \(20003\) Authenticate/);
      expect(JSON.stringify(view)).not.toContain(AUTH_TOKEN);
    } finally {
      await app.close();
      await strict.close();
    }
  }, 30_000);
});
