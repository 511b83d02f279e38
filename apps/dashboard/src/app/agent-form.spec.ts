import { agentJsonOf, errorsByField, formValuesOf, testCallFiles } from './agent-form';

const template = {
  agent_config: {
    agent_name: 'cod',
    agent_welcome_message: 'Hello {name}',
    tasks: [{ tools_config: { transcriber: { language: 'en' }, synthesizer: { provider_config: { voice: 'Rachel' } } } }],
  },
  agent_prompts: { task_1: { system_prompt: 'You are Priya.' } },
};

describe('creating an agent from the form', () => {
  it('writes the form’s fields into the template and leaves an empty retry policy out', () => {
    const values = { ...formValuesOf(template), name: 'hindi_cod', language: 'hi', retryMaxAttempts: '', retryStatuses: '', retrySpacing: '' };
    const agent = agentJsonOf(template, values) as typeof template & { agent_config: { retry_policy?: unknown } };
    expect(agent.agent_config.agent_name).toBe('hindi_cod');
    expect(agent.agent_config.tasks[0].tools_config.transcriber.language).toBe('hi');
    expect(agent.agent_config.retry_policy).toBeUndefined();
    expect(template.agent_config.agent_name).toBe('cod');
  });

  it('writes a retry policy as agent-api reads it', () => {
    const agent = agentJsonOf(template, { ...formValuesOf(template), retryMaxAttempts: '3', retryStatuses: 'no_answer, busy', retrySpacing: '30' });
    expect((agent['agent_config'] as Record<string, unknown>)['retry_policy']).toEqual({ max_attempts: 3, statuses: ['no_answer', 'busy'], spacing_minutes: 30 });
  });

  it('puts agent-api’s validation errors against their fields, whatever the path’s spelling', () => {
    const { fields, general } = errorsByField([
      { path: 'agent_config.agent_welcome_message', message: 'must not be empty' },
      { path: 'agent_config.tasks[0].tools_config.transcriber.language', message: 'xx is not a language' },
      { path: 'agent_config.tasks[0].toolchain', message: 'is required' },
    ]);
    expect(fields).toEqual({ welcome: ['must not be empty'], language: ['xx is not a language'] });
    expect(general).toEqual(['agent_config.tasks[0].toolchain: is required']);
  });

  it('makes a one-row call list and its scripted callee for a test call', () => {
    const files = testCallFiles({ name: 'Doe, J', phone: '+15551234567', orderId: 'T1', lines: ['Yes.', 'Deliver it.'] });
    expect(files.csv).toBe('name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,language\n"Doe, J",+15551234567,T1,,,,\n');
    expect(JSON.parse(files.callees)).toEqual({ '+15551234567': { answer: 'human', says: ['Yes.', 'Deliver it.'] } });
  });
});
