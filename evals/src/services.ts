import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WORKSPACE = join(__dirname, '..', '..');
export const MAINS = {
  agentApi: join(WORKSPACE, 'dist/apps/agent-api/apps/agent-api/src/main.js'),
  gateway: join(WORKSPACE, 'dist/apps/telephony-gateway/apps/telephony-gateway/src/main.js'),
};

/** Where a callee who asks for a person is moved; the simulator records the transfer and nobody answers. */
export const EVAL_TRANSFER_NUMBER = '+12025550187';

export class ServiceError extends Error {}

export interface RunningService {
  url: string;
  output: () => string;
  /** Why the process is gone, if it died: its exit code and the last line it logged. */
  died: () => string | undefined;
  stop: () => Promise<void>;
}

/** The two real services of one evals run, with their key, on free ports, in a temporary folder. */
export interface EvalServices {
  apiKey: string;
  agentApi: RunningService;
  gateway: RunningService;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the built agent-api and telephony-gateway (one gateway process, the carrier simulator
 * on, a TRANSFER_NUMBER set). The vendor keys of the environment pass through: with
 * OPENAI_API_KEY (and the others) the gateway talks to the real vendors, without them offline.
 */
export async function startEvalServices(env: NodeJS.ProcessEnv = process.env): Promise<EvalServices> {
  for (const main of Object.values(MAINS)) {
    if (!existsSync(main)) throw new ServiceError(`${main} is missing: build the apps first (npx nx run-many -t build -p agent-api telephony-gateway)`);
  }
  const work = mkdtempSync(join(tmpdir(), 'codcall-evals-'));
  const apiKey = `evals-${randomBytes(16).toString('hex')}`;
  const common = { CODCALL_API_KEYS: apiKey, CODCALL_API_KEY: apiKey, AGENT_API_HOST: '127.0.0.1', GATEWAY_HOST: '127.0.0.1', LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn' };
  const [agentPort, gatewayPort] = [await freePort(), await freePort()];
  const started: RunningService[] = [];
  try {
    const agentApi = await startService(MAINS.agentApi, { ...env, ...common, AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'agents') }, agentPort);
    started.push(agentApi);
    const gateway = await startService(
      MAINS.gateway,
      {
        ...env,
        ...common,
        GATEWAY_PORT: String(gatewayPort),
        AGENT_API_URL: agentApi.url,
        SIMULATOR_ENABLED: 'true',
        GATEWAY_WORKERS: '1',
        GATEWAY_DATA_DIR: join(work, 'gateway'),
        RECORDS_DIR: join(work, 'calls'),
        TRANSFER_NUMBER: env['TRANSFER_NUMBER'] ?? EVAL_TRANSFER_NUMBER,
      },
      gatewayPort,
    );
    started.push(gateway);
    return {
      apiKey,
      agentApi,
      gateway,
      stop: async () => {
        await gateway.stop();
        await agentApi.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const service of started.reverse()) await service.stop();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

async function startService(main: string, env: NodeJS.ProcessEnv, port: number): Promise<RunningService> {
  const child: ChildProcess = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The last 200 kB of the service's log, for a failure's message.
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  for (;;) {
    if (child.exitCode !== null) throw new ServiceError(`${main} exited with ${child.exitCode}:\n${output.slice(-4000)}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new ServiceError(`${main} did not become healthy within 60 s:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let stopping = false;
  const died = () => {
    if (stopping || (child.exitCode === null && child.signalCode === null)) return undefined;
    const last = output.trim().split('\n').filter((line) => !/^\s+at /.test(line)).slice(-3).join(' / ');
    return `exited (${child.exitCode ?? child.signalCode}): ${last.slice(-600)}`;
  };
  return {
    url,
    output: () => output,
    died,
    stop: async () => {
      stopping = true;
      await stop();
    },
  };
}
