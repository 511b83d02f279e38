import { Controller, Get, Inject, Query } from '@nestjs/common';
import { CallOrchestrator } from '@codcall/call-orchestration';
import { combineStats, ProcessLoadMeter, type GatewayStats } from './process-load';

/**
 * This process's load, behind the API key like every route but /health. In a multi-process
 * gateway the primary asks each worker here and adds them up.
 */
@Controller()
export class StatsController {
  constructor(
    @Inject(CallOrchestrator) private readonly calls: CallOrchestrator,
    @Inject(ProcessLoadMeter) private readonly meter: ProcessLoadMeter,
  ) {}

  /** `?reset=1` starts a new event-loop delay window after this read (a benchmark reads once per step). */
  @Get('stats')
  stats(@Query('reset') reset?: string): GatewayStats {
    return combineStats([this.meter.read({ reset: reset === '1' || reset === 'true', callsLive: this.calls.callsInProgress })]);
  }
}
