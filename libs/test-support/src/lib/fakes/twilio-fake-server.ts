import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '@codcall/logging';
import type { SpeechSideChannel } from '@codcall/media';
import { DEFAULT_CALLEE, SimulatedCall, type CalleeBook, type CallProgress, type PlaceCallRequest, type SimulatorTiming } from '@codcall/telephony-providers';

/** What the fake needs of one dialled call: the scripted SimulatedCall unless `callee` gives another. */
export interface FakeTwilioCall {
  begin(): void;
  end(reason: string): Promise<void>;
  readonly progress: CallProgress;
}

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  /** Scripted callees by number; others confirm. */
  callees?: CalleeBook;
  /** The callees' voice. */
  speak: (text: string) => Promise<Buffer>;
  /** Where the callees' words are published for an in-process offline transcriber. */
  sideChannel: SpeechSideChannel;
  timing?: SimulatorTiming;
  logger?: Logger;
  /**
   * Plays each dialled call instead of the scripted SimulatedCall (a benchmark's own callee, timing
   * every frame); it must call `ended` once the call is over.
   */
  callee?: (call: { sid: string; request: PlaceCallRequest; ended: () => void }) => FakeTwilioCall;
}

/**
 * Twilio, as far as our gateway can tell: the REST Calls API the SDK talks to (Basic auth,
 * form-encoded, JSON answers), then, for each call, webhooks signed with the account's auth
 * token, the answer document fetched by POST, and a Media Streams socket driven by a scripted
 * callee. Every REST request is recorded for assertions.
 */
/** A live call's TwiML replaced through the API with one that dials elsewhere: a transfer. */
export interface FakeTwilioTransfer {
  sid: string;
  /** The TwiML exactly as the client sent it. */
  twiml: string;
  /** The number inside `<Dial>`, unescaped; undefined for TwiML that dials nobody. */
  dialled?: string;
}

export class FakeTwilioServer {
  readonly requests: { method: string; path: string; params: Record<string, string | string[]> }[] = [];
  readonly transfers: FakeTwilioTransfer[] = [];
  private readonly calls = new Map<string, { call: FakeTwilioCall; to: string; from: string }>();
  /** Calls that ended, with their last status: Twilio keeps answering for a call after it is over. */
  private readonly finished = new Map<string, { to: string; from: string; status: string }>();
  private server?: Server;

