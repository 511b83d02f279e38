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

  it('given a callback for tomorrow, a transfer and an address correction, the CSV ends with them in the columns it has, and no column is added', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'campaign-')), 'call_list.csv');
    const header = 'name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,callback_at,address,address_update,language';
    writeFileSync(
      csv,
      [
        header,
        'Sam Carter,+15557654321,ORD012,,,,,"12 Elm St, Denver",,',
        'Lee Wong,+15553334444,ORD013,,,,,Seattle,,',
        'فاطمة الزهراء,+971509876543,ORD011,,,,,"Villa 9, Jumeirah",,ar',
        'Pierre,+33612345678,ORD014,,,,,Paris,,Klingon',
        '',
      ].join('\n'),
    );
    const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 16) + 'Z';
    gateway = await new FakeGateway({
      script: (call) =>
        call.context['order_id'] === 'ORD012'
          ? { outcome: { status: 'callback_requested', callback_at: tomorrow } }
          : call.context['order_id'] === 'ORD013'
            ? { outcome: { status: 'transferred', reason: 'asked for a person' } }
            : { outcome: { status: 'confirmed', address_update: 'Villa 9, Street 14, Jumeirah 1' } },
    }).start();
    const repository = await CallListRepository.open(csv);

    const summary = await runCampaign({ repository, gateway: new HttpGatewayClient(gateway.url), agentId: 'a1', carrier: 'sim', callsPerSecond: Infinity, exitWhenWaiting: true });
    await repository.close();

    expect(summary).toMatchObject({ dialled: 3, callbacksScheduled: 1, waiting: 1, notRecorded: 0, skippedUnknownLanguage: 1, byStatus: { transferred: 1, confirmed: 1 } });
    expect(gateway.received.map((call) => [call.context['order_id'], call.context['language']])).toEqual([['ORD012', ''], ['ORD013', ''], ['ORD011', 'ar']]);
    expect(readFileSync(csv, 'utf8')).toBe(
      [
        header,
        `Sam Carter,+15557654321,ORD012,callback_requested,,,${tomorrow},"12 Elm St, Denver",,`,
        'Lee Wong,+15553334444,ORD013,transferred,,,,Seattle,,',
        'فاطمة الزهراء,+971509876543,ORD011,confirmed,,,,"Villa 9, Jumeirah","Villa 9, Street 14, Jumeirah 1",ar',
        'Pierre,+33612345678,ORD014,,,,,Paris,,Klingon',
        '',
      ].join('\n'),
    );
  });
});
