import OpenAI, { APIError } from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { silentLogger, type Logger } from '@codcall/logging';
import type { ChatMessage, LanguageModel, LanguageModelDelta, LanguageModelRequest, ToolCall, ToolSchema } from '../providers';
import { describeCauses, redactKey } from '../vendor-errors';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
/**
 * A healthy gpt-4o-mini answers a phone-sized prompt in 0.3-1 s; past 2 s the request is far more
 * likely stuck behind a bad connection or an overloaded replica than about to answer, and a fresh
 * request usually comes back at once. Two tries (4 s) still end before a callee's silence turns
 * into "hello? are you there?". Raise it for slow self-hosted models (a cold Ollama model loads for
 * seconds).
 */
export const DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 2000;
/** Once tokens flow they come every few tens of ms; 5 s of nothing mid-sentence is a dead stream. */
export const DEFAULT_STALL_TIMEOUT_MS = 5000;
/** The longest a 429's `retry-after` is honoured before the one retry: a caller is waiting. */
const MAX_RETRY_PAUSE_MS = 1000;
/** Servers that speak OpenAI's chat completions API at their own base URL. */
export const OPENAI_COMPATIBLE_PROVIDERS = ['groq', 'ollama', 'vllm', 'openrouter', 'openai-compatible'] as const;
/**
 * o-series and (non-chat) gpt-5 models reason before answering: they refuse `max_tokens` (its
 * successor `max_completion_tokens` counts the reasoning too) and any temperature but the default.
 * Every other model, and every OpenAI-compatible server, takes the widely supported `max_tokens`.
 */
const REASONING_MODEL = /^(openai\/)?(o\d|gpt-5(?!.*chat))/i;

export interface OpenAILanguageModelOptions {
  apiKey: string;
  /** The API base including `/v1`: another OpenAI-compatible server, or a local fake in tests. Default OpenAI's. */
  baseUrl?: string;
  model: string;
  /** Default: the server's (1 at OpenAI). */
  temperature?: number;
  /** The longest answer, in tokens. Default: the server's. */
  maxTokens?: number;
  /** Who answers, for messages: `openai` (default), `groq`, `ollama`, ... */
  provider?: string;
  /** Longest wait, from sending the request, for the first text or tool call. Default 2000 ms. */
  firstTokenTimeoutMs?: number;
  /** Longest wait between two chunks once the answer has started. Default 5000 ms. */
  stallTimeoutMs?: number;
  logger?: Logger;
}

/** The language model failed: refused, unreachable, silent, or broken off. Never holds a key. */
export class LanguageModelError extends Error {
  override readonly name = 'LanguageModelError';
  /** The HTTP status, when the server answered with one. */
  readonly status?: number;
  /** OpenAI's error code (`invalid_api_key`, `model_not_found`, `rate_limit_exceeded`, ...), when given. */
  readonly code?: string;
  readonly model: string;
  /** Requests sent for this turn: 1, or 2 after a retry. */
  readonly attempts: number;

  constructor(message: string, details: { model: string; attempts: number; status?: number; code?: string; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.model = details.model;
    this.attempts = details.attempts;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
  }
}

/** Why one request failed, and whether a second one may help. */
interface AttemptFailure {
  kind: 'first_token_timeout' | 'stall' | 'http' | 'unreachable' | 'broken';
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
  code?: string;
  cause?: unknown;
}

class AttemptFailed extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(failure.reason);
  }
}

/**
 * OpenAI chat completions (or any server that speaks them), streamed through the official SDK.
 * Text is handed on delta by delta, so the first clause can be spoken while the model still
 * writes; tool calls are assembled from their fragments and handed on whole when the answer ends.
 * A request that stays silent, or is refused for load, is sent once more, but only while the
 * callee has heard nothing of it.
 */
export class OpenAILanguageModel implements LanguageModel {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly vendor: string;
  private readonly firstTokenTimeoutMs: number;
  private readonly stallTimeoutMs: number;
  private readonly logger: Logger;

  constructor(private readonly options: OpenAILanguageModelOptions) {
    this.name = `openai:${options.model}`;
    const provider = options.provider ?? 'openai';
    this.vendor = provider === 'openai' ? 'OpenAI' : provider;
    this.firstTokenTimeoutMs = options.firstTokenTimeoutMs ?? DEFAULT_FIRST_TOKEN_TIMEOUT_MS;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.logger = options.logger ?? silentLogger();
    const sdkLog = (message: unknown) => this.logger.warn({ vendor: this.vendor }, redactKey(String(message), this.options.apiKey));
    this.client = new OpenAI({
      apiKey: options.apiKey,
      // Always explicit: left out, the SDK would read OPENAI_BASE_URL itself, past our validation.
      baseURL: options.baseUrl ?? DEFAULT_OPENAI_BASE_URL,
      // Only a backstop for the headers: the first-token timer below fires first and covers the body too.
      timeout: this.firstTokenTimeoutMs * 2,
      // The one retry is ours: it knows whether the callee has already heard part of the answer.
      maxRetries: 0,
      logLevel: 'warn',
      logger: { debug: () => undefined, info: () => undefined, warn: sdkLog, error: sdkLog },
    });
  }

