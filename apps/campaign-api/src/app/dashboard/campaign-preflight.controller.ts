import { unlink } from 'node:fs/promises';
import { BadRequestException, Controller, HttpCode, Inject, Post, Req, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import { CampaignRefusedError, checkUpload, refusalFrom, type CampaignAgents, type GatewayClientFactory, type UploadLimits } from '@codcall/campaign-service';
import type { CampaignPreflightView } from '@codcall/gateway-api';
import { silentLogger, type Logger } from '@codcall/logging';
import { UPLOAD_PARTS, type UploadedParts } from '../campaigns/upload-parts';

export const CAMPAIGN_PREFLIGHT = Symbol('CAMPAIGN_PREFLIGHT');

export interface CampaignPreflightSettings {
  agents: CampaignAgents;
  gatewayFor: GatewayClientFactory;
  limits: UploadLimits;
  logger?: Logger;
}

/** POST /campaigns/preflight: what POST /campaigns would say of the same upload, with nothing created and nobody dialled. */
export interface CampaignPreflightAnswer {
  preflight: CampaignPreflightView;
  rows: number;
  csv_columns: string[];
}


/**
 * The New campaign page's check before anyone is dialled: the same multipart upload as POST
 * /campaigns, read by campaign-service's `checkUpload` exactly as a campaign's creation reads it
 * (fields, callee and do-not-call files, the CSV, the gateway's carrier, the agent), then thrown
 * away. A refusal is the same specific error POST /campaigns would answer.
 */
@Controller()
export class CampaignPreflightController {
  constructor(@Inject(CAMPAIGN_PREFLIGHT) private readonly settings: CampaignPreflightSettings) {}

  @Post('campaigns/preflight')
  @HttpCode(200)
  @UseInterceptors(FileFieldsInterceptor(UPLOAD_PARTS))
  async preflight(@UploadedFiles() parts: UploadedParts | undefined, @Req() req: Request): Promise<CampaignPreflightAnswer> {
    const file = (name: keyof UploadedParts) => {
      const [part] = parts?.[name] ?? [];
      return part ? { path: part.path, fileName: part.originalname } : undefined;
    };
    const upload = { fields: textFields(req.body), csv: file('csv'), simulate: file('simulate'), dnc: file('dnc') };
    try {
      if (!upload.csv) throw new CampaignRefusedError('invalid', 'the csv file part is required (multipart field "csv")');
      const gateway = this.settings.gatewayFor({ campaignId: 'preflight', callsPerSecond: 1 });
      try {
        const accepted = await checkUpload({ upload, csvPath: upload.csv.path, limits: this.settings.limits, gateway, agents: this.settings.agents, logger: this.settings.logger ?? silentLogger() });
        return { preflight: accepted.preflight, rows: accepted.rows, csv_columns: accepted.csvColumns };
      } finally {
        await gateway.close?.();
      }
    } catch (error) {
      throw refusalFrom(error);
    } finally {
      for (const part of [upload.csv, upload.simulate, upload.dnc]) if (part) await unlink(part.path).catch(() => undefined);
    }
  }
}

/** Multer's text fields, each a string; a field sent twice is refused rather than one of them guessed at. */
function textFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return fields;
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw new BadRequestException(`field ${name.slice(0, 100)} must be sent once, as text`);
    fields[name] = value;
  }
  return fields;
}
