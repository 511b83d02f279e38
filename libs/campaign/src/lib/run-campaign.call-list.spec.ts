import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallListRepository } from '@codcall/call-list';
import { FakeGateway } from '@codcall/test-support';
import { HttpGatewayClient } from './gateway-client';
import { runCampaign } from './run-campaign';

describe('runCampaign over a real CSV', () => {
  let gateway: FakeGateway;
  afterEach(() => gateway?.stop());

  it('given a confirm, a reschedule, a bad number and a row already done, the CSV ends with exactly those outcomes', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'campaign-')), 'call_list.csv');
    writeFileSync(
      csv,
      [
        'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes',
        '"Doe, John",+15551234567,ORD001,,,,"ring ""twice"""',
        'Priya Sharma,+919876543210,ORD002,,,,',
        'Bad Number,12345,ORD003,,,,',
        'Already Done,+15551230000,ORD004,cancelled,,,keep',
        '',
      ].join('\r\n'),
    );
    gateway = await new FakeGateway({
      script: (call) =>
        call.context['order_id'] === 'ORD002'
          ? { outcome: { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' } }
          : { outcome: { status: 'confirmed' } },
    }).start();
    const repository = await CallListRepository.open(csv);

    const summary = await runCampaign({ repository, gateway: new HttpGatewayClient(gateway.url), agentId: 'a1', carrier: 'sim', callsPerSecond: Infinity });
    await repository.close();

    expect(summary).toMatchObject({ total: 4, skippedFinal: 1, invalidNumbers: 1, dialled: 2, byStatus: { confirmed: 1, rescheduled: 1, invalid_number: 1 } });
    expect(gateway.received.map((call) => call.context['notes'])).toEqual(['ring "twice"', '']);
    expect(readFileSync(csv, 'utf8')).toBe(
      [
        'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,notes',
        '"Doe, John",+15551234567,ORD001,confirmed,,,"ring ""twice"""',
        'Priya Sharma,+919876543210,ORD002,rescheduled,2031-05-06,15:00,',
        'Bad Number,12345,ORD003,invalid_number,,,',
        'Already Done,+15551230000,ORD004,cancelled,,,keep',
        '',
      ].join('\r\n'),
    );
  });
});
