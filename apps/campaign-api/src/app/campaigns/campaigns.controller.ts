import { createReadStream } from 'node:fs';
import { BadRequestException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Req, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { Public } from '@codcall/nest-edge';
import { CampaignHost, type UploadedFile } from '@codcall/campaign-service';
import { CAMPAIGN_ROWS_LIMITS, type CallDetailView, type CallRecordList, type CampaignList, type CampaignReportView, type CampaignRowsPage, type CampaignView } from '@codcall/gateway-api';
import { CampaignEventStreams } from './campaign-event-streams';
import { UPLOAD_PARTS, type UploadedParts } from './upload-parts';

export const CAMPAIGN_HOST = Symbol('CAMPAIGN_HOST');


/** The campaign-api of libs/gateway-api's campaign-api.ts; the rules live in @codcall/campaign-service. */
@Controller()
export class CampaignsController {
  constructor(
    @Inject(CAMPAIGN_HOST) private readonly host: CampaignHost,
    @Inject(CampaignEventStreams) private readonly streams: CampaignEventStreams,
  ) {}

  @Post('campaigns')
  @HttpCode(201)
  @UseInterceptors(FileFieldsInterceptor(UPLOAD_PARTS))
  async create(@UploadedFiles() parts: UploadedParts | undefined, @Req() req: Request): Promise<CampaignView> {
    const file = (name: keyof UploadedParts): UploadedFile | undefined => {
      const [part] = parts?.[name] ?? [];
      return part ? { path: part.path, fileName: part.originalname } : undefined;
    };
    const upload = { fields: textFields(req.body), csv: file('csv'), simulate: file('simulate'), dnc: file('dnc') };
    return this.host.create(upload);
  }

  @Get('campaigns')
  list(): CampaignList {
    return { campaigns: this.host.list() };
  }

  @Get('campaigns/:id')
  get(@Param('id') id: string): CampaignView {
    return this.host.get(id);
  }

  /** Server-sent events: a snapshot (or what a reconnect missed after Last-Event-ID), then each event, until `finished`. */
  @Get('campaigns/:id/events')
  events(@Param('id') id: string, @Req() req: Request, @Res() res: Response): void {
    this.host.get(id); // a 404 before the stream starts
    const header = req.headers['last-event-id'];
    const lastSeq = typeof header === 'string' && /^\d{1,16}$/.test(header.trim()) ? Number(header.trim()) : undefined;
    this.streams.start(req, res, (send) => this.host.follow(id, lastSeq, send));
  }

  @Post('campaigns/:id/pause')
  @HttpCode(200)
  pause(@Param('id') id: string): Promise<CampaignView> {
    return this.host.pause(id);
  }

  @Post('campaigns/:id/resume')
  @HttpCode(200)
  resume(@Param('id') id: string): Promise<CampaignView> {
    return this.host.resume(id);
  }

  @Post('campaigns/:id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string): Promise<CampaignView> {
    return this.host.cancel(id);
  }

  /** The file's own bytes with the outcomes written so far: the upload plus the outcome cells. */
  @Get('campaigns/:id/csv')
  async csv(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const { file_name } = this.host.get(id);
    const path = await this.host.csvFile(id);
    // Opened before the headers go out: a rewrite renaming a new file over it later does not change what is sent.
    const stream = createReadStream(path);
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${asciiName(file_name)}"` });
    stream.pipe(res);
  }

  /** One page of the rows as the CSV now reads, filtered and searched here: a browser never needs the whole file to show 50 rows. */
  @Get('campaigns/:id/rows')
  rows(@Param('id') id: string, @Query('offset') offset?: string, @Query('limit') limit?: string, @Query('status') status?: string, @Query('q') q?: string): Promise<CampaignRowsPage> {
    const size = pageNumber('limit', limit) ?? CAMPAIGN_ROWS_LIMITS.defaultLimit;
    if (size < 1 || size > CAMPAIGN_ROWS_LIMITS.maxLimit) throw new BadRequestException(`limit must be from 1 to ${CAMPAIGN_ROWS_LIMITS.maxLimit}, got ${size}`);
    return this.host.rows(id, { offset: pageNumber('offset', offset) ?? 0, limit: size, statuses: statusList(status), search: searchText(q) });
  }

  @Get('campaigns/:id/calls')
  async calls(@Param('id') id: string, @Query('offset') offset?: string, @Query('limit') limit?: string, @Query('fields') fields?: string): Promise<CallRecordList> {
    if (fields !== undefined && fields !== 'summary') throw new BadRequestException(`fields must be "summary" (or left out for whole records), got "${String(fields).slice(0, 20)}"`);
    return { calls: await this.host.calls(id, { offset: pageNumber('offset', offset), limit: pageNumber('limit', limit), summary: fields === 'summary' }) };
  }

  /** The call an outcome webhook's transcript_url names: transcript, turns, tool calls, timeline, recording URL. */
  @Get('campaigns/:id/calls/:callId')
  call(@Param('id') id: string, @Param('callId') callId: string): Promise<CallDetailView> {
    return this.host.call(id, callId);
  }

  /** The CLI's `report` of the campaign, computed here so that a browser never needs every row and call. */
  @Get('campaigns/:id/report')
  report(@Param('id') id: string): Promise<CampaignReportView> {
    return this.host.report(id);
  }

  @Get('campaigns/:id/calls/:callId/recording')
  async recording(@Param('id') id: string, @Param('callId') callId: string, @Res() res: Response): Promise<void> {
    const path = await this.host.recordingPath(id, callId);
    if (!path) throw new NotFoundException(`no recording of call ${callId.slice(0, 100)} is readable here`);
    const stream = createReadStream(path);
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', () => reject(new NotFoundException('the recording is no longer readable'))));
    res.writeHead(200, { 'content-type': 'audio/wav' });
    stream.pipe(res);
  }

  /** Open to anyone, so it says nothing a caller could use. */
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
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

function pageNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw new BadRequestException(`${name} must be a whole number, got "${raw.slice(0, 20)}"`);
  return Number(raw);
}

/** `confirmed` or `confirmed,pending`: by_status's names, `pending` for rows without a status yet. */
function statusList(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const shown = String(raw).slice(0, 40);
  const statuses = typeof raw === 'string' ? raw.split(',').map((status) => status.trim().toLowerCase()) : [];
  if (!statuses.length || statuses.some((status) => status === '' || status.length > 100) || statuses.length > CAMPAIGN_ROWS_LIMITS.maxStatuses) {
    throw new BadRequestException(`status must be one status or up to ${CAMPAIGN_ROWS_LIMITS.maxStatuses} separated by commas, as by_status names them (pending: no status yet), sent once; got "${shown}"`);
  }
  return statuses;
}

function searchText(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new BadRequestException('q must be sent once, as text');
  const text = raw.trim();
  if (text.length > CAMPAIGN_ROWS_LIMITS.maxSearchChars) throw new BadRequestException(`q must be at most ${CAMPAIGN_ROWS_LIMITS.maxSearchChars} characters, got ${text.length}`);
  return text || undefined;
}

function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
}
