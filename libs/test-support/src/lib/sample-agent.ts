import { AGENT_DEFAULTS, type AgentRuntimeConfig } from '@codcall/agent-config';

export type SampleAgentOverrides = Omit<Partial<AgentRuntimeConfig>, 'timing'> & { timing?: Partial<AgentRuntimeConfig['timing']> };

/**
 * A runtime agent for unit tests, with short timings; override what a test is about (timing
 * fields one by one). Barge-in is words-only here so a test about something else is not paused
 * by a speech start; tests of the pause-and-resume default ask for it.
 */
export function sampleRuntimeAgent(overrides: SampleAgentOverrides = {}): AgentRuntimeConfig {
  const { timing, ...rest } = overrides;
  return {
    agentName: 'cod',
    welcomeMessage: 'Hello {name}, about order {order_id} to {city}.',
    systemPrompt: 'You call {name} about {order_id}.',
    language: 'en',
    transcriber: { provider: 'offline', model: 'x', language: 'en', endpointingMs: 300 },
    llm: { provider: 'offline', model: 'x', temperature: 0, maxTokens: 100 },
    synthesizer: { provider: 'offline', model: 'x' },
    carrier: 'sim',
    timing: {
      repromptAfterSeconds: 0.15,
      hangupAfterSilenceSeconds: 0.4,
      maxCallSeconds: 30,
      replyDelayMs: 0,
      interruptionWords: 2,
      interruptionMode: 'words',
      falseInterruptionTimeoutMs: AGENT_DEFAULTS.falseInterruptionTimeoutMs,
      ...timing,
    },
    greetingPrefetch: 'dial',
    goodbyeMessages: { ...AGENT_DEFAULTS.goodbyeMessages },
    repromptMessage: 'Are you there?',
    transferMessage: 'One moment, I am connecting you to a colleague.',
    addressQuestion: 'Is your delivery address still {address}?',
    confirmAddress: false,
    dtmfEnabled: false,
    voicemail: { action: 'hangup' },
    defaultTimezone: 'UTC',
    ...rest,
  };
}
