import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '@codcall/logging';
import { AccessPolicy, answerBodyErrors, refuseDeepBodies, requireJsonBodies, type JsonBodyLimits } from '@codcall/service-edge';
import { ApiKeyGuard } from './api-key.guard';

export interface HttpEdgeOptions {
  service: string;
  host: string;
  /** The variable that set `host`, named when the service refuses to listen there without a key. */
  hostVariable: string;
  apiKeys: readonly string[];
  corsOrigins: readonly string[];
  /** Request headers a browser on an allowed origin may send. */
  corsHeaders: readonly string[];
  limits: JsonBodyLimits;
  /** Paths that take form-encoded bodies (carrier webhooks); every other path takes JSON only. */
  acceptsForm?: (path: string) => boolean;
  /** Routes that take multipart/form-data uploads, parsed (and bounded) by the route's own interceptor. */
  acceptsMultipart?: (method: string, path: string) => boolean;
  logger?: Logger;
}

/**
 * What every codcall HTTP service enforces before a controller sees a request: the API key
 * (or loopback only, without one), JSON only within the size and depth limits, and no CORS
 * unless origins are configured.
 */
export class HttpEdge {
  private constructor(
    private readonly access: AccessPolicy,
    private readonly options: HttpEdgeOptions,
  ) {}

  /**
   * Refuses (throws ApiKeyConfigError) a service that would listen beyond loopback without a key;
   * called before the app is built, so such a service opens no store and touches no carrier.
   */
  static prepare(options: HttpEdgeOptions): HttpEdge {
    const access = AccessPolicy.forService({ service: options.service, host: options.host, hostVariable: options.hostVariable, keys: [...options.apiKeys] });
    if (access.warning) options.logger?.warn(access.warning);
    return new HttpEdge(access, options);
  }

  /** Mounts the rules on an app created with `bodyParser: false`. */
  apply(app: NestExpressApplication): void {
    const { corsOrigins, corsHeaders, limits, acceptsForm, acceptsMultipart } = this.options;
    // Without CORS_ORIGINS no Access-Control-* header is ever sent, so no web page can read an answer.
    if (corsOrigins.length) app.enableCors({ origin: [...corsOrigins], allowedHeaders: [...corsHeaders] });
    app.use(requireJsonBodies({ acceptsForm, acceptsMultipart }));
    app.useBodyParser('json', { limit: limits.maxBodyBytes, inflate: false });
    if (acceptsForm) {
      app.useBodyParser('urlencoded', {
        limit: limits.maxBodyBytes,
        inflate: false,
        extended: false,
        type: (req: IncomingMessage) => acceptsForm((req.url ?? '').split('?')[0]) && /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? ''),
      });
    }
    app.use(answerBodyErrors(limits));
    app.use(refuseDeepBodies(limits.maxDepth));
    app.useGlobalGuards(new ApiKeyGuard(this.access, app.get(Reflector)));
  }
}