  async *stream(request: LanguageModelRequest): AsyncIterable<LanguageModelDelta> {
    if (request.signal.aborted) return;
    const params = this.requestParams(request);
    let earlier: AttemptFailure | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        yield* this.attempt(params, request.signal);
        return;
      } catch (error) {
        // Barge-in or hang-up: stop without a word.
        if (request.signal.aborted) return;
        if (!(error instanceof AttemptFailed)) throw error;
        const failure = error.failure;
        if (attempt === 1 && failure.retryable) {
          this.logger.warn({ model: params.model, reason: failure.reason }, 'language model request failed before its first token; retrying once');
          earlier = failure;
          await pause(Math.min(failure.retryAfterMs ?? 0, MAX_RETRY_PAUSE_MS), request.signal);
          if (request.signal.aborted) return;
          continue;
        }
        throw this.toLanguageModelError(failure, earlier, attempt, params.model);
      }
    }
  }

  /** One request: yields its deltas, or throws AttemptFailed saying whether another try may help. */
  private async *attempt(params: ChatCompletionCreateParamsStreaming, signal: AbortSignal): AsyncGenerator<LanguageModelDelta> {
    // One controller for the HTTP exchange: the caller's abort, a timeout, or the consumer leaving early.
    const http = new AbortController();
    const stopOnAbort = () => http.abort();
    signal.addEventListener('abort', stopOnAbort, { once: true });

    const started = performance.now();
    const firstTokenDeadline = started + this.firstTokenTimeoutMs;
    let timedOut: 'first_token_timeout' | 'stall' | undefined;
    let timer: NodeJS.Timeout | undefined;
    let tokenSeen = false;
    let responded = false;
    let finished = false;
    let characters = 0;
    // Armed only while waiting on the network, so a slow consumer is never mistaken for a stall.
    // Before the first token, one deadline covers the headers and any role-only chunks.
    const watch = <T>(pending: Promise<T>): Promise<T> => {
      const kind = tokenSeen ? 'stall' : 'first_token_timeout';
      const ms = tokenSeen ? this.stallTimeoutMs : Math.max(0, firstTokenDeadline - performance.now());
      timer = setTimeout(() => {
        timedOut = kind;
        http.abort();
      }, ms);
      return pending.finally(() => clearTimeout(timer));
    };

    const calls = new Map<number, ToolCall>();
    let finishReason: string | null = null;
    let usage: ChatCompletionChunk['usage'];
    let iterator: AsyncIterator<ChatCompletionChunk> | undefined;
    try {
      const stream = await watch(this.client.chat.completions.create(params, { signal: http.signal }));
      responded = true;
      iterator = stream[Symbol.asyncIterator]();
      for (;;) {
        const next = await watch(iterator.next());
        if (next.done) break;
        const chunk = next.value;
        if (chunk.usage) usage = chunk.usage;
        // The usage chunk has no choices.
        const choice = chunk.choices[0];
        if (!choice) continue;
        const text = choice.delta?.content;
        if (text) {
          if (signal.aborted) return;
          if (!tokenSeen) this.logger.debug({ model: params.model, firstTokenMs: Math.round(performance.now() - started) }, 'first token');
          tokenSeen = true;
          characters += text.length;
          yield { type: 'text', text };
        }
        for (const fragment of choice.delta?.tool_calls ?? []) {
          if (!tokenSeen) this.logger.debug({ model: params.model, firstTokenMs: Math.round(performance.now() - started) }, 'first token (a tool call)');
          tokenSeen = true;
          assembleToolCall(calls, fragment);
        }
        if (choice.finish_reason) {
          finishReason = choice.finish_reason;
          finished = true;
          // The answer is complete; only the usage chunk and [DONE] are still to come.
          for (const call of this.completedCalls(calls, params.model)) {
            if (signal.aborted) return;
            yield { type: 'tool_call', call };
          }
          calls.clear();
        }
      }
      // The SDK ends its iterator quietly when the request is aborted: by the caller, or by a timer.
      if (signal.aborted) return;
      if (timedOut && !finished) throw this.attemptFailure(timedOut, undefined, { tokenSeen, responded, characters });
      // Some servers end the stream without a finish reason: what was assembled is the answer.
      for (const call of this.completedCalls(calls, params.model)) {
        if (signal.aborted) return;
        yield { type: 'tool_call', call };
      }
      if (finishReason === 'length') this.logger.warn({ model: params.model, maxTokens: this.options.maxTokens }, 'the answer was cut off at the token limit');
      else if (finishReason === 'content_filter') this.logger.warn({ model: params.model }, 'the answer was cut off by the content filter');
      this.logger.debug(
        { model: params.model, finishReason, usage, characters, totalMs: Math.round(performance.now() - started) },
        'language model answer complete',
      );
    } catch (error) {
      if (signal.aborted || error instanceof AttemptFailed) throw error;
      // A failure after the finish reason (waiting for the usage chunk or [DONE]) loses nothing.
      if (finished) {
        this.logger.debug({ model: params.model, reason: redactKey(describeCauses(error), this.options.apiKey) }, 'the stream failed after the answer was complete');
        return;
      }
      throw this.attemptFailure(timedOut, error, { tokenSeen, responded, characters });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stopOnAbort);
      // Closes the connection if the answer is not all in (abort, error, or a consumer that stopped).
      http.abort();
      iterator?.return?.().catch(() => undefined);
    }
  }

  private attemptFailure(
    timedOut: 'first_token_timeout' | 'stall' | undefined,
    error: unknown,
    progress: { tokenSeen: boolean; responded: boolean; characters: number },
  ): AttemptFailed {
    const vendor = this.vendor;
    const before = !progress.tokenSeen;
    const after = progress.characters ? `after ${progress.characters} characters` : 'after the first tokens';
    if (timedOut === 'first_token_timeout') {
      return new AttemptFailed({ kind: timedOut, reason: `${vendor} sent no first token within ${this.firstTokenTimeoutMs} ms`, retryable: true, cause: error });
    }
    if (timedOut === 'stall') {
      return new AttemptFailed({ kind: timedOut, reason: `${vendor} stopped sending for ${this.stallTimeoutMs} ms ${after}`, retryable: false, cause: error });
    }
    if (error instanceof APIError && error.status !== undefined) {
      const body = error.error as { message?: unknown; type?: unknown } | undefined;
      const code = typeof error.code === 'string' ? error.code : typeof body?.type === 'string' ? body.type : undefined;
      const text = (typeof body?.message === 'string' ? body.message : error.message.replace(/^\d{3}\s*/, '')).slice(0, 300);
      const status = error.status;
      // A 429 for an exhausted quota stays a 429 however soon it is asked again.
      const retryable = before && (status === 408 || status >= 500 || (status === 429 && code !== 'insufficient_quota'));
      return new AttemptFailed({
        kind: 'http',
        reason: `${vendor} refused the request: HTTP ${status}${code ? ` ${code}` : ''}${text ? `: ${text}` : ''}`,
        retryable,
        retryAfterMs: retryAfterMs(error.headers),
        status,
        ...(code ? { code } : {}),
        cause: error,
      });
    }
    if (!progress.responded) {
      return new AttemptFailed({ kind: 'unreachable', reason: `${vendor} could not be reached: ${describeCauses(error)}`, retryable: true, cause: error });
    }
    const stage = before ? 'before the first token' : after;
    return new AttemptFailed({ kind: 'broken', reason: `${vendor} stream broke off ${stage}: ${describeCauses(error)}`, retryable: before, cause: error });
  }

  private toLanguageModelError(failure: AttemptFailure, earlier: AttemptFailure | undefined, attempts: number, model: string): LanguageModelError {
    let message: string;
    if (earlier?.kind === failure.kind && failure.kind === 'first_token_timeout') message = `${failure.reason}, twice`;
    else if (earlier) message = `${failure.reason}, on the retry after: ${earlier.reason}`;
    else message = failure.reason;
    const where = this.options.baseUrl ? ` at ${hostOf(this.options.baseUrl)}` : '';
    return new LanguageModelError(redactKey(`${message} (model ${model}${where})`, this.options.apiKey), {
      model,
      attempts,
      status: failure.status,
      code: failure.code,
      cause: failure.cause,
    });
  }

  private completedCalls(calls: Map<number, ToolCall>, model: string): ToolCall[] {
    const complete: ToolCall[] = [];
    for (const [index, call] of [...calls].sort(([a], [b]) => a - b)) {
      // The id only pairs the call with its result in the history; a server that sends none gets one.
      if (call.name) complete.push({ ...call, id: call.id || `call_${index}` });
      else this.logger.warn({ model, id: call.id }, 'the model sent a tool call without a name; ignored');
    }
    return complete;
  }

  private requestParams(request: LanguageModelRequest): ChatCompletionCreateParamsStreaming {
    const { model, temperature, maxTokens } = this.options;
    const reasoning = REASONING_MODEL.test(model);
    return {
      model,
      messages: request.messages.map(toOpenAIMessage),
      ...(request.tools.length ? { tools: request.tools.map(toOpenAITool) } : {}),
      ...(temperature !== undefined && !reasoning ? { temperature } : {}),
      ...(maxTokens !== undefined ? (reasoning ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens }) : {}),
      stream: true,
      stream_options: { include_usage: true },
    };
  }
}

