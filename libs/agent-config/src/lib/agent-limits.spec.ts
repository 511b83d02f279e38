import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerUrlProblem } from './provider-url';
import { validateAgentJson, type AgentValidation } from './validate-agent';

const seed = () => JSON.parse(readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8'));
const errorsOf = (result: AgentValidation) => (result.ok ? [] : result.errors);

describe('the URLs an agent may name', () => {
  const withBaseUrl = (url: string) => {
    const agent = seed();
    agent.agent_config.tasks[0].tools_config.llm_agent.llm_config.base_url = url;
    return agent;
  };
  const BASE_URL = 'agent_config.tasks.0.tools_config.llm_agent.llm_config.base_url';

  it('takes an https provider, and plain http only to this machine', () => {
    expect(validateAgentJson(withBaseUrl('https://my-resource.openai.azure.com/openai/v1')).ok).toBe(true);
    expect(validateAgentJson(withBaseUrl('http://localhost:11434/v1')).ok).toBe(true);
    expect(validateAgentJson(withBaseUrl('http://127.0.0.1:8000/v1')).ok).toBe(true);
  });

  it('refuses the metadata service that hands out the cloud credentials, naming the field', () => {
    expect(errorsOf(validateAgentJson(withBaseUrl('http://169.254.169.254/')))).toEqual([
      { path: BASE_URL, message: 'base_url must not point at a cloud metadata service' },
    ]);
  });

  it('refuses plain http to another host unless the deployment allows it', () => {
    const agent = withBaseUrl('http://llm.attacker.example/v1');
    expect(errorsOf(validateAgentJson(agent))).toEqual([
      { path: BASE_URL, message: 'base_url must use https (plain http is allowed only to localhost, or everywhere with ALLOW_INSECURE_PROVIDER_URLS=true)' },
    ]);
    expect(validateAgentJson(agent, { providerUrls: { allowInsecure: true } }).ok).toBe(true);
    // Metadata stays refused even then.
    expect(validateAgentJson(withBaseUrl('http://metadata.google.internal/'), { providerUrls: { allowInsecure: true } }).ok).toBe(false);
  });

  it('checks every URL the agent holds, declared or not', () => {
    const agent = seed();
    agent.agent_config.webhook_url = 'http://hooks.example.com/done';
    expect(errorsOf(validateAgentJson(agent)).map((error) => error.path)).toEqual(['agent_config.webhook_url']);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['https://169.254.10.1/', 'link-local'],
    ['http://2852039166/', 'cloud metadata'], // 169.254.169.254 as one number
    ['http://[::ffff:a9fe:a9fe]/', 'cloud metadata'],
    ['https://[fe80::1]/', 'link-local'],
    ['https://[fd00:ec2::254]/', 'cloud metadata'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'cloud metadata'],
    ['https://100.100.100.200/', 'cloud metadata'],
    ['https://0.0.0.0:8080/', 'unspecified'],
    ['https://[::]/', 'unspecified'],
    ['https://user:secret@api.example.com/v1', 'user name or password'],
    ['ftp://api.example.com/', 'https URL, not ftp'],
    ['file:///etc/passwd', 'https URL, not file'],
    ['api.openai.com/v1', 'absolute https URL'],
  ])('refuses %s (%s)', (url, why) => {
    expect(providerUrlProblem(url, { allowInsecure: true })).toContain(why);
  });
});

describe('the length of an agent’s texts', () => {
  it('refuses a 900 KB welcome message, naming the field', () => {
    const agent = seed();
    agent.agent_config.agent_welcome_message = 'Hello '.repeat(150_000);
    expect(errorsOf(validateAgentJson(agent))).toEqual([
      { path: 'agent_config.agent_welcome_message', message: 'agent_welcome_message must be shorter than or equal to 1000 characters' },
    ]);
  });

  it('bounds the voicemail and reprompt messages, the cancellation prompt and every system prompt', () => {
    const agent = seed();
    const task = agent.agent_config.tasks[0].task_config;
    task.voicemail_message = 'v'.repeat(1001);
    task.user_online_message = 'u'.repeat(1001);
    task.call_cancellation_prompt = 'c'.repeat(5001);
    agent.agent_prompts.task_1.system_prompt = 's'.repeat(20_001);
    agent.agent_prompts.task_2 = { system_prompt: 'e'.repeat(20_001) };
    expect(errorsOf(validateAgentJson(agent)).map((error) => error.path).sort()).toEqual([
      'agent_config.tasks.0.task_config.call_cancellation_prompt',
      'agent_config.tasks.0.task_config.user_online_message',
      'agent_config.tasks.0.task_config.voicemail_message',
      'agent_prompts.task_1.system_prompt',
      'agent_prompts.task_2.system_prompt',
    ]);
  });

  it('bounds a tool’s description as OpenAI does, and its whole JSON', () => {
    const agent = seed();
    const tools = agent.agent_config.tasks[0].tools_config.api_tools.tools;
    tools[0].function.description = 'd'.repeat(1025);
    tools[1].function.parameters.properties.huge = { type: 'string', enum: Array.from({ length: 2000 }, (_, i) => `value-${i}`) };
    expect(errorsOf(validateAgentJson(agent))).toEqual([
      { path: 'agent_config.tasks.0.tools_config.api_tools.tools.0.function.description', message: 'description is 1025 characters long; at most 1024 are allowed' },
      { path: 'agent_config.tasks.0.tools_config.api_tools.tools.1', message: expect.stringMatching(/^the tool is \d+ characters of JSON; at most 16384 are allowed$/) },
    ]);
  });

  it('takes texts right at their limits', () => {
    const agent = seed();
    agent.agent_config.agent_welcome_message = 'w'.repeat(1000);
    agent.agent_prompts.task_1.system_prompt = 's'.repeat(20_000);
    expect(errorsOf(validateAgentJson(agent))).toEqual([]);
  });
});

describe('a document that is not an agent', () => {
  it('names a missing agent_config instead of failing', () => {
    expect(errorsOf(validateAgentJson({ agent_prompts: {} }))).toEqual([{ path: 'agent_config', message: 'agent_config is required' }]);
    expect(errorsOf(validateAgentJson({}))).toEqual(expect.arrayContaining([{ path: 'agent_config', message: 'agent_config is required' }]));
  });

  it('refuses deep nesting before anything recurses into it', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { agent_config: deep };
    expect(errorsOf(validateAgentJson(deep))).toEqual([{ path: '', message: 'the agent JSON nests objects and arrays deeper than 32 levels' }]);
  });
});
