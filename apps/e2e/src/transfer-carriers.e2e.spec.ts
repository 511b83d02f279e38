import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { CallListRepository } from '@codcall/call-list';
import { HttpGatewayClient, NO_RETRIES, runCampaign, type CampaignSummary } from '@codcall/campaign';
import type { CallViewBody } from '@codcall/gateway-api';
import { pcm16ToMulaw, SpeechSideChannel } from '@codcall/media';
import { signPlivoRequest, signTwilioRequest, type CalleeBook, type CarrierName } from '@codcall/telephony-providers';
import { FakePlivoServer, FakeTwilioServer } from '@codcall/test-support';
import { startGateway } from './support/gateway';

const TRANSFER_NUMBER = '+919800000000';
const CALLER_ID = '+15005550006';
const LEE = '+15553334444';
const tone = (ms: number) => pcm16ToMulaw(Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(5000 * Math.sin(i / 2))));
/** Says who they are first, then asks for a person: the agent announces the transfer and the carrier moves the line. */
const ASKS_FOR_A_PERSON: CalleeBook = { [LEE]: { answer: 'human', says: ['Yes, speaking.', 'Can I talk to a real person, please?'] } };
const fakeTiming = { ringMs: 100, thinkMs: 50, agentTurnGapMs: 300 };

const HEADER = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time\r\n';

