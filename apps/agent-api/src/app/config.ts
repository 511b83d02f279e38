import { ApiKeyConfigError, edgeSettingsFromEnv, EdgeSettingsError, type EdgeSettings } from '@codcall/service-edge';

export interface AgentApiConfig extends EdgeSettings {
  port: number;
  dataDir: string;
}

export class ConfigError extends Error {}

export function loadAgentApiConfig(env: NodeJS.ProcessEnv = process.env): AgentApiConfig {
  const rawPort = env['AGENT_API_PORT'] ?? env['PORT'] ?? '5001';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`AGENT_API_PORT must be a port number, got "${rawPort}"`);
  try {
    return { ...edgeSettingsFromEnv(env, { name: 'agent-api', hostVariable: 'AGENT_API_HOST' }), port, dataDir: env['DATA_DIR'] || 'data' };
  } catch (error) {
    if (error instanceof ApiKeyConfigError || error instanceof EdgeSettingsError) throw new ConfigError(error.message);
    throw error;
  }
}
