import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import WebSocket from 'ws';
import { silentLogger } from '@codcall/logging';
import { freePort, sampleRuntimeAgent } from '@codcall/test-support';
import { createGatewayApp } from '../bootstrap';
import { loadGatewayConfig } from '../config';
import { mediaStreamTarget } from './media-stream-path';

const CALL_ID = '6f1c2a3b-4d5e-4f60-8a71-9b8c7d6e5f01';

describe('the media-stream path', () => {
  it('names the carrier protocol and, when given, the call', () => {
    expect(mediaStreamTarget('/media-stream/twilio')).toEqual({ carrier: 'twilio', callId: undefined });
    expect(mediaStreamTarget(`/media-stream/plivo/${CALL_ID.toUpperCase()}`)).toEqual({ carrier: 'plivo', callId: CALL_ID });
    expect(mediaStreamTarget(`/media-stream/sim/${CALL_ID}?ignored=1`)).toEqual({ carrier: 'sim', callId: CALL_ID });
    expect(mediaStreamTarget('/media-stream/whatsapp')).toBeUndefined();
    expect(mediaStreamTarget('/media-stream/twilio/not-a-call')).toBeUndefined();
    expect(mediaStreamTarget('/call/x/answer')).toBeUndefined();
  });
});

/**
 * The WebSocket edge with Twilio and Plivo configured: every carrier's socket reaches the
 * orchestrator (which then waits for a valid start), on the old path and on the one naming the
 * call; anything else is refused at the upgrade, before a socket exists.
 */
describe('the gateway\'s media-stream edge', () => {
  let app: INestApplication;
  let ws: string;
  let port: number;
  let dirs: string[];

  beforeAll(async () => {
    port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    ws = base.replace('http', 'ws');
    dirs = [mkdtempSync(join(tmpdir(), 'media-edge-records-')), mkdtempSync(join(tmpdir(), 'media-edge-data-'))];
    const config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: base,
      RECORDS_DIR: dirs[0],
      GATEWAY_DATA_DIR: dirs[1],
      CODCALL_API_KEYS: 'media-edge-spec-key-0123456789',
      SIMULATOR_ENABLED: 'true',
      TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32),
      TWILIO_AUTH_TOKEN: 'twilio-token-for-the-media-edge',
      TWILIO_PHONE_NUMBER: '+15550001111',
      PLIVO_AUTH_ID: 'MA' + 'A'.repeat(18),
      PLIVO_AUTH_TOKEN: 'plivo-token-for-the-media-edge',
      PLIVO_PHONE_NUMBER: '+15550002222',
    });
    app = await createGatewayApp(config, {
      logger: silentLogger(),
      agents: { getRuntimeConfig: async () => sampleRuntimeAgent() },
      media: { startTimeoutMs: 150, idleTimeoutMs: 60_000 },
    });
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  /** Opens a socket and resolves with how the gateway closed it. */
  const openAndWait = (path: string) =>
    new Promise<{ opened: boolean; code: number; reason: string }>((resolve, reject) => {
      const socket = new WebSocket(`${ws}${path}`);
      let opened = false;
      socket.once('open', () => (opened = true));
      socket.once('close', (code, reason) => resolve({ opened, code, reason: reason.toString() }));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    });

  it.each(['/media-stream/twilio', `/media-stream/twilio/${CALL_ID}`, '/media-stream/plivo', `/media-stream/plivo/${CALL_ID}`, `/media-stream/sim/${CALL_ID}`])(
    'takes a %s socket to the orchestrator, which waits for its start',
    async (path) => {
      expect(await openAndWait(path)).toEqual({ opened: true, code: 1008, reason: 'no valid start within 150 ms' });
    },
  );

  it.each(['/media-stream/whatsapp', '/media-stream/twilio/not-a-call', '/somewhere-else'])('refuses an upgrade to %s with 404 before any socket', async (path) => {
    await expect(openAndWait(path)).rejects.toThrow('HTTP 404');
  });

  it('answers 400 to a request on the media path that is no WebSocket handshake', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/media-stream/twilio', headers: { connection: 'upgrade', upgrade: 'websocket' } }, (response) => resolve(response.statusCode));
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(400);
  });

  it('closes a socket that sends a binary frame with 1003, and one whose message is over 64 KB with 1009', async () => {
    const closeAfter = (payload: string | Buffer) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${ws}/media-stream/twilio/${CALL_ID}`);
        socket.once('open', () => socket.send(payload));
        socket.once('close', (code) => resolve(code));
      });
    expect(await closeAfter(Buffer.from([1, 2, 3]))).toBe(1003);
    expect(await closeAfter('x'.repeat(65 * 1024))).toBe(1009);
  });
});
