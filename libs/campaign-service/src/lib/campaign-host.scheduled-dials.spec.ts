import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentApiClient, HttpGatewayClient, type CallScheduling } from '@codcall/campaign';
import { FakeAgentApi, FakeGateway } from '@codcall/test-support';
import { CampaignHost } from './campaign-host';
import type { CampaignUpload } from './campaign-intake';

const AGENT = '11111111-1111-4111-8111-111111111111';
const CSV = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time', 'John Doe,+15551234567,ORD001,,,', ''].join('\r\n');
/** Busy is tried again 30 minutes later: the campaign waits, its retry queued ahead of time. */
const BUSY_RETRIED = { agent_id: AGENT, provider: 'sim', window: '00:00-24:00', cps: '1000', max_attempts: '2', retry_statuses: 'busy', retry_after: '30' };

/** What a queue would be asked to hold (the Redis side is call-queue's spec). */
class RecordedScheduling implements CallScheduling {
  readonly queued: string[] = [];
  readonly withdrawn: string[] = [];
  attemptKey(rowKey: string, attemptNo: number): string {
    return `${rowKey.replace(/\W/g, '-')}-attempt-${attemptNo}`;
  }
  async scheduleCalls(dials: Parameters<CallScheduling['scheduleCalls']>[0]): Promise<void> {
    this.queued.push(...dials.map((dial) => dial.request.idempotencyKey ?? ''));
  }
  async withdrawCalls(keys: readonly string[]): Promise<number> {
    this.withdrawn.push(...keys);
    return keys.length;
  }
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('CampaignHost with a gateway that takes dials ahead of time', () => {
  let dataDir: string;
  let agents: FakeAgentApi;
  let gateway: FakeGateway;

  beforeAll(async () => {
    agents = await new FakeAgentApi([AGENT]).start();
    gateway = await new FakeGateway({ carriers: ['sim'], script: () => ({ outcome: { status: 'busy' } }) }).start();
  });
  afterAll(async () => {
    await gateway.stop();
    await agents.stop();
  });
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'campaign-host-scheduled-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a pause and a cancel take the queued retry back, resume queues it again, and a shutdown leaves it to the gateways', async () => {
    const scheduling = new RecordedScheduling();
    const open = () =>
      CampaignHost.open({
        dataDir,
        agents: new AgentApiClient(agents.url),
        gatewayFor: () => Object.assign(new HttpGatewayClient(gateway.url, { pollRetryDelaysMs: [10], connectRetryDelaysMs: [10] }), { scheduling }),
        pollSeconds: 1,
      });
    const uploadDir = mkdtempSync(join(dataDir, 'upload-'));
    writeFileSync(join(uploadDir, 'call_list.csv'), CSV);
    const upload: CampaignUpload = { fields: BUSY_RETRIED, csv: { path: join(uploadDir, 'call_list.csv'), fileName: 'call_list.csv' } };
    const retry = scheduling.attemptKey('row:0', 2);

    const host = await open();
    const { campaign_id: id } = await host.create(upload);
    await until('the retry is queued', () => scheduling.queued.length === 1 && host.get(id).state === 'waiting');
    expect(scheduling.queued).toEqual([retry]);

    await host.pause(id);
    await host.idle(id);
    expect(scheduling.withdrawn).toEqual([retry]);

    await host.resume(id);
    await until('the retry is queued again', () => scheduling.queued.length === 2);
    await host.close(); // the service stops: the gateways dial the retry at its time
    expect(scheduling.withdrawn).toEqual([retry]);

    const restarted = await open();
    try {
      await until('the restarted service queues it once more', () => scheduling.queued.length === 3);
      await restarted.cancel(id);
      await restarted.idle(id);
      expect(scheduling.queued).toEqual([retry, retry, retry]);
      expect(scheduling.withdrawn).toEqual([retry, retry]);
      expect(gateway.placedCalls()).toHaveLength(1);
    } finally {
      await restarted.close();
    }
  });
});
