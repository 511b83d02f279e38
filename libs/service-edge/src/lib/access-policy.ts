import { API_KEYS_VARIABLE, ApiKeyConfigError, ApiKeyring } from './api-keys';
import { hostOfHostHeader, isLoopbackHost } from './loopback';

/** What a request brings that decides whether it may in. */
export interface RequestCredentials {
  /** The `Authorization` header, if any. */
  authorization?: string;
  /** The `Host` header, if any. */
  host?: string;
}

/** Why a request was turned away: the edge answers `status` with `message` as the JSON body's message. */
export interface AccessRefusal {
  status: 401 | 403;
  message: string;
  /** For a 401: the `WWW-Authenticate` challenge (RFC 6750). */
  challenge?: string;
}

/** Where a service means to listen, with which keys. */
export interface ListenOptions {
  /** Names the service in messages, e.g. "agent-api". */
  service: string;
  host: string;
  /** The variable that set `host`, so the message can say how to change it. */
  hostVariable: string;
  keys: readonly string[];
}

/** Refuses (throws ApiKeyConfigError) a service that would listen beyond this machine with no key. */
export function checkListenAddress({ service, host, hostVariable, keys }: ListenOptions): void {
  if (keys.length > 0 || isLoopbackHost(host)) return;
  throw new ApiKeyConfigError(
    `${service} will not listen on ${host || 'every interface'} without an API key: set ${API_KEYS_VARIABLE} to one or more keys ` +
      `of at least 16 characters, comma-separated (e.g. ${API_KEYS_VARIABLE}=$(node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))")), ` +
      `or set ${hostVariable}=127.0.0.1 to keep it on this machine`,
  );
}

/** The interface a service listens on when its host variable is unset: everywhere only with keys. */
export function defaultListenHost(keys: readonly string[]): string {
  return keys.length > 0 ? '0.0.0.0' : '127.0.0.1';
}

/**
 * Who may call a service. With keys, every guarded request needs `Authorization: Bearer <key>`.
 * Without keys the service is a developer's, reachable only from this machine: it must listen on
 * loopback, and a request must name a loopback host, because a web page can make a browser send
 * requests to 127.0.0.1 under a name the page's author controls (DNS rebinding); the Host header is
 * what gives that away.
 */
export class AccessPolicy {
  private constructor(
    private readonly keyring: ApiKeyring,
    /** One line for the start-up log when the service runs without keys; undefined with keys. */
    readonly warning: string | undefined,
  ) {}

  /** Throws ApiKeyConfigError, like `checkListenAddress`, for a service that would listen beyond this machine with no key. */
  static forService(options: ListenOptions): AccessPolicy {
    checkListenAddress(options);
    if (options.keys.length > 0) return new AccessPolicy(new ApiKeyring(options.keys), undefined);
    return new AccessPolicy(
      new ApiKeyring([]),
      `${options.service} has no API key (${API_KEYS_VARIABLE} is unset): it listens on ${options.host} only and accepts requests from this machine without a key`,
    );
  }

  get requiresKey(): boolean {
    return !this.keyring.isEmpty;
  }

  /** Undefined when the request may in; otherwise why not. The key is never part of the answer. */
  check(request: RequestCredentials): AccessRefusal | undefined {
    if (!this.requiresKey) {
      if (request.host !== undefined && isLoopbackHost(hostOfHostHeader(request.host))) return undefined;
      return {
        status: 403,
        message: `this service runs without an API key and only answers requests addressed to localhost or a loopback address; set ${API_KEYS_VARIABLE} to reach it by another name`,
      };
    }
    const key = bearerToken(request.authorization);
    if (key === undefined) {
      return { status: 401, message: 'missing API key: send the header "Authorization: Bearer <key>" with one of the keys in CODCALL_API_KEYS', challenge: 'Bearer' };
    }
    if (!this.keyring.accepts(key)) {
      return { status: 401, message: 'invalid API key: "Authorization: Bearer <key>" must carry one of the keys in CODCALL_API_KEYS', challenge: 'Bearer error="invalid_token"' };
    }
    return undefined;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match ? match[1] : undefined;
}
