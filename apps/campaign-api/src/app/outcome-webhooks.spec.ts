import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { CampaignView } from '@codcall/gateway-api';
import { verifyOutcomeWebhook } from '@codcall/outcome-webhooks';
import { FakeAgentApi, FakeGateway, freePort, type FakeCallScript, type PlaceCallBody } from '@codcall/test-support';
import { createCampaignApiApp } from './bootstrap';
import { loadCampaignApiConfig } from './config';

const API_KEY = 'campaign-api-webhooks-key-0123456789';
const SECRET = 'whsec_campaign_api_0123456789';
const AGENT = '11111111-1111-4111-8111-111111111111';
const CSV = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time', 'John Doe,+15551234567,ORD001,,,', 'Jane Smith,+15559876543,ORD002,,,', 'Wrong Format,98765 43210,ORD003,,,', ''].join('\n');

function outcomeOf(call: PlaceCallBody): FakeCallScript {
  return call.recipient_phone_number === '+15559876543'
    ? { outcome: { status: 'failed', reason: 'the call was cut off' } }
    : { outcome: { status: 'confirmed' }, view: { duration_seconds: 33, transcript: [{ speaker: 'callee', text: 'Yes, I confirm the order.' }] } };
}

describe('campaign API outcome webhooks', () => {
  it("posts each final outcome of a campaign, signed, to the campaign's own outcome_webhook_url, with a link that opens its call", async () => {
    const received: { payload: Record<string, unknown>; valid: boolean }[] = [];
    const receiver: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ payload: JSON.parse(body), valid: verifyOutcomeWebhook(body, request.headers as Record<string, string>, SECRET).valid });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/outcomes`;
    const dataDir = mkdtempSync(join(tmpdir(), 'campaign-api-webhooks-'));
    writeFileSync(join(dataDir, 'index.html'), '<!doctype html><title>dashboard</title>');
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const agents = await new FakeAgentApi([AGENT]).start();
    const gateway = await new FakeGateway({ carriers: ['sim'], script: outcomeOf }).start();
    let app: INestApplication | undefined;
    try {
      const config = loadCampaignApiConfig({
        CODCALL_API_KEYS: API_KEY, CAMPAIGN_API_HOST: '127.0.0.1', DATA_DIR: dataDir, AGENT_API_URL: agents.url, GATEWAY_URL: gateway.url,
        OUTCOME_WEBHOOK_SECRET: SECRET, CAMPAIGN_API_PUBLIC_URL: `${publicUrl}/`, DASHBOARD_DIR: dataDir,
      });
      app = await createCampaignApiApp(config, { pollSeconds: 1 });
      await app.listen(port, '127.0.0.1');
      const url = publicUrl;
      const form = new FormData();
      for (const [name, value] of Object.entries({ agent_id: AGENT, provider: 'sim', window: '00:00-24:00', cps: '1000', max_attempts: '1', outcome_webhook_url: receiverUrl })) form.append(name, value);
      form.append('csv', new Blob([CSV], { type: 'text/csv' }), 'orders.csv');
      const created = await fetch(`${url}/campaigns`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body: form });
      expect(created.status).toBe(201);
      const campaign = (await created.json()) as CampaignView;

      const deadline = Date.now() + 10_000;
      while (received.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(received.every((each) => each.valid)).toBe(true);
      const byOrder = Object.fromEntries(received.map(({ payload }) => [(payload['row'] as Record<string, string>)['order_id'], payload]));
      expect(Object.keys(byOrder).sort()).toEqual(['ORD001', 'ORD002', 'ORD003']);
      expect(received).toHaveLength(3);
      const callId = byOrder['ORD001']['call_id'] as string;
      expect(byOrder['ORD001']).toMatchObject({
        campaign_id: campaign.campaign_id, status: 'confirmed', duration_seconds: 33,
        transcript_url: `${publicUrl}/campaigns/${campaign.campaign_id}/calls/${callId}`,
        row: { name: 'John Doe', recipient_phone_number: '+15551234567', order_id: 'ORD001' },
      });
      // The receiver follows the link with the operator's key and gets that call; a browser gets its page in the dashboard.
      const transcriptUrl = byOrder['ORD001']['transcript_url'] as string;
      const call = await fetch(transcriptUrl, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(await call.json()).toMatchObject({ call_id: callId, order_id: 'ORD001', status: 'confirmed', duration_seconds: 33, transcript: [{ text: 'Yes, I confirm the order.' }] });
      expect((await fetch(transcriptUrl)).status).toBe(401);
      const opened = await fetch(transcriptUrl, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, redirect: 'manual' });
      expect([opened.status, opened.headers.get('location')]).toEqual([302, `/#/campaigns/${campaign.campaign_id}/calls/${callId}`]);
      expect(byOrder['ORD002']).toMatchObject({ status: 'failed', reason: 'the call was cut off' });
      expect(byOrder['ORD003']).toMatchObject({ status: 'invalid_number' });
      expect(byOrder['ORD003']['transcript_url']).toBeUndefined();
    } finally {
      await app?.close();
      await gateway.stop();
      await agents.stop();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with OUTCOME_WEBHOOK_URL but no secret, naming both', () => {
    expect(() => loadCampaignApiConfig({ DATA_DIR: tmpdir(), OUTCOME_WEBHOOK_URL: 'https://orders.example/outcomes' })).toThrow(/OUTCOME_WEBHOOK_URL is set but OUTCOME_WEBHOOK_SECRET is not/);
  });
});