/**
 * The language-model options for an agent whose llm provider speaks OpenAI's API, or null when
 * OPENAI_API_KEY is unset or the provider is another one. Provider `openai` always qualifies;
 * `groq`, `ollama`, `vllm`, `openrouter` and `openai-compatible` qualify when a base URL says where
 * they are. The base URL is the agent's `llm_config.base_url`, else OPENAI_BASE_URL, else OpenAI's.
 * Model, temperature and max tokens are the agent's; OPENAI_FIRST_TOKEN_TIMEOUT_MS overrides the
 * first-token timeout (default 2000 ms).
 */
export function openaiConfigFromEnv(
  env: NodeJS.ProcessEnv,
  agentLlm: { provider: string; model: string; temperature: number; maxTokens: number; baseUrl?: string },
): OpenAILanguageModelOptions | null {
  const apiKey = env['OPENAI_API_KEY']?.trim();
  if (!apiKey) return null;
  const provider = agentLlm.provider.trim().toLowerCase();
  const agentBaseUrl = agentLlm.baseUrl?.trim() || undefined;
  const envBaseUrl = env['OPENAI_BASE_URL']?.trim() || undefined;
  const compatible = (OPENAI_COMPATIBLE_PROVIDERS as readonly string[]).includes(provider);
  if (provider !== 'openai' && !(compatible && (agentBaseUrl || envBaseUrl))) return null;
  const baseUrl = agentBaseUrl
    ? checkedBaseUrl(agentBaseUrl, "the agent's llm_config.base_url")
    : envBaseUrl
      ? checkedBaseUrl(envBaseUrl, 'OPENAI_BASE_URL')
      : undefined;
  const firstTokenTimeoutMs = env['OPENAI_FIRST_TOKEN_TIMEOUT_MS']?.trim();
  if (firstTokenTimeoutMs && !(Number.isInteger(Number(firstTokenTimeoutMs)) && Number(firstTokenTimeoutMs) >= 100 && Number(firstTokenTimeoutMs) <= 60_000)) {
    throw new Error(`OPENAI_FIRST_TOKEN_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000 (got "${firstTokenTimeoutMs}")`);
  }
  return {
    apiKey,
    ...(baseUrl ? { baseUrl } : {}),
    provider,
    model: agentLlm.model,
    temperature: agentLlm.temperature,
    maxTokens: agentLlm.maxTokens,
    // A cold self-hosted model (Ollama loading weights) needs longer than OpenAI's 2 s.
    ...(firstTokenTimeoutMs ? { firstTokenTimeoutMs: Number(firstTokenTimeoutMs) } : {}),
  };
}