/** A one-row CSV campaign through the gateway on `carrier`; the CSV as it was written back. */
async function campaignOfLee(gatewayUrl: string, carrier: CarrierName): Promise<{ summary: CampaignSummary; written: string }> {
  const dir = mkdtempSync(join(tmpdir(), `transfer-${carrier}-`));
  try {
    const csv = join(dir, 'calls.csv');
    writeFileSync(csv, `${HEADER}Lee Wong,${LEE},T1,,,\r\n`);
    const repository = await CallListRepository.open(csv);
    const summary = await runCampaign({ repository, gateway: new HttpGatewayClient(gatewayUrl), agentId: 'cod', carrier, concurrency: 1, callsPerSecond: Infinity, retryPolicy: NO_RETRIES });
    await repository.close();
    return { summary, written: readFileSync(csv, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const viewOf = (gatewayUrl: string, callId: string) => fetch(`${gatewayUrl}/call/${callId}`).then((r) => r.json() as Promise<CallViewBody>);
const callIdIn = (url: string) => /\/call\/([0-9a-f-]{36})\//.exec(url)?.[1] ?? '';

/**
 * A callee who asks for a person, end to end through the real gateway and each carrier's fake: the
 * offline agent hears the request, says its transfer message, and the carrier moves the live line
 * to TRANSFER_NUMBER (Plivo by fetching the gateway's Dial from the call's transfer URL, Twilio by
 * new TwiML). The gateway never hangs up, and the row ends `transferred`.
 */
describe('a callee who asks for a person, through Plivo', () => {
  const AUTH_ID = 'MAODU3ZTHKNDE5YJMXNT';
  const AUTH_TOKEN = 'plivo-auth-token-for-transfer-e2e';
  let plivo: FakePlivoServer;
  let gateway: INestApplication;
  let gatewayUrl: string;

  beforeAll(async () => {
    const sideChannel = new SpeechSideChannel();
    plivo = await new FakePlivoServer({ authId: AUTH_ID, authToken: AUTH_TOKEN, speak: async () => tone(600), sideChannel, timing: fakeTiming, callees: ASKS_FOR_A_PERSON }).start();
    ({ app: gateway, url: gatewayUrl } = await startGateway(
      { PLIVO_AUTH_ID: AUTH_ID, PLIVO_AUTH_TOKEN: AUTH_TOKEN, PLIVO_PHONE_NUMBER: CALLER_ID, PLIVO_API_BASE_URL: plivo.baseUrl, TRANSFER_NUMBER },
      { sideChannel },
    ));
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await plivo?.close();
  }, 30_000);

  /** A POST to the gateway signed as Plivo signs its fetches, with `token`. */
  const signedPost = (url: string, params: Record<string, string>, token = AUTH_TOKEN) => {
    const nonce = '27182818284';
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-plivo-signature-v3': signPlivoRequest(token, 'POST', url, nonce, params), 'x-plivo-signature-v3-nonce': nonce },
      body: new URLSearchParams(params),
    });
  };

  it('moves the line to TRANSFER_NUMBER through the Transfer Call API, never hangs up, and the row ends transferred', async () => {
    const { summary, written } = await campaignOfLee(gatewayUrl, 'plivo');
    expect(summary.byStatus).toMatchObject({ transferred: 1 });
    expect(written).toBe(`${HEADER}Lee Wong,${LEE},T1,transferred,,\r\n`);

    // Plivo was asked to move the live call to the call's transfer URL, fetched our Dial there (signed), and dialled the number.
    const [transfer] = plivo.transfers;
    expect(plivo.transfers).toHaveLength(1);
    const callId = callIdIn(transfer.alegUrl);
    expect(transfer.alegUrl).toBe(`${gatewayUrl}/call/${callId}/transfer`);
    expect(transfer.fetched).toMatchObject({ status: 200 });
    expect(transfer.dialled).toEqual(['919800000000']);
    expect(transfer.callerId).toBe('15005550006');
    expect(plivo.requests.filter((r) => r.method === 'DELETE')).toEqual([]);

    const view = await viewOf(gatewayUrl, callId);
    expect(view.outcome?.status).toBe('transferred');
    const events = view.timeline.map((entry) => entry.event);
    expect(events).toEqual(expect.arrayContaining(['transfer requested', 'transfer document served', 'transferred']));
    expect(events).not.toContain('hangup requested');
    expect(JSON.stringify(view)).not.toContain('9800000000');

    // The transfer URL gives its Dial once: a forged or unsigned fetch is 403, a signed replay 409, and none carries the number.
    const params = { CallUUID: transfer.callUuid, CallStatus: 'in-progress', Event: 'Transfer' };
    const forged = await signedPost(transfer.alegUrl, params, 'not-the-auth-token');
    const unsigned = await fetch(transfer.alegUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
    const replayed = await signedPost(transfer.alegUrl, params);
    expect([forged.status, unsigned.status, replayed.status]).toEqual([403, 403, 409]);
    for (const answer of [forged, unsigned, replayed]) expect(await answer.text()).not.toContain('9800000000');
  }, 120_000);
});

describe('a callee who asks for a person, through Twilio', () => {
  const ACCOUNT_SID = 'AC' + 'b2'.repeat(16);
  const AUTH_TOKEN = 'twilio-auth-token-for-transfer-e2e';
  let twilio: FakeTwilioServer;
  let gateway: INestApplication;
  let gatewayUrl: string;

  beforeAll(async () => {
    const sideChannel = new SpeechSideChannel();
    twilio = await new FakeTwilioServer({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, speak: async () => tone(600), sideChannel, timing: fakeTiming, callees: ASKS_FOR_A_PERSON }).start();
    ({ app: gateway, url: gatewayUrl } = await startGateway(
      { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_PHONE_NUMBER: CALLER_ID, TWILIO_API_BASE_URL: twilio.baseUrl, TRANSFER_NUMBER },
      { sideChannel },
    ));
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await twilio?.close();
  }, 30_000);

  it('moves the line to TRANSFER_NUMBER with new TwiML, never hangs up, and the row ends transferred', async () => {
    const { summary, written } = await campaignOfLee(gatewayUrl, 'twilio');
    expect(summary.byStatus).toMatchObject({ transferred: 1 });
    expect(written).toBe(`${HEADER}Lee Wong,${LEE},T1,transferred,,\r\n`);

    const [transfer] = twilio.transfers;
    expect(twilio.transfers).toHaveLength(1);
    expect(transfer.dialled).toBe(TRANSFER_NUMBER);
    // No request of ours ended the call: the only update of it was the transfer's TwiML.
    const updates = twilio.requests.filter((r) => r.path.endsWith(`/Calls/${transfer.sid}.json`));
    expect(updates.map((r) => r.params['Status'])).not.toContain('completed');

    const create = twilio.requests.find((r) => r.path.endsWith('/Calls.json'));
    const callId = callIdIn(String(create?.params['Url']));
    const view = await viewOf(gatewayUrl, callId);
    expect(view.outcome?.status).toBe('transferred');
    const events = view.timeline.map((entry) => entry.event);
    expect(events).toEqual(expect.arrayContaining(['transfer requested', 'transferred']));
    expect(events).not.toContain('hangup requested');
    // Twilio takes its TwiML inline: the transfer URL has nothing to give even a signed fetch.
    const url = `${gatewayUrl}/call/${callId}/transfer`;
    const params = { CallSid: transfer.sid, AccountSid: ACCOUNT_SID };
    const signed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(AUTH_TOKEN, url, params) },
      body: new URLSearchParams(params),
    });
    expect(signed.status).toBe(409);
  }, 120_000);
});
