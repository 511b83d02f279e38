import { Body, Controller, Delete, Get, Inject, Param, ParseUUIDPipe, Post, Put, HttpCode } from '@nestjs/common';
import { Public } from '@codcall/nest-edge';
import { AgentsService } from './agents.service';

const AgentId = () => Param('id', new ParseUUIDPipe({ version: '4' }));

/** Bolna-compatible agent endpoints; the body is the agent JSON itself, validated in the service. */
@Controller()
export class AgentsController {
  constructor(@Inject(AgentsService) private readonly agents: AgentsService) {}

  @Post('agent')
  @HttpCode(200)
  create(@Body() body: unknown) {
    return this.agents.create(body);
  }

  @Get('agent/:id')
  get(@AgentId() id: string) {
    return this.agents.get(id).document;
  }

  /** The distilled configuration the telephony gateway runs calls with. */
  @Get('agent/:id/runtime')
  runtime(@AgentId() id: string) {
    return this.agents.runtime(id);
  }

  @Put('agent/:id')
  update(@AgentId() id: string, @Body() body: unknown) {
    return this.agents.update(id, body);
  }

  @Delete('agent/:id')
  delete(@AgentId() id: string) {
    return this.agents.delete(id);
  }

  @Get('agents')
  list() {
    return {
      agents: this.agents.list().map((agent) => ({ agent_id: agent.agentId, agent_name: agent.agentName, created_at: agent.createdAt, updated_at: agent.updatedAt })),
    };
  }

  /** Bolna's listing. */
  @Get('all')
  all() {
    return { agents: this.agents.list().map((agent) => ({ agent_id: agent.agentId, data: agent.document })) };
  }

  /** Open to anyone, so it says nothing a caller could use. */
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }
}
