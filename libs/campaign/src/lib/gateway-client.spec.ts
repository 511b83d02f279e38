import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, unusedUrl } from '@codcall/test-support';
import { ApiKeyRefusedError, GatewayCapacityError, GatewayRequestError, ServiceUnreachableError } from './errors';
import { HttpGatewayClient, type PlaceCallRequest } from './gateway-client';

const CALL: PlaceCallRequest = { agentId: 'a1', to: '+15551234567', context: { order_id: 'ORD001' }, carrier: 'sim' };

describe('HttpGatewayClient', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)))));
  });

  function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<string> {
    return new Promise((resolve) => {
      const server = createServer(handler).listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      servers.push(server);
    });
  }

  describe('placeCall never dials twice', () => {
    it('does not re-send a POST /call that reached the gateway and got no answer in time', async () => {
      let received = 0;
      const url = await serve(() => void received++); // never answers
      const client = new HttpGatewayClient(url, { requestTimeoutMs: 200, connectRetryDelaysMs: [10, 10] });

      const error = await client.placeCall(CALL).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ServiceUnreachableError);
      expect(error).toMatchObject({ requestMayHaveArrived: true, url });
      expect((error as Error).message).toBe(`telephony gateway is unreachable at ${url} (no answer within 0.2 s)`);
      expect(received).toBe(1);
    });

    it('does not re-send when the connection drops after the request was sent', async () => {
      let received = 0;
      const url = await serve((req) => {
        received++;
        req.socket.destroy();
      });
      const error = await new HttpGatewayClient(url, { connectRetryDelaysMs: [10, 10] }).placeCall(CALL).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ServiceUnreachableError', requestMayHaveArrived: true });
      expect(received).toBe(1);
    });

    it('re-sends when the connection was refused, so nothing reached the gateway', async () => {
      const url = await unusedUrl();
      const port = Number(new URL(url).port);
      let received = 0;
      setTimeout(() => {
        void serve((_req, res) => {
          received++;
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ call_id: 'c-1', state: 'queued' }));
        }, port);
      }, 100);

      const placed = await new HttpGatewayClient(url, { connectRetryDelaysMs: [150, 300, 600] }).placeCall(CALL);

      expect(placed).toEqual({ callId: 'c-1', state: 'queued' });
      expect(received).toBe(1);
    });

    it('gives up after the last retry with the URL and "connection refused"', async () => {
      const url = await unusedUrl();
      const error = await new HttpGatewayClient(url, { connectRetryDelaysMs: [5, 5] }).placeCall(CALL).catch((e: unknown) => e);
      expect((error as Error).message).toBe(`telephony gateway is unreachable at ${url} (connection refused)`);
      expect(error).toMatchObject({ requestMayHaveArrived: false });
    });
  });

  it("turns the gateway's validation messages into a GatewayRequestError", async () => {
    const url = await serve((_req, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 400, message: ['recipient_phone_number must be E.164', 'carrier must be one of twilio, plivo, sim'] })),
    );
    const error = await new HttpGatewayClient(url).placeCall(CALL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayRequestError);
    expect(error).toMatchObject({ status: 400, reason: 'recipient_phone_number must be E.164; carrier must be one of twilio, plivo, sim' });
  });

  it('reports the carriers the gateway can use', async () => {
    const gateway = await new FakeGateway({ carriers: ['sim', 'twilio'] }).start();
    try {
      await expect(new HttpGatewayClient(gateway.url + '/').health()).resolves.toEqual({ status: 'ok', carriers: ['sim', 'twilio'], idempotencyKeys: false });
    } finally {
      await gateway.stop();
    }
  });

  it('sends the attempt reference as Idempotency-Key, so a gateway that honours it answers a re-sent dial with the same call', async () => {
    const gateway = await new FakeGateway({ idempotencyKeys: true, script: () => ({ hold: true }) }).start();
    try {
      const client = new HttpGatewayClient(gateway.url);
      expect((await client.health()).idempotencyKeys).toBe(true);
      const request = { agentId: 'a', to: '+919876543210', context: {}, carrier: 'sim' as const, idempotencyKey: 'attempt-1' };
      const first = await client.placeCall(request);
      const again = await client.placeCall(request);
      expect(again.callId).toBe(first.callId);
      expect(gateway.placedCalls()).toHaveLength(1);
      await client.placeCall({ ...request, idempotencyKey: 'attempt-2' });
      expect(gateway.placedCalls()).toHaveLength(2);
    } finally {
      await gateway.stop();
    }
  });

  describe('the API key', () => {
    it('goes with every request as a bearer token', async () => {
      const seen: (string | undefined)[] = [];
      const url = await serve((req, res) => {
        seen.push(req.headers.authorization);
        const body = req.url === '/health' ? { status: 'ok', carriers: ['sim'] } : req.method === 'POST' ? { call_id: 'c-1', state: 'queued' } : { call_id: 'c-1', state: 'in_progress' };
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      const client = new HttpGatewayClient(url, { apiKey: 'k-0123456789abcdef' });
      await client.health();
      await client.placeCall(CALL);
      await client.waitForCall('c-1', 0);
      expect(seen).toEqual(['Bearer k-0123456789abcdef', 'Bearer k-0123456789abcdef', 'Bearer k-0123456789abcdef']);
    });

    it('refused (401) or missing is a typed error that says what to set', async () => {
      const gateway = await new FakeGateway({ apiKey: 'the-right-key-0123' }).start();
      try {
        const wrong = await new HttpGatewayClient(gateway.url, { apiKey: 'a-wrong-key-01234' }).placeCall(CALL).catch((e: unknown) => e);
        expect(wrong).toBeInstanceOf(ApiKeyRefusedError);
        expect((wrong as Error).message).toBe(`the gateway at ${gateway.url} refused the API key: set CODCALL_API_KEY to one of the gateway's CODCALL_API_KEYS`);
        const none = await new HttpGatewayClient(gateway.url).waitForCall('c-1', 0).catch((e: unknown) => e);
        expect((none as Error).message).toBe(`the gateway at ${gateway.url} requires an API key: set CODCALL_API_KEY to one of the gateway's CODCALL_API_KEYS`);
        expect(gateway.received).toEqual([]);
      } finally {
        await gateway.stop();
      }
    });
  });

  describe('503', () => {
    it('with Retry-After is the gateway at capacity: how long to wait, and nothing dialled', async () => {
      const gateway = await new FakeGateway({ atCapacity: { dials: 1, retryAfterSeconds: 7 } }).start();
      try {
        const error = await new HttpGatewayClient(gateway.url).placeCall(CALL).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GatewayCapacityError);
        expect(error).toMatchObject({ status: 503, retryAfterSeconds: 7, reason: 'gateway at capacity: 0 calls in progress' });
        expect(gateway.placedCalls()).toEqual([]);
      } finally {
        await gateway.stop();
      }
    });

    it('with a Retry-After date counts the seconds to it; without Retry-After it is an ordinary 503', async () => {
      let retryAfter: string | undefined = new Date(Date.now() + 30_000).toUTCString();
      const url = await serve((_req, res) =>
        res.writeHead(503, { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) }).end(JSON.stringify({ statusCode: 503, message: 'busy' })),
      );
      const dated = await new HttpGatewayClient(url).placeCall(CALL).catch((e: unknown) => e);
      expect((dated as GatewayCapacityError).retryAfterSeconds).toBeGreaterThanOrEqual(28);
      expect((dated as GatewayCapacityError).retryAfterSeconds).toBeLessThanOrEqual(30);
      retryAfter = undefined;
      const plain = await new HttpGatewayClient(url).placeCall(CALL).catch((e: unknown) => e);
      expect(plain).toBeInstanceOf(GatewayRequestError);
      expect(plain).not.toBeInstanceOf(GatewayCapacityError);
    });
  });

  it('reads the limits a dial must fit from /health', async () => {
    const gateway = await new FakeGateway({ limits: { max_body_bytes: 65536, max_context_value_chars: 2000, max_context_columns: 100 } }).start();
    try {
      await expect(new HttpGatewayClient(gateway.url).health()).resolves.toMatchObject({ limits: { maxBodyBytes: 65536, maxContextValueChars: 2000, maxContextColumns: 100 } });
    } finally {
      await gateway.stop();
    }
  });

  it('maps the long-poll answer, outcome included', async () => {
    const url = await serve((req, res) => {
      expect(req.url).toBe('/call/c-1?wait=60');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ call_id: 'c-1', state: 'completed', carrier: 'sim', outcome: { status: 'rescheduled', reschedule_date: '2031-01-02', reschedule_time: '15:00' }, duration_seconds: 31, carrier_status: 'completed',
          transcript: [{ speaker: 'agent', text: 'Hello', atMs: 0 }], timeline: [{ atMs: 0, event: 'answered' }],
          tool_calls: [{ name: 'reschedule_delivery', arguments: { date: '2031-01-02' }, atMs: 900, result: 'ok' }], turn_latencies_ms: [640, 720] }),
      );
    });
    await expect(new HttpGatewayClient(url).waitForCall('c-1', 120)).resolves.toEqual({
      callId: 'c-1',
      state: 'completed',
      durationSeconds: 31,
      carrierStatus: 'completed',
      outcome: { status: 'rescheduled', reschedule_date: '2031-01-02', reschedule_time: '15:00' },
      transcript: [{ speaker: 'agent', text: 'Hello', atMs: 0 }],
      timeline: [{ atMs: 0, event: 'answered' }],
      toolCalls: [{ name: 'reschedule_delivery', arguments: { date: '2031-01-02' }, atMs: 900, result: 'ok' }],
      turnLatenciesMs: [640, 720],
    });
  });

  it("keeps each turn's legs and the call's TTS characters, dropping turns it cannot trust instead of failing the outcome", async () => {
    const text = { kind: 'text', callee_speech_ended_at_ms: 1000, stt_final_at_ms: 1100, llm_request_at_ms: 1101, llm_first_token_at_ms: 1350, tts_request_at_ms: 1352, tts_first_byte_at_ms: 1500, first_frame_sent_at_ms: 1502, latency_ms: 502 };
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          call_id: 'c-1', state: 'completed', carrier: 'sim', outcome: { status: 'confirmed' }, turn_latencies_ms: [502, 352], tts_characters: 212,
          turns: [
            text,
            { kind: 'barge_in', speech_started_at_ms: 2000, cleared_at_ms: 2002, latency_ms: 2, resolution: 'resumed' },
            // The outcome turn's goodbye was prepared: no TTS legs; a leg that is not a time is left out.
            { kind: 'outcome', callee_speech_ended_at_ms: 3000, stt_final_at_ms: 'soon', first_frame_sent_at_ms: 3352, latency_ms: 352 },
            { kind: 'text', callee_speech_ended_at_ms: 4000, latency_ms: 10 }, // no first frame: dropped
            { kind: 'barge_in', speech_started_at_ms: 5000, cleared_at_ms: 5001, latency_ms: 1, resolution: 'ignored' },
            { kind: 'greeting', latency_ms: 3 },
            'not a turn',
            null,
          ],
        }),
      );
    });
    const view = await new HttpGatewayClient(url).waitForCall('c-1', 0);
    expect(view.outcome).toEqual({ status: 'confirmed' });
    expect(view.ttsCharacters).toBe(212);
    expect(view.turnLatenciesMs).toEqual([502, 352]);
    expect(view.turns).toEqual([
      { kind: 'text', calleeSpeechEndedAtMs: 1000, sttFinalAtMs: 1100, llmRequestAtMs: 1101, llmFirstTokenAtMs: 1350, ttsRequestAtMs: 1352, ttsFirstByteAtMs: 1500, firstFrameSentAtMs: 1502, latencyMs: 502 },
      { kind: 'barge_in', speechStartedAtMs: 2000, clearedAtMs: 2002, latencyMs: 2, resolution: 'resumed' },
      { kind: 'outcome', calleeSpeechEndedAtMs: 3000, firstFrameSentAtMs: 3352, latencyMs: 352 },
    ]);
  });

  it("reads a callback's time and an address correction from the outcome", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ call_id: 'c-1', state: 'completed', outcome: { status: 'callback_requested', callback_at: '2026-12-01T18:00+05:30', address_update: 'Flat 4B, MG Road', reason: 'driving' } }),
      );
    });
    const view = await new HttpGatewayClient(url).waitForCall('c-1', 0);
    expect(view.outcome).toEqual({ status: 'callback_requested', callback_at: '2026-12-01T18:00+05:30', address_update: 'Flat 4B, MG Road', reason: 'driving' });
  });

  it('reads a view from a gateway older than turn timings and TTS counts: neither is there, nothing fails', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ call_id: 'c-1', state: 'completed', outcome: { status: 'busy' }, turn_latencies_ms: [], turns: { not: 'a list' }, tts_characters: -4 }));
    });
    const view = await new HttpGatewayClient(url).waitForCall('c-1', 0);
    expect(view).toEqual({ callId: 'c-1', state: 'completed', outcome: { status: 'busy' }, turnLatenciesMs: [] });
  });

  it.each([
    [{ call_id: 'c-1', state: 'completed' }, 'the call completed without an outcome'],
    [{ call_id: 'c-1', state: 'completed', outcome: { status: 'maybe' } }, 'unknown outcome status "maybe"'],
    [{ call_id: 'c-1', state: 'dialling' }, 'unknown call state "dialling"'],
    [{ call_id: 'c-1', state: 'completed', outcome: { status: 'callback_requested', callback_at: 'after 6' } }, 'callback_at "after 6" is not an ISO 8601 time with its offset'],
    [{ call_id: 'c-1', state: 'completed', outcome: { status: 'callback_requested', callback_at: '2026-12-01T18:00' } }, 'callback_at "2026-12-01T18:00" is not an ISO 8601 time with its offset'],
  ])('refuses a call view it cannot trust: %j', async (body, reason) => {
    const url = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
    await expect(new HttpGatewayClient(url).waitForCall('c-1', 1)).rejects.toMatchObject({ name: 'GatewayRequestError', reason });
  });
});
