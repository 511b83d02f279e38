import { HttpException, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { AccessPolicy } from '@codcall/service-edge';

const PUBLIC_ROUTE = 'codcall:public-route';

/** A route anyone may call: /health, and carrier webhooks, which check the carrier's signature instead. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Every HTTP route not marked `@Public()` needs the API key; WebSockets check their own tokens. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const refusal = this.policy.check({ authorization: request.headers.authorization, host: request.headers.host });
    if (!refusal) return true;
    if (refusal.challenge) http.getResponse<Response>().setHeader('WWW-Authenticate', refusal.challenge);
    throw new HttpException({ statusCode: refusal.status, message: refusal.message, error: refusal.status === 401 ? 'Unauthorized' : 'Forbidden' }, refusal.status);
  }
}
