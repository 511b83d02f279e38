import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@codcall/test-support';

export { freePort };

export const WORKSPACE = join(__dirname, '..', '..', '..', '..');
export const MAINS = {
  agentApi: join(WORKSPACE, 'dist/apps/agent-api/apps/agent-api/src/main.js'),
  gateway: join(WORKSPACE, 'dist/apps/telephony-gateway/apps/telephony-gateway/src/main.js'),
  cli: join(WORKSPACE, 'dist/apps/outbound-cli/apps/outbound-cli/src/main.js'),
};

/**
 * The API key of this test run: every service `startService` starts requires it, and `runCli`
 * sends it, as a deployment would. Pass `CODCALL_API_KEYS: ''` to start a service without one.
 */
export const E2E_API_KEY = `e2e-${randomBytes(16).toString('hex')}`;

/** `headers` plus this run's key, for a test that calls a service's API itself. */
export function withApiKey(headers: Record<string, string> = {}): Record<string, string> {
  return { ...headers, authorization: `Bearer ${E2E_API_KEY}` };
}


export interface RunningService {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts a built app as its own process and waits until its /health answers. By default it
 * requires this run's key, listens on 127.0.0.1, runs the carrier simulator (the e2e campaigns
 * dial it) and keeps the gateway's state in a temporary folder removed by `stop()`; `env` wins.
 */
export async function startService(main: string, env: Record<string, string>, port: number, options: { readyWithinMs?: number } = {}): Promise<RunningService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'codcall-service-'));
  const defaults = {
    CODCALL_API_KEYS: E2E_API_KEY,
    CODCALL_API_KEY: E2E_API_KEY,
    AGENT_API_HOST: '127.0.0.1',
    GATEWAY_HOST: '127.0.0.1',
    SIMULATOR_ENABLED: 'true',
    GATEWAY_DATA_DIR: dataDir,
    // One gateway process unless a story asks for workers (cluster.e2e.spec.ts does).
    GATEWAY_WORKERS: '1',
  };
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...defaults, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyWithinMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`${main} exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      // Not left running behind the failed start: a gateway's workers follow their primary out.
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`${main} did not become healthy:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    process: child,
    output: () => output,
    stop: async () => {
      // A process ended by a signal has a null exitCode but a signalCode: it will never emit 'exit' again.
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; it sends this run's key unless `env` gives another CODCALL_API_KEY. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 150_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAINS.cli, ...args], { env: { ...process.env, CODCALL_API_KEY: E2E_API_KEY, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
