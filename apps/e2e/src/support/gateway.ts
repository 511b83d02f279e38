import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { toRuntimeConfig, validateAgentJson, type AgentRuntimeConfig } from '@codcall/agent-config';
import { silentLogger } from '@codcall/logging';
import { createGatewayApp } from '../../../telephony-gateway/src/app/bootstrap';
import { loadGatewayConfig } from '../../../telephony-gateway/src/app/config';
import type { GatewayOverrides } from '../../../telephony-gateway/src/app/orchestrator.factory';
import { freePort, WORKSPACE } from './processes';

const seed = validateAgentJson(JSON.parse(readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json'), 'utf8')));
if (!seed.ok) throw new Error('the shipped agent is invalid');
/** agent_data/cod_confirmation_agent.json as the gateway runs it. */
export const shippedAgent: AgentRuntimeConfig = toRuntimeConfig(seed.agent);

/**
 * The shipped agent with some of its conversation task's `task_config` changed, built from the
 * JSON as agent-api would: a runtime config edited by hand keeps the texts it was written with
 * when the call localises it.
 */
export function shippedAgentWithTaskConfig(taskConfig: Record<string, unknown>): AgentRuntimeConfig {
  const agent = structuredClone(seed.ok ? seed.agent : undefined)!;
  const task = agent.agent_config.tasks[0];
  task.task_config = { ...task.task_config, ...taskConfig };
  return toRuntimeConfig(agent);
}

export interface RunningGateway {
  app: INestApplication;
  url: string;
  recordsDir: string;
  /** The gateway's own state (GATEWAY_DATA_DIR), a temporary folder. */
  dataDir: string;
}

/**
 * The telephony gateway in this process, configured from `env` as it would be from the
 * environment (the simulator off, no API key so it answers only on loopback, records and state
 * in temporary folders), listening on a free port. Agents are the shipped one unless
 * `overrides.agents` says otherwise.
 */
export async function startGateway(env: Record<string, string>, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const recordsDir = mkdtempSync(join(tmpdir(), 'gateway-records-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-data-'));
  const config = loadGatewayConfig({
    GATEWAY_PORT: String(port),
    GATEWAY_HOST: '127.0.0.1',
    PUBLIC_BASE_URL: url,
    RECORDS_DIR: recordsDir,
    GATEWAY_DATA_DIR: dataDir,
    SIMULATOR_ENABLED: 'false',
    ...env,
  });
  const app = await createGatewayApp(config, { logger: silentLogger(), agents: { getRuntimeConfig: async () => shippedAgent }, ...overrides });
  await app.listen(port, '127.0.0.1');
  // The temporary folders go with the gateway, once it has closed everything it kept in them.
  const close = app.close.bind(app);
  app.close = async () => {
    await close();
    for (const dir of [recordsDir, dataDir]) rmSync(dir, { recursive: true, force: true });
  };
  return { app, url, recordsDir, dataDir };
}
