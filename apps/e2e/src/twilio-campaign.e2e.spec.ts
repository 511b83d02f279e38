import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DateTime } from 'luxon';
import { toRuntimeConfig, validateAgentJson } from '@codcall/agent-config';
import { CallListRepository } from '@codcall/call-list';
import { HttpGatewayClient, NO_RETRIES, runCampaign } from '@codcall/campaign';
import { silentLogger } from '@codcall/logging';
import { pcm16ToMulaw, SpeechSideChannel } from '@codcall/media';
import { FakeTwilioServer } from '@codcall/test-support';
import { createGatewayApp } from '../../telephony-gateway/src/app/bootstrap';
import { loadGatewayConfig } from '../../telephony-gateway/src/app/config';
import { freePort, WORKSPACE } from './support/processes';

const ACCOUNT_SID = 'AC' + 'a1'.repeat(16);
const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const tone = (ms: number) => pcm16ToMulaw(Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(5000 * Math.sin(i / 2))));

const seed = validateAgentJson(JSON.parse(readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json'), 'utf8')));
if (!seed.ok) throw new Error('the shipped agent is invalid');
const agent = toRuntimeConfig(seed.agent);

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
      callees: {
        '+15551234567': { answer: 'human', says: ['Yes, please deliver it.'] },
        '+15559876543': { answer: 'human', says: ['No, please cancel it. I ordered it by mistake.'] },
        '+919876543210': { answer: 'human', says: ["I won't be home. Can you deliver it tomorrow at 3 pm?"] },
        '+971501234567': { answer: 'human', says: ['You have the wrong number.'] },
        '+525512345678': { answer: 'no_answer' },
        '+628123456789': { answer: 'busy' },
        '+66812345678': { answer: 'voicemail' },
      },
    }).start();
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    const config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: gatewayUrl,
      RECORDS_DIR: mkdtempSync(join(tmpdir(), 'twilio-e2e-')),
      SIMULATOR_ENABLED: 'false',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: '+15005550006',
      TWILIO_API_BASE_URL: twilio.baseUrl,
    });
    const leavesMessages = { ...agent, voicemail: { action: 'leave_message' as const, message: 'Hello {name}, this is the delivery team about order {order_id}. Please call us back.' } };
    gateway = await createGatewayApp(config, {
      logger: silentLogger(),
      sideChannel,
      agents: { getRuntimeConfig: async (id) => (id === 'cod-voicemail' ? leavesMessages : agent) },
    });
    await gateway.listen(port, '127.0.0.1');
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await twilio?.close();
  }, 30_000);

  it('confirms, cancels, reschedules, spots the wrong person, and maps no-answer, busy and machines', async () => {
    const rows = [
      ['John Doe', '+15551234567', 'A1'],
      ['Jane Smith', '+15559876543', 'A2'],
      ['Priya Sharma', '+919876543210', 'A3'],
      ['Ahmed', '+971501234567', 'A4'],
      ['María', '+525512345678', 'A5'],
      ['Budi', '+628123456789', 'A6'],
      ['สมชาย', '+66812345678', 'A7'],
    ];
    const original = `name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time\r\n${rows.map((r) => `${r.join(',')},,,`).join('\r\n')}\r\n`;
    const csv = join(mkdtempSync(join(tmpdir(), 'twilio-csv-')), 'calls.csv');
    writeFileSync(csv, original);

    const repository = await CallListRepository.open(csv);
    const summary = await runCampaign({ repository, gateway: new HttpGatewayClient(gatewayUrl), agentId: 'cod', carrier: 'twilio', concurrency: 7, callsPerSecond: Infinity, retryPolicy: NO_RETRIES });
    await repository.close();
    expect(summary.byStatus).toMatchObject({ confirmed: 1, cancelled: 1, rescheduled: 1, wrong_person: 1, no_answer: 1, busy: 1, voicemail: 1 });

    const tomorrow = DateTime.now().setZone('Asia/Kolkata').plus({ days: 1 }).toISODate();
    expect(readFileSync(csv, 'utf8')).toBe(
      original
        .replace('A1,,,', 'A1,confirmed,,')
        .replace('A2,,,', 'A2,cancelled,,')
        .replace('A3,,,', `A3,rescheduled,${tomorrow},15:00`)
        .replace('A4,,,', 'A4,wrong_person,,')
        .replace('A5,,,', 'A5,no_answer,,')
        .replace('A6,,,', 'A6,busy,,')
        .replace('A7,,,', 'A7,voicemail,,'),
    );

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
    expect(view.transcript.at(-1)?.text).toContain('about order V1. Please call us back.');
    const create = twilio.requests.filter((r) => r.path.endsWith('/Calls.json')).at(-1);
    expect(create?.params['MachineDetection']).toBe('DetectMessageEnd');
  }, 60_000);

  it('records failed, with Twilio\'s reason, when Twilio refuses the credentials', async () => {
    const strict = await new FakeTwilioServer({ accountSid: ACCOUNT_SID, authToken: 'a-different-token', speak: async () => tone(100), sideChannel: new SpeechSideChannel() }).start();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: url,
      RECORDS_DIR: mkdtempSync(join(tmpdir(), 'twilio-401-')),
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: '+15005550006',
      TWILIO_API_BASE_URL: strict.baseUrl,
    });
    const app = await createGatewayApp(config, { logger: silentLogger(), agents: { getRuntimeConfig: async () => agent } });
    await app.listen(port, '127.0.0.1');
    try {
      const placed = await fetch(`${url}/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'twilio', context: { name: 'A', order_id: 'B1' } }),
      }).then((r) => r.json() as Promise<{ call_id: string }>);
      const view = await fetch(`${url}/call/${placed.call_id}?wait=5`).then((r) => r.json() as Promise<{ outcome: { status: string; reason: string } }>);
      expect(view.outcome.status).toBe('failed');
      expect(view.outcome.reason).toMatch(/Twilio refused the call: 401 Authenticate/);
      expect(JSON.stringify(view)).not.toContain(AUTH_TOKEN);
    } finally {
      await app.close();
      await strict.close();
    }
  }, 30_000);
});