function checkedBaseUrl(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw new Error(`${source} must be an http(s) URL including the API version, e.g. https://api.openai.com/v1 (got "${value}")`);
  }
  return value.replace(/\/+$/, '');
}

function toOpenAIMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // OpenAI takes null for a tool-only turn; some compatible servers refuse an empty string.
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function toOpenAITool(tool: ToolSchema): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

type ToolCallFragment = NonNullable<ChatCompletionChunk.Choice.Delta['tool_calls']>[number];

/**
 * The first fragment of a call carries its index, id and name; later ones only argument text to
 * append. Servers that leave out the index (older Ollama) send each call whole, one per fragment.
 */
function assembleToolCall(calls: Map<number, ToolCall>, fragment: ToolCallFragment): void {
  const index = typeof fragment.index === 'number' ? fragment.index : fragment.id || calls.size === 0 ? calls.size : calls.size - 1;
  let call = calls.get(index);
  if (!call) {
    call = { id: '', name: '', arguments: '' };
    calls.set(index, call);
  }
  if (fragment.id && !call.id) call.id = fragment.id;
  if (fragment.function?.name && !call.name) call.name = fragment.function.name;
  if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
}

/** `retry-after-ms` (OpenAI's), else `retry-after` in seconds. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers?.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** Waits `ms`, or less if the signal aborts; leaves no timer behind. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'the configured base URL';
  }
}

