import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '@codcall/logging';
import type { SpeechSideChannel } from '@codcall/media';
import {
  decodeExtraHeaders,
  DEFAULT_CALLEE,
  parsePlivoDialXml,
  parsePlivoStreamXml,
  signPlivoRequest,
  SimulatedCall,
  type CalleeBook,
  type CalleeCallWire,
  type CalleeStreamWire,
  type CalleeWire,
  type CallProgress,
  type CarrierWebhook,
  type GatewayAudioCommand,
  type PlaceCallRequest,
  type SimulatorTiming,
} from '@codcall/telephony-providers';

export interface FakePlivoOptions {
  authId: string;
  authToken: string;
  /** Scripted callees by E.164 number; others confirm. */
  callees?: CalleeBook;
  /** The callees' voice. */
  speak: (text: string) => Promise<Buffer>;
  /** Where the callees' words are published for an in-process offline transcriber. */
  sideChannel: SpeechSideChannel;
  timing?: SimulatorTiming;
  logger?: Logger;
}

export interface FakePlivoRequest {
  method: string;
  path: string;
  contentType?: string;
  body: Record<string, unknown>;
  /** What the fake answered. */
  status?: number;
}

/** A transfer Plivo carried out: the URL it fetched new XML from, and what that XML dialled. */
export interface FakePlivoTransfer {
  callUuid: string;
  alegUrl: string;
  alegMethod: 'GET' | 'POST';
  /** The answer to the signed fetch of `alegUrl`, or the network error that stopped it. */
  fetched?: { status: number; body: string } | { error: string };
  /** The numbers in the document's `<Dial>`, as Plivo writes them (no '+'). */
  dialled: string[];
  callerId?: string;
}

type Reply = (status: number, body?: Record<string, unknown>) => void;

interface FakePlivoCall {
  requestUuid: string;
  callUuid: string;
  call: SimulatedCall;
  /** As Plivo writes numbers: country code without '+'. */
  from: string;
  to: string;
}

/**
 * Plivo, as far as our gateway can tell: the REST Call API (Basic auth, JSON bodies, a request id
 * per new call and another id for the live call), then, for each call, webhooks signed with
 * X-Plivo-Signature-V3, the answer XML fetched by POST, and a bidirectional audio stream driven
 * by the same scripted callees as the fake Twilio. Every REST request is recorded for assertions.
 */
export class FakePlivoServer {
  readonly requests: FakePlivoRequest[] = [];
  readonly transfers: FakePlivoTransfer[] = [];
  private readonly calls = new Map<string, FakePlivoCall>();
  private server?: Server;

