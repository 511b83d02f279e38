import { ArgumentsHost, Catch, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DialClaimUnavailableError, IdempotencyKeyDialledElsewhereError } from '../persistence/redis-mirrored-call-store';

/** How long a client waits before sending a dial again whose key Redis could not check. */
const CLAIM_RETRY_AFTER_SECONDS = 1;

/**
 * POST /call's refusals in distributed mode: a key another gateway dialled conflicts (409, never a
 * second dial); a key Redis could not check is 503 with Retry-After, which a campaign waits out and
 * sends again with the same key, as it does for a gateway at capacity.
 */
@Catch(IdempotencyKeyDialledElsewhereError, DialClaimUnavailableError)
export class DialClaimErrorsFilter implements ExceptionFilter {
  catch(error: IdempotencyKeyDialledElsewhereError | DialClaimUnavailableError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof IdempotencyKeyDialledElsewhereError) {
      response.status(HttpStatus.CONFLICT).json({ statusCode: HttpStatus.CONFLICT, message: error.message, gateway_id: error.gatewayId, ...(error.callId ? { call_id: error.callId } : {}) });
      return;
    }
    response.setHeader('Retry-After', String(CLAIM_RETRY_AFTER_SECONDS));
    response.status(HttpStatus.SERVICE_UNAVAILABLE).json({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, message: error.message, retry_after_seconds: CLAIM_RETRY_AFTER_SECONDS });
  }
}
