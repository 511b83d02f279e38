import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpVendor, header, parseJsonObject, readBody } from './fake-http-vendor';

/** How the fake misbehaves on one chat request, taken from the queue filled by `failNext`. */
export type FakeOpenAIFailure =
  /** Answers 500 with OpenAI's `server_error` body. */
  | 'http500'
  /** Answers 429 `rate_limit_exceeded`, with a `retry-after-ms` header. */
  | 'http429'
  /** Sends the SSE headers, then nothing until the client gives up. */
  | 'stall'
  /** Sends the headers and the role-only first delta (no token yet), then nothing. */
  | 'stall_after_role'
  /** Streams half of the reply, then destroys the socket. */
  | 'drop'
  /** Answers this status with this OpenAI error body (a 400 content policy refusal, a 503, ...). */
  | { status: number; error: OpenAIErrorBody['error'] };

/** How a response ended, as the server saw it. */
export type FakeChatOutcome =
  | 'completed'
  /** The client closed the connection before the reply was all sent (an abort, a timeout). */
  | 'client_closed'
  /** The server dropped the connection on purpose (`'drop'`). */
  | 'dropped'
  /** Answered with an error status (400, 401, 404, 429, 500). */
  | 'rejected';

export interface FakeToolCallReply {
  name: string;
  /** The JSON arguments: a string is sent verbatim, anything else through JSON.stringify. */
  arguments: string | Record<string, unknown>;
  /** Default `call_<random>`, like OpenAI's. */
  id?: string;
}

/** What the scripted model answers: plain text, or text and/or tool calls. */
export type FakeChatReply =
  | string
  | {
      text?: string;
      toolCalls?: FakeToolCallReply[];
      /** Default `tool_calls` when there are tool calls, else `stop`. */
      finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
      /** Overrides the server's `firstTokenDelayMs` for this reply. */
      firstTokenDelayMs?: number;
    };

export interface RecordedChatRequest {
  /** The parsed JSON body: `model`, `messages`, `tools`, `temperature`, `max_tokens`, `stream`, ... */
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** The bearer token exactly as sent. */
  apiKey?: string;
  /** SSE `data:` lines written before the response ended, `[DONE]` included. */
  chunksSent: number;
  /** Undefined while the response is still going. */
  outcome?: FakeChatOutcome;
}

export interface FakeOpenAIOptions {
  /** The only key accepted as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Models that exist; any other answers 404 `model_not_found`. Default: every model exists. */
  models?: string[];
  /** Answers when no scripted reply is queued (default: "Okay."). */
  reply?: (request: RecordedChatRequest) => FakeChatReply;
  /** Wait before the headers and first delta, like the model's time to first token (default 0). */
  firstTokenDelayMs?: number;
  /** Wait between chunks (default 0). */
  chunkDelayMs?: number;
  /** Characters of text, or of tool arguments, per delta: about a token (default 4). */
  charactersPerChunk?: number;
}

interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const CHAT_PATH = '/v1/chat/completions';

/**
 * OpenAI chat completions, as far as the official SDK can tell: `POST /v1/chat/completions`
 * with a bearer key, answered as server-sent events exactly as OpenAI streams them (a role
 * delta, content or tool-call fragments, a chunk with the finish reason, a usage chunk when
 * asked, `data: [DONE]`), or as one JSON completion when `stream` is not set. Replies are
 * scripted; every request is recorded, and failures can be queued per request.
 */
export class FakeOpenAIServer extends FakeHttpVendor<FakeChatOutcome> {
  readonly requests: RecordedChatRequest[] = [];
  private readonly replies: FakeChatReply[] = [];
  private readonly failures: FakeOpenAIFailure[] = [];
  private sequence = 0;

  constructor(private readonly options: FakeOpenAIOptions) {
    super();
  }

  /** The SDK's `baseURL`: `http://127.0.0.1:<port>/v1`. */
  get url(): string {
    return `${this.origin}/v1`;
  }