  constructor(private readonly options: FakePlivoOptions) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.calls.values()].map(({ call }) => call.end('fake Plivo closing')));
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => resolve(body));
    });
    const parsed = new URL(req.url ?? '/', 'http://x');
    const path = parsed.pathname;
    const record: FakePlivoRequest = { method: req.method ?? '', path, contentType: req.headers['content-type'], body: {} };
    this.requests.push(record);
    const reply: Reply = (status, answer) => {
      record.status = status;
      if (answer === undefined) return void res.writeHead(status).end();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ api_id: randomUUID(), ...answer }));
    };
    try {
      if (text) record.body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return reply(400, { error: 'request body is not valid JSON' });
    }

    const expected = `Basic ${Buffer.from(`${this.options.authId}:${this.options.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return reply(401, { error: 'Authentication credentials invalid' });

    const account = `/v1/Account/${this.options.authId}`;
    if (req.method === 'POST' && path === `${account}/Call/`) return this.create(reply, record.body);
    const call = new RegExp(`^${account}/Call/([0-9a-f-]{36})/$`).exec(path);
    if (req.method === 'DELETE' && call) return this.hangupCall(reply, call[1]);
    if (req.method === 'POST' && call) return this.transfer(reply, call[1], record.body);
    if (req.method === 'GET' && call) return this.lookUp(reply, call[1], parsed.searchParams.get('status'));
    const request = new RegExp(`^${account}/Request/([0-9a-f-]{36})/$`).exec(path);
    if (req.method === 'DELETE' && request) return this.cancelRequest(reply, request[1]);
    reply(404, { error: 'not found' });
  }

  private create(reply: Reply, body: Record<string, unknown>): void {
    const text = (key: string) => (typeof body[key] === 'string' || typeof body[key] === 'number' ? String(body[key]) : undefined);
    const to = text('to');
    const from = text('from');
    const answerUrl = text('answer_url');
    if (!to || !from || !answerUrl) return reply(400, { error: 'from, to and answer_url are required' });
    const requestUuid = randomUUID();
    const callUuid = randomUUID();
    const request: PlaceCallRequest = {
      callId: callUuid,
      to: `+${to.replace(/^\+/, '')}`,
      from: `+${from.replace(/^\+/, '')}`,
      answerUrl,
      statusCallbackUrl: text('hangup_url') ?? answerUrl,
      machineDetectionUrl: text('machine_detection_url'),
      ringTimeoutSeconds: Number(text('ring_timeout') ?? 120),
      machineDetection: text('machine_detection') === 'true' || text('machine_detection') === 'hangup',
      // Plivo tells a machine apart, not the end of its greeting.
      machineDetectionMode: 'start',
    };
    const call = new SimulatedCall(
      callUuid,
      request,
      this.options.callees?.[request.to] ?? DEFAULT_CALLEE,
      {
        speak: this.options.speak,
        sideChannel: this.options.sideChannel,
        webhookSecret: this.options.authToken,
        logger: this.options.logger ?? silentLogger(),
        timing: this.options.timing,
        wire: new PlivoCalleeWire(this.options.authId, this.options.authToken, requestUuid),
      },
      () => this.calls.delete(requestUuid),
    );
    this.calls.set(requestUuid, { requestUuid, callUuid, call, from: from.replace(/^\+/, ''), to: to.replace(/^\+/, '') });
    call.begin();
    reply(201, { message: 'call fired', request_uuid: requestUuid });
  }

  /**
   * `GET Call/{id}/?status=live` answers for an answered call by its CallUUID, `?status=queued`
   * for one not yet answered by its request id; anything else, or a call over, is not found.
   */
  private lookUp(reply: Reply, id: string, status: string | null): void {
    const entries = [...this.calls.values()];
    if (status === 'live') {
      const live = entries.find((entry) => entry.callUuid === id && entry.call.progress === 'in-progress');
      if (!live) return reply(404, { error: 'call not found' });
      return reply(200, { call_status: 'in-progress', call_uuid: live.callUuid, request_uuid: live.requestUuid, direction: 'outbound', from: live.from, to: live.to, caller_name: '', session_start: new Date().toISOString() });
    }
    if (status === 'queued') {
      const queued = entries.find((entry) => entry.requestUuid === id && (entry.call.progress === 'initiated' || entry.call.progress === 'ringing'));
      if (!queued) return reply(404, { error: 'call not found' });
      return reply(200, { call_status: 'queued', call_uuid: queued.requestUuid, request_uuid: queued.requestUuid, direction: 'outbound', from: queued.from, to: queued.to, caller_name: '' });
    }
    reply(404, { error: 'call not found' });
  }

  /** A live call is hung up by its CallUUID; a request id, or a call already over, is not found. */
  private hangupCall(reply: Reply, callUuid: string): void {
    const live = [...this.calls.values()].find((entry) => entry.callUuid === callUuid && entry.call.answered);
    if (!live) return reply(404, { error: 'call not found' });
    void live.call.end('hung up through the API');
    reply(204);
  }

  /**
   * The Transfer Call API: a live call (by its CallUUID) fetches new XML from `aleg_url` and runs
   * it, leaving its `<Stream>`. Plivo acknowledges with 202 before it fetches; the fetch is signed
   * like every Plivo webhook. The fake plays no dialled party: once the document is in, the
   * callee's stream closes and the call completes (as it does at once for XML that dials nobody,
   * or a fetch that fails). Only `legs=aleg` is served: our calls have no bridged leg.
   */
  private transfer(reply: Reply, callUuid: string, body: Record<string, unknown>): void {
    const live = [...this.calls.values()].find((entry) => entry.callUuid === callUuid && entry.call.progress === 'in-progress');
    if (!live) return reply(404, { error: 'call not found' });
    const legs = body['legs'] ?? 'aleg';
    if (legs !== 'aleg') return reply(400, { error: `legs must be aleg for a call with no bridged leg, not ${String(legs)}` });
    const alegUrl = typeof body['aleg_url'] === 'string' ? body['aleg_url'] : '';
    if (!/^https?:\/\//.test(alegUrl)) return reply(400, { error: 'aleg_url must be specified when legs is aleg' });
    const alegMethod = body['aleg_method'] === 'GET' ? 'GET' : 'POST';
    reply(202, { message: 'call transferred' });
    const transfer: FakePlivoTransfer = { callUuid, alegUrl, alegMethod, dialled: [] };
    this.transfers.push(transfer);
    void this.fetchTransferXml(live, transfer).finally(() => live.call.end('transferred: the call left its stream for the new XML'));
  }

  private async fetchTransferXml(live: FakePlivoCall, transfer: FakePlivoTransfer): Promise<void> {
    const params: Record<string, string> = {
      CallUUID: live.callUuid,
      RequestUUID: live.requestUuid,
      From: live.from,
      To: live.to,
      Direction: 'outbound',
      CallStatus: 'in-progress',
      Event: 'Transfer',
    };
    const nonce = String(randomInt(10 ** 9, 10 ** 10));
    const url = transfer.alegMethod === 'GET' ? `${transfer.alegUrl}${transfer.alegUrl.includes('?') ? '&' : '?'}${new URLSearchParams(params)}` : transfer.alegUrl;
    const headers = { 'x-plivo-signature-v3': signPlivoRequest(this.options.authToken, transfer.alegMethod, url, nonce, transfer.alegMethod === 'POST' ? params : {}), 'x-plivo-signature-v3-nonce': nonce };
    try {
      const response = await fetch(url, {
        method: transfer.alegMethod,
        headers: transfer.alegMethod === 'POST' ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
        ...(transfer.alegMethod === 'POST' ? { body: new URLSearchParams(params).toString() } : {}),
        signal: AbortSignal.timeout(5000),
      });
      const text = await response.text();
      transfer.fetched = { status: response.status, body: text };
      const dial = response.ok ? parsePlivoDialXml(text) : null;
      if (dial) {
        transfer.dialled = dial.numbers;
        if (dial.callerId !== undefined) transfer.callerId = dial.callerId;
      }
    } catch (error) {
      transfer.fetched = { error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** A call still ringing is cancelled by its request id; once answered, the request is gone. */
  private cancelRequest(reply: Reply, requestUuid: string): void {
    const ringing = this.calls.get(requestUuid);
    if (!ringing || ringing.call.answered) return reply(404, { error: 'request not found' });
    void ringing.call.end('cancelled through the API');
    reply(204);
  }
}

const HANGUP_CAUSES: Partial<Record<CallProgress, { cause: string; name: string; code: string }>> = {
  completed: { cause: 'NORMAL_CLEARING', name: 'Normal Hangup', code: '4000' },
  busy: { cause: 'USER_BUSY', name: 'Busy Line', code: '3010' },
  'no-answer': { cause: 'NO_ANSWER', name: 'No Answer', code: '3000' },
  failed: { cause: 'CALL_REJECTED', name: 'Rejected', code: '3020' },
};

/** Plivo's side of a scripted call: V3-signed form webhooks and its audio-stream messages. */
export class PlivoCalleeWire implements CalleeWire {
  constructor(
    private readonly authId: string,
    private readonly authToken: string,
    private readonly requestUuid: string,
  ) {}

  forCall({ carrierCallId: callUuid, request }: { carrierCallId: string; request: PlaceCallRequest }): CalleeCallWire {
    const post = (url: string, params: Record<string, string>): CarrierWebhook => {
      const nonce = String(randomInt(10 ** 9, 10 ** 10));
      return { url, params, headers: { 'x-plivo-signature-v3': signPlivoRequest(this.authToken, 'POST', url, nonce, params), 'x-plivo-signature-v3-nonce': nonce } };
    };
    const base: Record<string, string> = {
      CallUUID: callUuid,
      RequestUUID: this.requestUuid,
      ALegUUID: callUuid,
      ALegRequestUUID: this.requestUuid,
      From: (request.from ?? '').replace(/^\+/, ''),
      To: request.to.replace(/^\+/, ''),
      Direction: 'outbound',
    };
    let answeredAt: number | undefined;
    return {
      // Only the hangup callback: we set no ring_url, and Plivo does not report answering apart from the answer URL.
      progress: (status, durationSeconds) => {
        const hangup = HANGUP_CAUSES[status];
        if (!hangup) return null;
        const duration = String(durationSeconds ?? (answeredAt ? Math.round((Date.now() - answeredAt) / 1000) : 0));
        return post(request.statusCallbackUrl, {
          ...base,
          Event: 'Hangup',
          CallStatus: status,
          HangupCause: hangup.cause,
          HangupCauseName: hangup.name,
          HangupCauseCode: hangup.code,
          HangupSource: status === 'completed' ? 'Callee' : 'Carrier',
          Duration: duration,
          BillDuration: duration,
        });
      },
      answer: () => {
        answeredAt = Date.now();
        return post(request.answerUrl, { ...base, Event: 'StartApp', CallStatus: 'in-progress' });
      },
      machine: (result) =>
        result === 'machine_start'
          ? post(request.machineDetectionUrl ?? request.statusCallbackUrl, { ...base, Event: 'MachineDetection', CallStatus: 'in-progress', Machine: 'true', IfMachine: 'continue' })
          : null,
      stream: (xml) => {
        const stream = parsePlivoStreamXml(xml);
        // Without bidirectional="true" Plivo would not play anything we send back.
        if (!stream || stream.attributes['bidirectional'] !== 'true') return null;
        return new PlivoStreamWire(this.authId, callUuid, stream.url, stream.extraHeaders);
      },
    };
  }
}

class PlivoStreamWire implements CalleeStreamWire {
  private readonly streamId = randomUUID();
  private sequence = 0;
  readonly callId?: string;

  constructor(
    private readonly authId: string,
    private readonly callUuid: string,
    readonly url: string,
    private readonly extraHeaders: string,
  ) {
    this.callId = decodeExtraHeaders(extraHeaders)['call_id'];
  }

  opening(): unknown[] {
    return [
      {
        event: 'start',
        sequenceNumber: this.seq(),
        start: {
          callId: this.callUuid,
          streamId: this.streamId,
          accountId: this.authId,
          tracks: ['inbound'],
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 },
        },
        extra_headers: this.extraHeaders,
      },
    ];
  }

  audio(frame: Buffer, chunk: number): unknown {
    return {
      event: 'media',
      sequenceNumber: this.seq(),
      streamId: this.streamId,
      media: { track: 'inbound', timestamp: String(Date.now()), chunk, payload: frame.toString('base64') },
    };
  }

  played(name: string): unknown {
    return { event: 'playedStream', sequenceNumber: this.seq(), streamId: this.streamId, name };
  }

  /** Plivo confirms the clear; checkpoints whose audio was dropped are never answered. */
  cleared(): unknown[] {
    return [{ event: 'clearedAudio', sequenceNumber: this.seq(), streamId: this.streamId }];
  }

  /** Plivo may close the socket without a stop event: the gateway must cope. */
  stop(): null {
    return null;
  }

  read(text: string): GatewayAudioCommand | null {
    let message: { event?: string; streamId?: string; name?: string; media?: { contentType?: string; sampleRate?: number | string; payload?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return null;
    }
    if (message.event === 'playAudio') {
      const media = message.media;
      if (!media?.payload || media.contentType !== 'audio/x-mulaw' || Number(media.sampleRate) !== 8000) return null;
      return { kind: 'audio', bytes: Buffer.from(media.payload, 'base64') };
    }
    // Checkpoints and clears name the stream they are for.
    if (message.streamId !== this.streamId) return null;
    if (message.event === 'checkpoint' && message.name) return { kind: 'mark', name: message.name };
    if (message.event === 'clearAudio') return { kind: 'clear' };
    return null;
  }

  private seq(): number {
    return ++this.sequence;
  }
}
