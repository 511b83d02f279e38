import type { AgentRuntimeConfig } from '@codcall/agent-config';

/** A runtime agent for unit tests, with short timings; override what a test is about. */
export function sampleRuntimeAgent(overrides: Partial<AgentRuntimeConfig> = {}): AgentRuntimeConfig {
  return {
    agentName: 'cod',
    welcomeMessage: 'Hello {name}, about order {order_id} to {city}.',
    systemPrompt: 'You call {name} about {order_id}.',
    language: 'en',
    transcriber: { provider: 'offline', model: 'x', language: 'en', endpointingMs: 300 },
    llm: { provider: 'offline', model: 'x', temperature: 0, maxTokens: 100 },
    synthesizer: { provider: 'offline', model: 'x' },
    carrier: 'sim',
    timing: { repromptAfterSeconds: 0.15, hangupAfterSilenceSeconds: 0.4, maxCallSeconds: 30, replyDelayMs: 0, interruptionWords: 2 },
    repromptMessage: 'Are you there?',
    dtmfEnabled: false,
    voicemail: { action: 'hangup' },
    defaultTimezone: 'UTC',
    ...overrides,
  };
}