  /** Queues replies: each following chat request takes the next one. */
  replyWith(...replies: FakeChatReply[]): void {
    this.replies.push(...replies);
  }

  /** Queues failures: each following chat request takes the next one (before any reply). */
  failNext(...failures: FakeOpenAIFailure[]): void {
    this.failures.push(...failures);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname.replace(/\/+$/, '');
    const rawBody = await readBody(req);
    if (req.method !== 'POST' || path !== CHAT_PATH) {
      return openAIError(res, 404, { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null });
    }

    const index = this.requests.length;
    const authorization = header(req, 'authorization');
    const record: RecordedChatRequest = {
      body: parseJsonObject(rawBody),
      headers: req.headers,
      apiKey: authorization?.replace(/^Bearer\s+/i, ''),
      chunksSent: 0,
    };
    this.requests.push(record);
    const end = (outcome: FakeChatOutcome) => {
      if (record.outcome) return;
      record.outcome = outcome;
      this.ending(index).resolve(outcome);
    };
    res.on('close', () => end('client_closed'));
    const reject = (status: number, error: OpenAIErrorBody['error'], headers: Record<string, string> = {}) => {
      end('rejected');
      openAIError(res, status, error, headers);
    };

    if (record.apiKey !== this.options.apiKey) {
      // OpenAI shows only the key's last four characters.
      const shown = record.apiKey ? `${record.apiKey.slice(0, 3)}*****${record.apiKey.slice(-4)}` : '';
      const message = record.apiKey
        ? `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`
        : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
      return reject(401, { message, type: 'invalid_request_error', param: null, code: record.apiKey ? 'invalid_api_key' : null });
    }
    const { model, messages } = record.body;
    if (typeof model !== 'string' || !model) {
      return reject(400, { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' });
    }
    if (!Array.isArray(messages) || messages.length === 0) {
      return reject(400, { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' });
    }
    if (this.options.models && !this.options.models.includes(model)) {
      const message = `The model \`${model}\` does not exist or you do not have access to it.`;
      return reject(404, { message, type: 'invalid_request_error', param: null, code: 'model_not_found' });
    }

    const failure = this.failures.shift();
    if (failure === 'http500') {
      return reject(500, { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null });
    }
    if (failure === 'http429') {
      const message = `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 100ms.`;
      return reject(429, { message, type: 'requests', param: 'requests', code: 'rate_limit_exceeded' }, { 'retry-after-ms': '100', 'x-ratelimit-remaining-requests': '0' });
    }
    if (typeof failure === 'object') return reject(failure.status, failure.error);

    const completion = {
      id: `chatcmpl-fake${++this.sequence}`,
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_fake',
    };
    const streamOptions = record.body['stream_options'];
    const includeUsage = !!streamOptions && typeof streamOptions === 'object' && (streamOptions as { include_usage?: unknown }).include_usage === true;
    const chunk = (choices: unknown[], usageValue?: unknown) =>
      JSON.stringify({
        ...completion,
        object: 'chat.completion.chunk',
        service_tier: 'default',
        choices,
        ...(includeUsage ? { usage: usageValue ?? null } : {}),
      });
    if (failure === 'stall' || failure === 'stall_after_role') {
      // A request that never answers takes no scripted reply: the retry gets it.
      await this.wait(this.options.firstTokenDelayMs ?? 0);
      if (this.closing || res.destroyed) return;
      writeEventStreamHead(res, index);
      if (failure === 'stall_after_role') {
        record.chunksSent++;
        res.write(`data: ${chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])}\n\n`);
      }
      return; // the client or close() ends it
    }

    const reply = normaliseReply(this.replies.shift() ?? this.options.reply?.(record) ?? 'Okay.');
    const toolCalls = reply.toolCalls.map((call) => ({
      id: call.id ?? `call_${randomId()}`,
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    }));
    const finishReason = reply.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
    const usage = usageFor(messages, reply.text, toolCalls);

    await this.wait(reply.firstTokenDelayMs ?? this.options.firstTokenDelayMs ?? 0);
    if (this.closing || res.destroyed) return;

    if (record.body['stream'] !== true) {
      const message = {
        role: 'assistant',
        content: reply.text || null,
        refusal: null,
        annotations: [],
        ...(toolCalls.length ? { tool_calls: toolCalls.map(({ id, name, arguments: args }) => ({ id, type: 'function', function: { name, arguments: args } })) } : {}),
      };
      end('completed');
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_fake${index}` });
      res.end(JSON.stringify({ ...completion, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }], usage, service_tier: 'default' }));
      return;
    }

    writeEventStreamHead(res, index);
    const deltas = deltasFor(reply.text, toolCalls, this.options.charactersPerChunk ?? 4);
    const lines: string[] = [];
    for (const delta of deltas) lines.push(chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]));
    lines.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
    if (includeUsage) lines.push(chunk([], usage));
    lines.push('[DONE]');

    // A dropped response breaks off halfway through the deltas (after the role delta at least).
    const limit = failure === 'drop' ? Math.max(1, Math.floor(deltas.length / 2)) : lines.length;
    for (let i = 0; i < limit; i++) {
      if (i > 0) await this.wait(this.options.chunkDelayMs ?? 0);
      if (this.closing || res.destroyed) return;
      record.chunksSent++;
      if (!res.write(`data: ${lines[i]}\n\n`)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    await this.endStream(res, failure === 'drop', this.options.chunkDelayMs ?? 0, end);
  }
}

function normaliseReply(reply: FakeChatReply): { text: string; toolCalls: FakeToolCallReply[]; finishReason?: string; firstTokenDelayMs?: number } {
  if (typeof reply === 'string') return { text: reply, toolCalls: [] };
  return { ...reply, text: reply.text ?? '', toolCalls: reply.toolCalls ?? [] };
}

/**
 * The deltas OpenAI streams for a reply: the role first (with the first content, as OpenAI
 * sends `content: ""`), content a few characters at a time, then each tool call as a first
 * delta with its index, id, type and name and empty arguments, followed by argument fragments.
 */
function deltasFor(text: string, toolCalls: { id: string; name: string; arguments: string }[], size: number): Record<string, unknown>[] {
  const step = Math.max(1, size);
  const deltas: Record<string, unknown>[] = [];
  if (toolCalls.length && !text) deltas.push({ role: 'assistant', content: null, refusal: null });
  else deltas.push({ role: 'assistant', content: '', refusal: null });
  for (let offset = 0; offset < text.length; offset += step) deltas.push({ content: text.slice(offset, offset + step) });
  toolCalls.forEach((call, index) => {
    deltas.push({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
    for (let offset = 0; offset < call.arguments.length; offset += step) {
      deltas.push({ tool_calls: [{ index, function: { arguments: call.arguments.slice(offset, offset + step) } }] });
    }
  });
  return deltas;
}

/** A rough token count (four characters a token), enough for a usage chunk that adds up. */
function usageFor(messages: unknown[], text: string, toolCalls: { name: string; arguments: string }[]) {
  const prompt_tokens = Math.ceil(JSON.stringify(messages).length / 4);
  const completion_tokens = Math.ceil((text.length + toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0)) / 4);
  return {
    prompt_tokens,
    completion_tokens,
    total_tokens: prompt_tokens + completion_tokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function randomId(): string {
  return Math.random().toString(36).slice(2, 14).padEnd(12, '0');
}

function writeEventStreamHead(res: ServerResponse, index: number): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': `req_fake${index}`,
    'openai-processing-ms': '1',
  });
  res.flushHeaders();
}

function openAIError(res: ServerResponse, status: number, error: OpenAIErrorBody['error'], headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error } satisfies OpenAIErrorBody));
}
