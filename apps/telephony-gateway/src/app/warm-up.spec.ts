import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeliverySlotParsingWarm, resolveDeliverySlot } from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { sampleRuntimeAgent } from '@codcall/test-support';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config';
import { warmUpGateway } from './warm-up';

/** Each spec file is a fresh module registry: this one stands for a gateway process that has just started. */
describe('warm-up at start', () => {
  let dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('has chrono-node through its first parse before the gateway can take a call, and resolves dates as before', async () => {
    expect(isDeliverySlotParsingWarm()).toBe(false);
    dirs = [mkdtempSync(join(tmpdir(), 'warm-up-records-')), mkdtempSync(join(tmpdir(), 'warm-up-data-'))];
    const app = await createGatewayApp(loadGatewayConfig({ RECORDS_DIR: dirs[0], GATEWAY_DATA_DIR: dirs[1], SIMULATOR_ENABLED: 'true' }), {
      logger: silentLogger(),
      agents: { getRuntimeConfig: async () => sampleRuntimeAgent() },
    });
    try {
      expect(isDeliverySlotParsingWarm()).toBe(true);
      expect(resolveDeliverySlot('tomorrow', '3 pm', { now: new Date('2026-11-24T23:30:00Z'), timezone: 'Asia/Kolkata' })).toEqual({ ok: true, date: '2026-11-26', time: '15:00' });
    } finally {
      await app.close();
    }
  });

  it('takes the parser through its success, daypart and past-date branches, and each codec through every message kind', () => {
    const report = warmUpGateway();
    expect(report).toEqual({ deliverySlotsResolved: 10, mediaMessagesParsed: 8 });
  });
});
