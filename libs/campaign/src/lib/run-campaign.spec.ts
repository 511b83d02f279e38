import { FakeGateway, InMemoryCallList, unusedUrl, type FakeCallScript, type PlaceCallBody } from '@codcall/test-support';
import { CampaignOptionsError, GatewayRequestError, ServiceUnreachableError } from './errors';
import { HttpGatewayClient } from './gateway-client';
import { NO_RETRIES } from './retry-policy';
import { CampaignStoppedError, runCampaign, type CampaignEvent, type CampaignOptions } from './run-campaign';

const AGENT = 'agent-1';

function customers(count: number): InMemoryCallList {
  return new InMemoryCallList(
    Array.from({ length: count }, (_, i) => ({ phone: `+1555000${String(i).padStart(4, '0')}`, order_id: `ORD${String(i + 1).padStart(3, '0')}` })),
  );
}

function byOrder(script: Record<string, FakeCallScript>): (call: PlaceCallBody) => FakeCallScript {
  return (call) => script[call.context['order_id']] ?? { outcome: { status: 'confirmed' } };
}

describe('runCampaign', () => {
  let gateway: FakeGateway;

  afterEach(async () => {
    await gateway?.stop();
  });

  async function campaign(options: Partial<CampaignOptions> & Pick<CampaignOptions, 'repository'>, script?: (call: PlaceCallBody) => FakeCallScript) {
    gateway = await new FakeGateway({ script }).start();
    const events: CampaignEvent[] = [];
    const run = runCampaign({
      gateway: new HttpGatewayClient(gateway.url, { pollRetryDelaysMs: [10, 10], connectRetryDelaysMs: [10] }),
      agentId: AGENT,
      carrier: 'sim',
      pollSeconds: 5,
      // One call per row and no pacing here: retries and limits have their own specs.
      retryPolicy: NO_RETRIES,
      callsPerSecond: Infinity,
      onEvent: (event) => events.push(event),
      ...options,
    });
    return { run, events };
  }

  it('given callees who confirm, cancel and reschedule, writes each outcome to its own row', async () => {
    const list = new InMemoryCallList([
      { name: 'John Doe', phone: '+15551234567', order_id: 'ORD001', city: 'Austin' },
      { name: 'Jane Smith', phone: '+15559876543', order_id: 'ORD002' },
      { name: 'Priya Sharma', phone: '+919876543210', order_id: 'ORD003' },
    ]);
    const { run } = await campaign(
      { repository: list, simulation: { '+15551234567': { answer: 'human', says: ['Yes, deliver it.'] } } },
      byOrder({
        ORD002: { outcome: { status: 'cancelled' } },
        ORD003: { outcome: { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' } },
      }),
    );

    const summary = await run;

    expect(list.outcomeOf('ORD001')).toEqual({ status: 'confirmed' });
    expect(list.outcomeOf('ORD002')).toEqual({ status: 'cancelled' });
    expect(list.outcomeOf('ORD003')).toEqual({ status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00' });
    expect(summary).toMatchObject({ total: 3, pending: 3, dialled: 3, skippedFinal: 0, invalidNumbers: 0, notRecorded: 0, interrupted: false });
    expect(summary.byStatus).toEqual({ confirmed: 1, cancelled: 1, rescheduled: 1 });
    expect(list.flushes).toBeGreaterThan(0);

    // The gateway got the agent, the carrier, every column of the row, and that number's scripted callee.
    const john = gateway.received.find((call) => call.context['order_id'] === 'ORD001');
    expect(john).toEqual({
      agent_id: AGENT,
      recipient_phone_number: '+15551234567',
      carrier: 'sim',
      context: expect.objectContaining({ name: 'John Doe', order_id: 'ORD001', city: 'Austin', recipient_phone_number: '+15551234567' }),
      simulation: { answer: 'human', says: ['Yes, deliver it.'] },
    });
    expect(gateway.received.find((call) => call.context['order_id'] === 'ORD002')).not.toHaveProperty('simulation');
  });

  it('records each outcome as its call ends, not at the end of the campaign', async () => {
    const list = customers(2);
    const { run, events } = await campaign({ repository: list }, byOrder({ ORD001: { hold: true }, ORD002: { outcome: { status: 'busy' }, afterMs: 5 } }));
    const [first] = await gateway.placed(1);
    await until(() => list.recorded.length === 1);

    expect(list.outcomeOf('ORD002')).toEqual({ status: 'busy' });
    expect(list.statusOf('ORD001')).toBe('');
    gateway.finish(first, { status: 'voicemail' });
    await run;
    expect(list.outcomeOf('ORD001')).toEqual({ status: 'voicemail' });
    expect(events.filter((e) => e.type === 'row-finished').map((e) => e.type === 'row-finished' && e.row.values['order_id'])).toEqual(['ORD002', 'ORD001']);
  });

  it('keeps long-polling a call that outlasts one poll', async () => {
    const list = customers(1);
    const { run } = await campaign({ repository: list, pollSeconds: 1 }, () => ({ outcome: { status: 'no_answer' }, afterMs: 1300 }));
    await expect(run).resolves.toMatchObject({ byStatus: { no_answer: 1 } });
  });

  it('never has more than `concurrency` calls in flight', async () => {
    const list = customers(12);
    const { run } = await campaign({ repository: list, concurrency: 3 }, () => ({ outcome: { status: 'confirmed' }, afterMs: 30 }));
    const summary = await run;
    expect(summary.dialled).toBe(12);
    expect(gateway.maxInFlight).toBe(3);
  });

  it('calls two orders on the same phone one after the other', async () => {
    const list = new InMemoryCallList([
      { phone: '+15551234567', order_id: 'ORD001' },
      { phone: '+15551234567', order_id: 'ORD002' },
      { phone: '+15559876543', order_id: 'ORD003' },
    ]);
    const { run } = await campaign({ repository: list, concurrency: 3 }, () => ({ outcome: { status: 'confirmed' }, afterMs: 30 }));
    await run;
    expect(gateway.maxInFlightPerNumber).toBe(1);
    expect(list.recorded).toHaveLength(3);
  });

  it('records invalid_number for unusable numbers without dialling them, and skips rows already final', async () => {
    const list = new InMemoryCallList([
      { phone: '+15551234567', order_id: 'ORD001' },
      { phone: '98765 43210', order_id: 'ORD002' },
      { phone: '+15559876543', order_id: 'ORD003', status: 'confirmed' },
      { phone: '+15550001111', order_id: 'ORD004', status: 'no_answer' },
    ]);
    const { run, events } = await campaign({ repository: list });
    const summary = await run;

    expect(list.outcomeOf('ORD002')).toEqual({ status: 'invalid_number' });
    expect(gateway.received.map((call) => call.context['order_id'])).toEqual(['ORD001', 'ORD004']);
    expect(summary).toMatchObject({ total: 4, pending: 3, skippedFinal: 1, invalidNumbers: 1, dialled: 2 });
    expect(summary.byStatus).toEqual({ confirmed: 2, invalid_number: 1 });
    const invalid = events.find((e) => e.type === 'row-finished' && e.outcome.status === 'invalid_number');
    // The reason says what is wrong without showing the whole number.
    expect(invalid).toMatchObject({ outcome: { reason: '"98******10" has no leading + and country code (E.164, e.g. +919876543210)' } });
  });

  it.each([
    [400, 'recipient_phone_number must be an E.164 number'],
    [500, 'Internal server error'],
  ])('a %i from the gateway for one row marks that row failed and goes on', async (status, message) => {
    const list = customers(3);
    const { run, events } = await campaign({ repository: list }, byOrder({ ORD002: { reject: { status, message } } }));
    const summary = await run;

    expect(list.statusOf('ORD001')).toBe('confirmed');
    expect(list.outcomeOf('ORD002')).toEqual({ status: 'failed' });
    expect(list.statusOf('ORD003')).toBe('confirmed');
    expect(summary.byStatus).toEqual({ confirmed: 2, failed: 1 });
    const error = events.find((e) => e.type === 'row-error');
    expect(error).toMatchObject({ recordedAs: 'failed', error: expect.any(GatewayRequestError) });
    expect(error?.type === 'row-error' && error.error.message).toContain(message);
  });

  it('stops when the gateway does not know the agent, leaving the rows as they were', async () => {
    const list = customers(5);
    const { run } = await campaign({ repository: list, concurrency: 1 }, () => ({ reject: { status: 404, message: `agent ${AGENT} not found` } }));
    const error = await run.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CampaignStoppedError);
    expect((error as CampaignStoppedError).cause).toMatchObject({ status: 404 });
    expect(gateway.received).toHaveLength(1);
    expect(list.recorded).toEqual([]);
    expect((error as CampaignStoppedError).summary).toMatchObject({ dialled: 0, notRecorded: 5 });
  });

  it('stops with the gateway URL when the gateway is unreachable, dialling nothing', async () => {
    const list = new InMemoryCallList([
      { phone: '+15551234567', order_id: 'ORD001' },
      { phone: '12345', order_id: 'ORD002' },
    ]);
    const url = await unusedUrl();
    const error = await runCampaign({ repository: list, gateway: new HttpGatewayClient(url, { connectRetryDelaysMs: [5, 5] }), agentId: AGENT, carrier: 'sim' }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(CampaignStoppedError);
    const cause = (error as CampaignStoppedError).cause;
    expect(cause).toBeInstanceOf(ServiceUnreachableError);
    expect(cause.message).toContain(url);
    expect(list.statusOf('ORD001')).toBe('');
    expect(list.statusOf('ORD002')).toBe('invalid_number');
  });

  it('when the gateway goes away mid-campaign, stops dialling and leaves the lost calls\' rows as they were', async () => {
    const list = customers(4);
    const { run } = await campaign({ repository: list, concurrency: 2 }, byOrder({ ORD001: { outcome: { status: 'confirmed' } }, ORD002: { hold: true }, ORD003: { hold: true } }));
    await gateway.placed(3);
    await until(() => list.recorded.length === 1);
    await gateway.stop();

    const error = (await run.catch((e: unknown) => e)) as CampaignStoppedError;
    expect(error.cause).toBeInstanceOf(ServiceUnreachableError);
    expect(list.statusOf('ORD001')).toBe('confirmed');
    expect(['ORD002', 'ORD003', 'ORD004'].map((order) => list.statusOf(order))).toEqual(['', '', '']);
    expect(error.summary).toMatchObject({ dialled: 3, notRecorded: 3 });
  });

  it('when interrupted, dials no new row but waits for the calls in flight and records them', async () => {
    const list = customers(6);
    const abort = new AbortController();
    const { run, events } = await campaign({ repository: list, concurrency: 2, signal: abort.signal }, () => ({ hold: true }));
    const [first, second] = await gateway.placed(2);

    abort.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gateway.finish(first, { status: 'confirmed' });
    gateway.finish(second, { status: 'rescheduled', reschedule_date: '2031-01-02', reschedule_time: '09:30' });
    const summary = await run;

    expect(summary).toMatchObject({ interrupted: true, dialled: 2, notRecorded: 4, byStatus: { confirmed: 1, rescheduled: 1 } });
    expect(gateway.received).toHaveLength(2);
    expect(list.outcomeOf('ORD002')).toEqual({ status: 'rescheduled', reschedule_date: '2031-01-02', reschedule_time: '09:30' });
    expect(['ORD003', 'ORD004', 'ORD005', 'ORD006'].map((order) => list.statusOf(order))).toEqual(['', '', '', '']);
    expect(events).toContainEqual({ type: 'stopping', reason: 'interrupted', inFlight: 2 });
    expect(list.flushes).toBeGreaterThan(0);
  });

  it('interrupted before it starts, dials nothing', async () => {
    const list = customers(2);
    const { run } = await campaign({ repository: list, signal: AbortSignal.abort() });
    await expect(run).resolves.toMatchObject({ interrupted: true, dialled: 0, notRecorded: 2 });
    expect(gateway.received).toEqual([]);
  });

  it('stops when an outcome cannot be written to the CSV', async () => {
    const list = customers(3);
    list.failRecordWith = new Error('EACCES: permission denied');
    const { run } = await campaign({ repository: list, concurrency: 1 });
    const error = (await run.catch((e: unknown) => e)) as CampaignStoppedError;
    expect(error.message).toContain('EACCES');
    expect(gateway.received).toHaveLength(1);
  });

  it('refuses a concurrency outside 1..100', async () => {
    const options = { repository: customers(1), gateway: new HttpGatewayClient('http://127.0.0.1:9'), agentId: AGENT, carrier: 'sim' as const };
    await expect(runCampaign({ ...options, concurrency: 0 })).rejects.toThrow(CampaignOptionsError);
    await expect(runCampaign({ ...options, concurrency: 101 })).rejects.toThrow('concurrency must be an integer from 1 to 100, got 101');
  });
});

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
