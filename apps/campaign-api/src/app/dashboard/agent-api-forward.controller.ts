import { BadRequestException, Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

export const AGENT_API_FORWARD = Symbol('AGENT_API_FORWARD');

export interface AgentApiForwardSettings {
  agentApiUrl: string;
  /** How long agent-api may take to answer. */
  timeoutMs?: number;
}

/** agent-api's answers are an agent or a list of them; anything bigger is not passed on. */
const MAX_ANSWER_BYTES = 2 * 1024 * 1024;
const AGENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The agent routes the dashboard uses, passed to agent-api, so a browser talks to one origin (the
 * campaign-api's). Only these three routes; the caller's own key goes with each, after this
 * service's guard has checked it, and agent-api checks it again.
 */
@Controller('agent-api')
export class AgentApiForwardController {
  constructor(@Inject(AGENT_API_FORWARD) private readonly settings: AgentApiForwardSettings) {}

  @Get('agents')
  list(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.forward(req, res, 'GET', '/agents');
  }

  @Get('agent/:id')
  get(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!AGENT_ID.test(id)) throw new BadRequestException(`"${id.slice(0, 40)}" is not an agent id (a UUID)`);
    return this.forward(req, res, 'GET', `/agent/${id}`);
  }

  @Post('agent')
  create(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.forward(req, res, 'POST', '/agent', JSON.stringify(body ?? null));
  }

  private async forward(req: Request, res: Response, method: string, path: string, body?: string): Promise<void> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let answer: globalThis.Response;
    try {
      answer = await fetch(`${this.settings.agentApiUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(this.settings.timeoutMs ?? 15_000) });
    } catch {
      res.status(502).json({ statusCode: 502, message: `agent-api at ${this.settings.agentApiUrl} could not be reached` });
      return;
    }
    const bytes = Buffer.from(await answer.arrayBuffer());
    if (bytes.length > MAX_ANSWER_BYTES) {
      res.status(502).json({ statusCode: 502, message: `agent-api answered more than ${MAX_ANSWER_BYTES} bytes` });
      return;
    }
    res.status(answer.status).type(answer.headers.get('content-type') ?? 'application/json').send(bytes);
  }
}
