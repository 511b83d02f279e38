import { ArgumentsHost, Catch, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { UnknownLanguageError } from '@codcall/agent-config';
import { AnswerRefusedError, CallNotFoundError, CarrierNotConfiguredError, GatewayAtCapacityError, IdempotencyConflictError, SimulationNotSupportedError } from '@codcall/call-orchestration';
import { CalleeBookError } from '@codcall/telephony-providers';
import { AgentApiUnavailableError, AgentNotFoundError } from './http-agent-source';

const STATUS: [new (...args: never[]) => Error, HttpStatus][] = [
  [CallNotFoundError, HttpStatus.NOT_FOUND],
  [AgentNotFoundError, HttpStatus.NOT_FOUND],
  [CarrierNotConfiguredError, HttpStatus.SERVICE_UNAVAILABLE],
  [AgentApiUnavailableError, HttpStatus.BAD_GATEWAY],
  [SimulationNotSupportedError, HttpStatus.BAD_REQUEST],
  [CalleeBookError, HttpStatus.BAD_REQUEST],
  // A row's language cell that names no language: the client's row to fix, not a gateway fault.
  [UnknownLanguageError, HttpStatus.BAD_REQUEST],
  [IdempotencyConflictError, HttpStatus.CONFLICT],
  [GatewayAtCapacityError, HttpStatus.SERVICE_UNAVAILABLE],
  [AnswerRefusedError, HttpStatus.CONFLICT],
];

/** Turns domain errors into clear HTTP answers; anything else falls through to Nest's handling. */
@Catch(...STATUS.map(([type]) => type))
export class DomainErrorsFilter implements ExceptionFilter {
  catch(error: Error, host: ArgumentsHost): void {
    const status = STATUS.find(([type]) => error instanceof type)?.[1] ?? HttpStatus.INTERNAL_SERVER_ERROR;
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof GatewayAtCapacityError) {
      // Retry-After tells a campaign to send the same dial again later without spending an attempt.
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
      response.status(status).json({ statusCode: status, message: error.message, retry_after_seconds: error.retryAfterSeconds });
      return;
    }
    response.status(status).json({ statusCode: status, message: error.message });
  }
}
