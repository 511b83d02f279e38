import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createAgentApiApp } from './bootstrap';

/** Test responses are whatever JSON the API sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

const seedText = readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8');

async function start(dataDir: string): Promise<{ app: INestApplication; url: string }> {
  const app = await createAgentApiApp({ host: '127.0.0.1', port: 0, dataDir });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

describe('agent API', () => {
  let dataDir: string;
  let app: INestApplication;
  let url: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agent-api-'));
    ({ app, url } = await start(dataDir));
  });
  afterEach(() => app.close());

  const send = (method: string, path: string, body?: string) =>
    fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body });

  it('creates the shipped COD agent and answers exactly as Bolna does', async () => {
    const response = await send('POST', '/agent', seedText);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(Object.keys(body).sort()).toEqual(['agent_id', 'state']);
    expect(body.state).toBe('created');
    expect(body.agent_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await json(send('GET', `/agent/${body.agent_id}`))).toEqual(JSON.parse(seedText));
  });

  it('lists, replaces, serves the runtime config, and deletes', async () => {
    const { agent_id } = await json(send('POST', '/agent', seedText));
    const changed = JSON.parse(seedText);
    changed.agent_config.agent_name = 'cod_v2';
    expect(await json(send('PUT', `/agent/${agent_id}`, JSON.stringify(changed)))).toEqual({ agent_id, state: 'updated' });
    expect((await json(send('GET', '/agents'))).agents).toEqual([expect.objectContaining({ agent_id, agent_name: 'cod_v2' })]);
    expect((await json(send('GET', '/all'))).agents[0].data.agent_config.agent_name).toBe('cod_v2');
    expect((await json(send('GET', `/agent/${agent_id}/runtime`))).agentName).toBe('cod_v2');
    expect(await json(send('DELETE', `/agent/${agent_id}`))).toEqual({ agent_id, state: 'deleted' });
    expect((await send('GET', `/agent/${agent_id}`)).status).toBe(404);
    expect((await send('DELETE', `/agent/${agent_id}`)).status).toBe(404);
  });

  it('answers 400 with every failing field, and for a body that is not JSON', async () => {
    const bad = JSON.parse(seedText);
    bad.agent_config.tasks[0].tools_config.llm_agent.llm_config.max_tokens = -1;
    delete bad.agent_config.agent_welcome_message;
    const response = await send('POST', '/agent', JSON.stringify(bad));
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.message).toBe('agent JSON is invalid');
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['agent_config.agent_welcome_message', 'agent_config.tasks.0.tools_config.llm_agent.llm_config.max_tokens']),
    );
    expect((await send('POST', '/agent', '{not json')).status).toBe(400);
    expect((await send('GET', '/agent/not-a-uuid')).status).toBe(400);
  });

  it('keeps unknown fields as sent and reports them', async () => {
    const agent = JSON.parse(seedText);
    agent.agent_config.webhook_url = 'https://example.com/hook';
    const body = await json(send('POST', '/agent', JSON.stringify(agent)));
    expect(body.unknown_fields).toEqual(['agent_config.webhook_url']);
    expect((await json(send('GET', `/agent/${body.agent_id}`))).agent_config.webhook_url).toBe('https://example.com/hook');
  });

  it('keeps agents across a restart', async () => {
    const { agent_id } = await json(send('POST', '/agent', seedText));
    await app.close();
    ({ app, url } = await start(dataDir));
    expect((await send('GET', `/agent/${agent_id}`)).status).toBe(200);
  });
});
