import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { silentLogger } from '@codcall/logging';
import { SpeechSideChannel } from '@codcall/media';
import { FakePlivoServer } from '@codcall/test-support';
import { CallTransferError } from '../twilio/twilio-carrier';
import { buildPlivoDialXml, buildPlivoStreamXml, parsePlivoDialXml } from './answer-xml';
import { PlivoCarrier } from './plivo-carrier';
import { verifyPlivoSignature } from './signature';

const AUTH_ID = 'MAZDQ1ZTEYMGFKNZBJMM';
const AUTH_TOKEN = 'plivo-auth-token-for-transfer-tests';
const CALL_ID = '7d0c2b1a-5e8f-4a3b-9c6d-1e2f3a4b5c6d';
const CALLEE = '+15551234567';
const HUMAN = '+919876543210';

describe('Plivo transfer document', () => {
  it('dials the number from our caller id, both as Plivo writes numbers, and reads back', () => {
    const { contentType, body } = buildPlivoDialXml('+91 98765 43210', '+15005550006');
    expect(contentType).toBe('application/xml');
    expect(body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="15005550006"><Number>919876543210</Number></Dial></Response>');
    expect(parsePlivoDialXml(body)).toEqual({ numbers: ['919876543210'], callerId: '15005550006' });
  });

  it('refuses what is not a phone number, so no markup can reach the document', () => {
    expect(() => buildPlivoDialXml('+91</Number><Hangup/>', '+15005550006')).toThrow(/E\.164/);
    expect(() => buildPlivoDialXml('', '+15005550006')).toThrow(/E\.164/);
  });
});

/**
 * A stand-in gateway, as the real one will be: the answer webhook opens the stream (and tells the
 * carrier which live call the dial became, as the orchestrator does), the transfer URL serves the
 * carrier's transfer document to a signed request, and the stream socket records what it hears.
 */
async function standInGateway(carrier: () => PlivoCarrier) {
  const webhooks: { path: string; signed: boolean; params: Record<string, string> }[] = [];
  const streamEvents: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const signed = verifyPlivoSignature(AUTH_TOKEN, { method: req.method ?? 'POST', url: `${base}${req.url}`, headers: req.headers, params });
      webhooks.push({ path: req.url ?? '', signed, params });
      if (req.url === '/answer') {
        carrier().webhookCallIds(params);
        const { contentType, body: xml } = buildPlivoStreamXml({ streamUrl: `${base.replace('http', 'ws')}/stream`, parameters: { call_id: CALL_ID } });
        return void res.writeHead(200, { 'content-type': contentType }).end(xml);
      }
      if (req.url === '/transfer') {
        const document = signed ? carrier().transferDocument(params['CallUUID']) : undefined;
        if (!document) return void res.writeHead(404).end();
        return void res.writeHead(200, { 'content-type': document.contentType }).end(document.body);
      }
      res.writeHead(204).end();
    });
  });
  const sockets = new WebSocketServer({ server, path: '/stream' });
  sockets.on('connection', (socket) => {
    socket.on('message', (data) => streamEvents.push(String((JSON.parse(data.toString()) as { event?: string }).event)));
    socket.on('close', () => streamEvents.push('(closed)'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    webhooks,
    streamEvents,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('PlivoCarrier, handing a live call to a person through the Transfer Call API', () => {
  let fake: FakePlivoServer;
  let plivoCarrier: PlivoCarrier;
  let gateway: Awaited<ReturnType<typeof standInGateway>>;

  beforeEach(async () => {
    fake = await new FakePlivoServer({
      authId: AUTH_ID,
      authToken: AUTH_TOKEN,
      speak: async () => Buffer.alloc(800, 0x7f),
      sideChannel: new SpeechSideChannel(),
      timing: { ringMs: 20, thinkMs: 10, agentTurnGapMs: 100 },
    }).start();
    plivoCarrier = new PlivoCarrier({ authId: AUTH_ID, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl: fake.baseUrl, logger: silentLogger() });
    gateway = await standInGateway(() => plivoCarrier);
  });

  afterEach(async () => {
    await fake.close();
    await gateway.close();
  });

  const place = (transferUrl: string | null = `${gateway.base}/transfer`) =>
    plivoCarrier.placeCall({
      callId: CALL_ID,
      to: CALLEE,
      answerUrl: `${gateway.base}/answer`,
      statusCallbackUrl: `${gateway.base}/status`,
      ...(transferUrl ? { transferUrl } : {}),
      ringTimeoutSeconds: 30,
      machineDetection: false,
    });

  it('asks Plivo to move the live call to the transfer URL; Plivo fetches the Dial there, signed, and the stream ends without a hangup from us', async () => {
    const { carrierCallId } = await place();
    await until(() => gateway.streamEvents.includes('start'));
    const callUuid = gateway.webhooks.find((webhook) => webhook.path === '/answer')?.params['CallUUID'];
    expect(callUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(callUuid).not.toBe(carrierCallId);

    // The gateway holds the dial's id; the carrier finds the live call from it.
    await plivoCarrier.transfer(carrierCallId, HUMAN);

    const request = fake.requests.find((r) => r.method === 'POST' && r.path === `/v1/Account/${AUTH_ID}/Call/${callUuid}/`);
    expect(request).toMatchObject({ status: 202, contentType: 'application/json', body: { legs: 'aleg', aleg_url: `${gateway.base}/transfer`, aleg_method: 'POST' } });
    // The number travels only in the document, never in a URL.
    expect(JSON.stringify(request?.body)).not.toContain('9876543210');
    await until(() => fake.transfers[0]?.fetched !== undefined);
    expect(gateway.webhooks.find((webhook) => webhook.path === '/transfer')).toMatchObject({ signed: true, params: { CallUUID: callUuid, Event: 'Transfer' } });
    expect(fake.transfers).toEqual([
      expect.objectContaining({ callUuid, alegMethod: 'POST', dialled: ['919876543210'], callerId: '15005550006', fetched: expect.objectContaining({ status: 200 }) }),
    ]);
    await until(() => gateway.streamEvents.includes('(closed)'));
    expect(fake.requests.some((r) => r.method === 'DELETE')).toBe(false);
  });

  it('serves the transfer document by either id, and only while a transfer is under way', async () => {
    const { carrierCallId } = await place();
    await until(() => gateway.streamEvents.includes('start'));
    const callUuid = gateway.webhooks.find((webhook) => webhook.path === '/answer')?.params['CallUUID'] ?? '';
    expect(plivoCarrier.transferDocument(carrierCallId)).toBeUndefined();

    await plivoCarrier.transfer(callUuid, HUMAN);

    expect(plivoCarrier.transferDocument(carrierCallId)?.body).toContain('<Number>919876543210</Number>');
    expect(plivoCarrier.transferDocument(callUuid)).toEqual(plivoCarrier.transferDocument(carrierCallId));
    // The hangup callback that ends the transferred call forgets it.
    await until(() => gateway.webhooks.some((webhook) => webhook.path === '/status'));
    plivoCarrier.parseStatusCallback(gateway.webhooks.find((webhook) => webhook.path === '/status')!.params);
    expect(plivoCarrier.transferDocument(carrierCallId)).toBeUndefined();
  });

  it('throws a CallTransferError saying the call is not live, for a call whose line dropped (Plivo: 404) and one this carrier does not hold', async () => {
    const { carrierCallId } = await place();
    await until(() => gateway.streamEvents.includes('start'));
    const callUuid = gateway.webhooks.find((webhook) => webhook.path === '/answer')?.params['CallUUID'] ?? '';
    // The line goes down just before the transfer, and the hangup callback has not reached this carrier yet.
    await new PlivoCarrier({ authId: AUTH_ID, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl: fake.baseUrl, logger: silentLogger() }).hangup(callUuid);

    const hungUp = await plivoCarrier.transfer(carrierCallId, HUMAN).catch((error: unknown) => error);
    expect(hungUp).toBeInstanceOf(CallTransferError);
    expect(hungUp).toMatchObject({ reason: 'not_live', carrierCallId, message: expect.stringContaining('404 call not found') });
    expect((hungUp as Error).message).toContain('+91********10');
    expect(plivoCarrier.transferDocument(carrierCallId)).toBeUndefined();

    const unknown = await plivoCarrier.transfer('00000000-0000-4000-8000-000000000000', HUMAN).catch((error: unknown) => error);
    expect(unknown).toMatchObject({ name: 'CallTransferError', reason: 'not_live', message: expect.stringContaining('holds no call by that id') });
  });

  it('refuses, without asking Plivo, a call placed with no transfer URL or a number that is not one', async () => {
    const { carrierCallId } = await place(null);
    await until(() => gateway.streamEvents.includes('start'));
    const before = fake.requests.length;

    await expect(plivoCarrier.transfer(carrierCallId, HUMAN)).rejects.toMatchObject({ name: 'CallTransferError', reason: 'refused', message: expect.stringContaining('no transfer URL') });
    expect(fake.requests).toHaveLength(before);

    const second = await place();
    await until(() => gateway.streamEvents.filter((event) => event === 'start').length === 2);
    const placed = fake.requests.length;
    await expect(plivoCarrier.transfer(second.carrierCallId, 'reception')).rejects.toMatchObject({ name: 'CallTransferError', reason: 'refused', message: expect.stringContaining('E.164') });
    expect(fake.requests).toHaveLength(placed);
    expect(fake.transfers).toEqual([]);
  });
});

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
