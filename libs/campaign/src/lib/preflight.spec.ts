import { CarrierNotConfiguredError } from './errors';
import { preflightCampaign } from './preflight';

describe('preflightCampaign', () => {
  const gateway = (carriers: string[]) => ({ baseUrl: 'http://gw', health: async () => ({ status: 'ok', carriers, idempotencyKeys: false }) });

  it('refuses a carrier the gateway has not configured, naming the ones it has', async () => {
    const agents = { assertAgentExists: jest.fn(async () => undefined) };
    const error = await preflightCampaign({ gateway: gateway(['sim']), agents, agentId: 'a', carrier: 'twilio' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarrierNotConfiguredError);
    expect((error as Error).message).toBe('carrier twilio is not configured on the gateway at http://gw (configured: sim)');
  });

  it('then checks that the agent exists', async () => {
    const agents = { assertAgentExists: jest.fn(async () => undefined) };
    await preflightCampaign({ gateway: gateway(['sim', 'twilio']), agents, agentId: 'a-1', carrier: 'twilio' });
    expect(agents.assertAgentExists).toHaveBeenCalledWith('a-1');
  });
});