  constructor(private readonly options: FakeTwilioOptions) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.calls.values()].map(({ call }) => call.end('fake Twilio closing')));
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => resolve(text));
    });
    const form = new URLSearchParams(body);
    const params: Record<string, string | string[]> = {};
    for (const key of new Set(form.keys())) {
      const values = form.getAll(key);
      params[key] = values.length > 1 ? values : values[0];
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.push({ method: req.method ?? '', path, params });

    const expected = `Basic ${Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return json(res, 401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });

    const base = `/2010-04-01/Accounts/${this.options.accountSid}/Calls`;
    if (req.method === 'POST' && path === `${base}.json`) return this.create(res, params);
    const update = new RegExp(`^${base}/(CA[0-9a-f]{32})\\.json$`).exec(path);
    if (req.method === 'POST' && update) return this.update(res, update[1], params);
    if (req.method === 'GET' && update) return this.fetch(res, update[1]);
    json(res, 404, { code: 20404, message: `The requested resource ${path} was not found`, status: 404 });
  }

  private create(res: ServerResponse, params: Record<string, string | string[]>): void {
    const one = (key: string) => (Array.isArray(params[key]) ? (params[key] as string[])[0] : (params[key] as string | undefined));
    const to = one('To');
    const from = one('From');
    const url = one('Url');
    if (!to || !from || !url) return json(res, 400, { code: 21201, message: 'No called number, caller id or Url', status: 400 });
    const sid = 'CA' + randomBytes(16).toString('hex');
    const request: PlaceCallRequest = {
      callId: sid,
      to,
      from,
      answerUrl: url,
      statusCallbackUrl: one('StatusCallback') ?? url,
      machineDetectionUrl: one('AsyncAmdStatusCallback'),
      ringTimeoutSeconds: Number(one('Timeout') ?? 60),
      machineDetection: one('MachineDetection') !== undefined,
      machineDetectionMode: one('MachineDetection') === 'DetectMessageEnd' ? 'message_end' : 'start',
    };
    const ended = () => {
      this.calls.delete(sid);
      this.finished.set(sid, { to, from, status: TWILIO_STATUS[call.progress] });
    };
    const call: FakeTwilioCall = this.options.callee
      ? this.options.callee({ sid, request, ended })
      : new SimulatedCall(
          sid,
          request,
          this.options.callees?.[to] ?? DEFAULT_CALLEE,
          {
            speak: this.options.speak,
            sideChannel: this.options.sideChannel,
            webhookSecret: this.options.authToken,
            logger: this.options.logger ?? silentLogger(),
            timing: this.options.timing,
          },
          ended,
        );
    this.calls.set(sid, { call, to, from });
    call.begin();
    json(res, 201, { sid, account_sid: this.options.accountSid, to, from, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01', answered_by: null, duration: null });
  }

  /** GET .../Calls/{CallSid}.json: the call resource, with the status Twilio's REST API uses. */
  private fetch(res: ServerResponse, sid: string): void {
    const live = this.calls.get(sid);
    const known = live ? { to: live.to, from: live.from, status: TWILIO_STATUS[live.call.progress] } : this.finished.get(sid);
    if (!known) return json(res, 404, { code: 20404, message: `The requested resource /Calls/${sid}.json was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
    json(res, 200, { sid, account_sid: this.options.accountSid, to: known.to, from: known.from, status: known.status, direction: 'outbound-api', api_version: '2010-04-01' });
  }

  private update(res: ServerResponse, sid: string, params: Record<string, string | string[]>): void {
    const call = this.calls.get(sid)?.call;
    const twiml = typeof params['Twiml'] === 'string' ? params['Twiml'] : undefined;
    if (twiml !== undefined) return this.redirect(res, sid, twiml);
    if (!call) return json(res, 404, { code: 20404, message: `Call ${sid} not found`, status: 404 });
    if (params['Status'] === 'completed' || params['Status'] === 'canceled') void call.end('hung up through the API');
    json(res, 200, { sid, status: params['Status'] ?? 'in-progress' });
  }

  /**
   * New TwiML for a live call, as Twilio runs it: the call leaves its `<Connect><Stream>` (the media
   * stream stops) and follows the new document. The fake plays no dialled party: once the answer
   * is out, the callee's stream stops and the call completes. Twilio answers 20404 for a call it
   * never had and 21220 for one not in progress (ended, or not yet answered: stricter than Twilio,
   * which would hold the TwiML of a ringing call until it is answered).
   */
  private redirect(res: ServerResponse, sid: string, twiml: string): void {
    const live = this.calls.get(sid)?.call;
    if (!live && !this.finished.has(sid)) {
      return json(res, 404, { code: 20404, message: `The requested resource /Calls/${sid}.json was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
    }
    if (!live || live.progress !== 'in-progress') {
      return json(res, 400, { code: 21220, message: 'Call is not in-progress. Cannot redirect.', more_info: 'https://www.twilio.com/docs/errors/21220', status: 400 });
    }
    const dialled = dialledNumber(twiml);
    this.transfers.push({ sid, twiml, ...(dialled ? { dialled } : {}) });
    json(res, 200, { sid, account_sid: this.options.accountSid, status: 'in-progress', direction: 'outbound-api', api_version: '2010-04-01' });
    setImmediate(() => void live.end(dialled ? 'transferred: the callee now talks to the dialled number' : 'new TwiML without a Dial: the call ends'));
  }
}

/** The number a `<Dial>` calls, bare or in a `<Number>`, with XML entities undone. */
function dialledNumber(twiml: string): string | undefined {
  const dial = /<Dial\b[^>]*>([\s\S]*?)<\/Dial>/.exec(twiml)?.[1];
  if (dial === undefined) return undefined;
  const text = dial.replace(/<[^>]+>/g, '').trim();
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity] as string) || undefined;
}

/** The REST API's word for each step (its "initiated" callback is a call still "queued"). */
const TWILIO_STATUS: Record<CallProgress, string> = {
  initiated: 'queued',
  ringing: 'ringing',
  'in-progress': 'in-progress',
  completed: 'completed',
  busy: 'busy',
  failed: 'failed',
  'no-answer': 'no-answer',
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
