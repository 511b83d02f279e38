import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { silentLogger } from '@codcall/logging';
import { freePort, sampleRuntimeAgent } from '@codcall/test-support';
import { createGatewayApp } from '../bootstrap';
import { loadGatewayConfig } from '../config';
import { combineStats, type GatewayStats, type ProcessLoad } from './process-load';

const API_KEY = 'stats-spec-key-0123456789abcdef';

describe('GET /stats on a single-process gateway', () => {
  let app: INestApplication;
  let base: string;
  let dirs: string[];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    dirs = [mkdtempSync(join(tmpdir(), 'stats-records-')), mkdtempSync(join(tmpdir(), 'stats-data-'))];
    const config = loadGatewayConfig({ GATEWAY_PORT: String(port), RECORDS_DIR: dirs[0], GATEWAY_DATA_DIR: dirs[1], CODCALL_API_KEYS: API_KEY, SIMULATOR_ENABLED: 'true' });
    app = await createGatewayApp(config, { logger: silentLogger(), agents: { getRuntimeConfig: async () => sampleRuntimeAgent() } });
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('is behind the API key, unlike /health', async () => {
    expect((await fetch(`${base}/stats`)).status).toBe(401);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('reports this process as the one worker, with a live call counted while it rings', async () => {
    const headers = { authorization: `Bearer ${API_KEY}` };
    const placed = await fetch(`${base}/call`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 30 } }),
    });
    expect(placed.status).toBe(201);
    const stats = (await (await fetch(`${base}/stats?reset=1`, { headers })).json()) as GatewayStats;
    expect(stats.workers).toHaveLength(1);
    expect(stats.workers[0]).toEqual({
      pid: process.pid,
      calls_live: 1,
      event_loop_delay_p50_ms: expect.any(Number),
      event_loop_delay_p99_ms: expect.any(Number),
      cpu_user_ms: expect.any(Number),
      cpu_system_ms: expect.any(Number),
      rss_bytes: expect.any(Number),
    });
    expect(stats.totals).toMatchObject({ workers: 1, calls_live: 1, rss_bytes: stats.workers[0].rss_bytes });
  });
});

describe('the gateway\'s stats from its processes', () => {
  const load = (pid: number, calls: number, p99: number): ProcessLoad => ({
    pid,
    calls_live: calls,
    event_loop_delay_p50_ms: 1,
    event_loop_delay_p99_ms: p99,
    cpu_user_ms: 100 * pid,
    cpu_system_ms: 10 * pid,
    rss_bytes: 1000 * pid,
  });

  it('adds up calls, CPU and memory over the workers and the primary, and keeps the worst event-loop delay', () => {
    const { pid: _pid, calls_live: _calls, ...primary } = load(9, 0, 2);
    const stats = combineStats([load(1, 3, 4), load(2, 5, 12)], { pid: 9, ...primary });
    expect(stats.totals).toEqual({ workers: 2, calls_live: 8, cpu_user_ms: 1200, cpu_system_ms: 120, rss_bytes: 12000, event_loop_delay_p99_ms: 12 });
    expect(stats.workers.map((worker) => worker.pid)).toEqual([1, 2]);
  });
});
