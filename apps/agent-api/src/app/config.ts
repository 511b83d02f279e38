export interface AgentApiConfig {
  host: string;
  port: number;
  dataDir: string;
}

export class ConfigError extends Error {}

export function loadAgentApiConfig(env: NodeJS.ProcessEnv = process.env): AgentApiConfig {
  const rawPort = env['AGENT_API_PORT'] ?? env['PORT'] ?? '5001';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`AGENT_API_PORT must be a port number, got "${rawPort}"`);
  return { host: env['AGENT_API_HOST'] || '0.0.0.0', port, dataDir: env['DATA_DIR'] || 'data' };
}
