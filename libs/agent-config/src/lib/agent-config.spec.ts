import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMissingVariables, renderTemplate } from './template';
import { toRuntimeConfig, AGENT_DEFAULTS } from './to-runtime-config';
import { validateAgentJson } from './validate-agent';

const seed = () => JSON.parse(readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8'));

describe('the agent JSON', () => {
  it('accepts the shipped COD confirmation agent and distils its runtime config', () => {
    const result = validateAgentJson(seed());
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.unknownFields).toEqual([]);
    const config = toRuntimeConfig(result.agent);
    expect(config.agentName).toBe('cod_confirmation');
    expect(config.transcriber).toEqual({ provider: 'deepgram', model: 'nova-3', language: 'en', endpointingMs: 300 });
    expect(config.llm).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, maxTokens: 150 });
    expect(config.synthesizer).toMatchObject({ provider: 'elevenlabs', model: 'eleven_flash_v2_5', voiceId: '21m00Tcm4TlvDq8ikWAM' });
    expect(config.timing).toEqual({ repromptAfterSeconds: 6, hangupAfterSilenceSeconds: 15, maxCallSeconds: 180, replyDelayMs: 0, interruptionWords: 2, interruptOnSpeechStarted: false, interruptionMode: 'pause', falseInterruptionTimeoutMs: 600 });
    expect(config.greetingPrefetch).toBe('answer');
    expect(config.goodbyeMessages.confirmed).toBe(AGENT_DEFAULTS.goodbyeMessages.confirmed);
    expect(config.systemPrompt).toContain('{order_id}');
  });

  it('names every failing field by its dotted path', () => {
    const agent = seed();
    agent.agent_config.tasks[0].tools_config.llm_agent.llm_config.temperature = 7;
    agent.agent_config.tasks[0].tools_config.synthesizer.provider = 'acme-tts';
    delete agent.agent_config.agent_name;
    const result = validateAgentJson(agent);
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'agent_config.agent_name',
        'agent_config.tasks.0.tools_config.llm_agent.llm_config.temperature',
        'agent_config.tasks.0.tools_config.synthesizer.provider',
      ]),
    );
  });

  it('keeps and reports fields it does not use instead of dropping them', () => {
    const agent = seed();
    agent.agent_config.tasks[0].task_config.ambient_noise = true;
    agent.agent_config.webhook_url = 'https://example.com/hook';
    const result = validateAgentJson(agent);
    expect(result.ok && result.unknownFields.sort()).toEqual(['agent_config.tasks.0.task_config.ambient_noise', 'agent_config.webhook_url']);
  });

  it('requires a system prompt for the conversation task', () => {
    const agent = seed();
    agent.agent_prompts = { task_2: { system_prompt: 'x' } };
    const result = validateAgentJson(agent);
    expect(!result.ok && result.errors[0].path).toBe('agent_prompts.task_1.system_prompt');
  });

  it('rejects a body that is not an agent object', () => {
    expect(validateAgentJson([]).ok).toBe(false);
    expect(validateAgentJson('agent').ok).toBe(false);
  });

  it('applies the documented defaults for fields left out', () => {
    const agent = seed();
    const task = agent.agent_config.tasks[0];
    delete task.task_config;
    delete task.tools_config.transcriber;
    const result = validateAgentJson(agent);
    const config = result.ok ? toRuntimeConfig(result.agent) : undefined;
    expect(config?.timing.maxCallSeconds).toBe(AGENT_DEFAULTS.maxCallSeconds);
    expect(config?.transcriber.model).toBe('nova-3');
    expect(config?.voicemail).toEqual({ action: 'hangup' });
  });

  it('takes barge-in on speech-started as a task_config option of its own, and refuses a non-boolean', () => {
    const agent = seed();
    agent.agent_config.tasks[0].task_config.interrupt_on_speech_started = true;
    const result = validateAgentJson(agent);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(toRuntimeConfig(result.agent).timing.interruptOnSpeechStarted).toBe(true);
    agent.agent_config.tasks[0].task_config.interrupt_on_speech_started = 'yes';
    const refused = validateAgentJson(agent);
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).toContain('interrupt_on_speech_started');
  });
});

describe('turn-taking, greeting and goodbye options', () => {
  it('takes the barge-in mode, its false-interruption window and the greeting prefetch policy, and refuses values it does not know', () => {
    const agent = seed();
    Object.assign(agent.agent_config.tasks[0].task_config, { interruption_mode: 'words', false_interruption_timeout_ms: 900, greeting_prefetch: 'dial' });
    const result = validateAgentJson(agent);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const config = toRuntimeConfig(result.agent);
    expect(config.timing).toMatchObject({ interruptionMode: 'words', falseInterruptionTimeoutMs: 900 });
    expect(config.greetingPrefetch).toBe('dial');

    Object.assign(agent.agent_config.tasks[0].task_config, { interruption_mode: 'cough', false_interruption_timeout_ms: 10, greeting_prefetch: 'never' });
    const refused = validateAgentJson(agent);
    const paths = refused.ok ? [] : refused.errors.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining([expect.stringContaining('interruption_mode'), expect.stringContaining('false_interruption_timeout_ms'), expect.stringContaining('greeting_prefetch')]));
  });

  it('uses the goodbye an agent gives for an outcome and the default for the others; an over-long one is refused', () => {
    const agent = seed();
    agent.agent_config.tasks[0].task_config.goodbye_messages = { confirmed: 'Dhanyavaad {name}, aapka order confirm ho gaya.' };
    const result = validateAgentJson(agent);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { goodbyeMessages } = toRuntimeConfig(result.agent);
    expect(goodbyeMessages.confirmed).toBe('Dhanyavaad {name}, aapka order confirm ho gaya.');
    expect(goodbyeMessages.cancelled).toBe(AGENT_DEFAULTS.goodbyeMessages.cancelled);

    agent.agent_config.tasks[0].task_config.goodbye_messages = { cancelled: 'x'.repeat(5000) };
    const refused = validateAgentJson(agent);
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).toContain('goodbye_messages.cancelled');
  });
});

describe('templates', () => {
  it('fills every CSV column, in single or double braces', () => {
    expect(renderTemplate('Hi {name}, order {{order_id}} to {city}', { name: 'Priya', order_id: 'O1', city: 'Pune' })).toBe('Hi Priya, order O1 to Pune');
  });

  it('renders a missing variable empty and says which are missing', () => {
    expect(renderTemplate('Hi {name}{nickname}', { name: 'A' })).toBe('Hi A');
    expect(findMissingVariables('Hi {name}{nickname}', { name: 'A' })).toEqual(['nickname']);
  });
});
