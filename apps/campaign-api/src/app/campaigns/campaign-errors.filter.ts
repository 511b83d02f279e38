import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { CallNotFoundError, CampaignNotFoundError, CampaignRefusedError, CampaignStateError, type CampaignRefusalKind } from '@codcall/campaign-service';

const REFUSAL_STATUS: Record<CampaignRefusalKind, number> = {
  invalid: 400,
  too_large: 413,
  agent_not_found: 404,
  carrier_not_configured: 400,
  unreachable: 502,
};

/** The campaign service's typed errors as HTTP answers, in the JSON shape NestJS gives its own. */
@Catch(CampaignRefusedError, CampaignNotFoundError, CallNotFoundError, CampaignStateError)
export class CampaignErrorsFilter implements ExceptionFilter {
  catch(error: CampaignRefusedError | CampaignNotFoundError | CallNotFoundError | CampaignStateError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = error instanceof CampaignRefusedError ? REFUSAL_STATUS[error.kind] : error instanceof CampaignNotFoundError || error instanceof CallNotFoundError ? 404 : 409;
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(status).json({ statusCode: status, message: error.message, ...(error instanceof CampaignRefusedError ? { reason: error.kind } : {}) });
  }
}
