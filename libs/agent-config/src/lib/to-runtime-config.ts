import type { AgentJson } from './agent-config.dto';
import type { AgentRuntimeConfig, GoodbyeOutcome } from './runtime-config';
import { conversationTaskIndex } from './validate-agent';

/** Every default in one place: what an agent gets for a field it leaves out. */
export const AGENT_DEFAULTS = {
  transcriber: { provider: 'deepgram', model: 'nova-3', endpointingMs: 300 },
  llm: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, maxTokens: 150 },
  synthesizer: { provider: 'elevenlabs', model: 'eleven_flash_v2_5' },
  carrier: 'twilio',
  language: 'en',
  repromptAfterSeconds: 8,
  hangupAfterSilenceSeconds: 15,
  maxCallSeconds: 180,
  replyDelayMs: 0,
  interruptionWords: 2,
  interruptionMode: 'pause',
  /** LiveKit Agents' false-interruption window is of this order: long enough for a cough, short enough not to feel like a stall. */
  falseInterruptionTimeoutMs: 600,
  greetingPrefetch: 'answer',
  goodbyeMessages: {
    confirmed: 'Thank you! Your order is confirmed. Goodbye.',
    cancelled: 'Your order has been cancelled. Thank you for letting us know. Goodbye.',
    rescheduled: 'Your delivery has been rescheduled. Thank you. Goodbye.',
    wrong_person: 'Sorry for the trouble. Goodbye.',
    do_not_call: "Understood. We won't call you again. Goodbye.",
    no_response: "We couldn't hear you, so we'll try again later. Goodbye.",
    ended_without_outcome: 'Thank you for your time. Goodbye.',
    max_duration: "We'll have to end the call here; we'll contact you again. Goodbye.",
    failed: "Sorry, we're having technical trouble. We'll call you back. Goodbye.",
  } satisfies Record<GoodbyeOutcome, string>,
  repromptMessage: 'Hello? Are you still there?',
  voicemailMessage: 'Hello, this is a call about your cash-on-delivery order. We will try again later. Thank you.',
  timezone: 'UTC',
} as const;

export function toRuntimeConfig(agent: AgentJson): AgentRuntimeConfig {
  const index = conversationTaskIndex(agent);
  const task = agent.agent_config.tasks[index];
  const tools = task.tools_config ?? {};
  const timing = task.task_config ?? {};
  const llm = tools.llm_agent?.llm_config;
  const language = tools.transcriber?.language ?? AGENT_DEFAULTS.language;
  const prompts = agent.agent_prompts as Record<string, { system_prompt: string }>;
  return {
    agentName: agent.agent_config.agent_name,
    welcomeMessage: agent.agent_config.agent_welcome_message,
    systemPrompt: prompts[`task_${index + 1}`].system_prompt,
    language,
    transcriber: {
      provider: tools.transcriber?.provider ?? AGENT_DEFAULTS.transcriber.provider,
      model: tools.transcriber?.model ?? AGENT_DEFAULTS.transcriber.model,
      language,
      endpointingMs: tools.transcriber?.endpointing ?? AGENT_DEFAULTS.transcriber.endpointingMs,
    },
    llm: {
      provider: llm?.provider ?? AGENT_DEFAULTS.llm.provider,
      model: llm?.model ?? AGENT_DEFAULTS.llm.model,
      temperature: llm?.temperature ?? AGENT_DEFAULTS.llm.temperature,
      maxTokens: llm?.max_tokens ?? AGENT_DEFAULTS.llm.maxTokens,
      ...(llm?.base_url ? { baseUrl: llm.base_url } : {}),
    },
    synthesizer: {
      provider: tools.synthesizer?.provider ?? AGENT_DEFAULTS.synthesizer.provider,
      model: tools.synthesizer?.provider_config?.model ?? AGENT_DEFAULTS.synthesizer.model,
      ...(tools.synthesizer?.provider_config?.voice_id ? { voiceId: tools.synthesizer.provider_config.voice_id } : {}),
      ...(tools.synthesizer?.provider_config?.voice ? { voice: tools.synthesizer.provider_config.voice } : {}),
    },
    carrier: tools.input?.provider ?? AGENT_DEFAULTS.carrier,
    timing: {
      repromptAfterSeconds: timing.trigger_user_online_message_after ?? AGENT_DEFAULTS.repromptAfterSeconds,
      hangupAfterSilenceSeconds: timing.hangup_after_silence ?? AGENT_DEFAULTS.hangupAfterSilenceSeconds,
      maxCallSeconds: timing.call_terminate ?? AGENT_DEFAULTS.maxCallSeconds,
      replyDelayMs: timing.incremental_delay ?? AGENT_DEFAULTS.replyDelayMs,
      interruptionWords: timing.number_of_words_for_interruption ?? AGENT_DEFAULTS.interruptionWords,
      interruptOnSpeechStarted: timing.interrupt_on_speech_started ?? false,
      interruptionMode: (timing.interruption_mode as 'pause' | 'words' | undefined) ?? AGENT_DEFAULTS.interruptionMode,
      falseInterruptionTimeoutMs: timing.false_interruption_timeout_ms ?? AGENT_DEFAULTS.falseInterruptionTimeoutMs,
    },
    greetingPrefetch: (timing.greeting_prefetch as 'dial' | 'answer' | undefined) ?? AGENT_DEFAULTS.greetingPrefetch,
    goodbyeMessages: { ...AGENT_DEFAULTS.goodbyeMessages, ...definedOnly(timing.goodbye_messages ?? {}) },
    repromptMessage: timing.user_online_message ?? AGENT_DEFAULTS.repromptMessage,
    dtmfEnabled: timing.dtmf_enabled ?? false,
    voicemail: timing.voicemail
      ? { action: 'leave_message', message: timing.voicemail_message ?? AGENT_DEFAULTS.voicemailMessage }
      : { action: 'hangup' },
    defaultTimezone: timing.timezone ?? AGENT_DEFAULTS.timezone,
  };
}

function definedOnly(messages: object): Partial<Record<GoodbyeOutcome, string>> {
  return Object.fromEntries(Object.entries(messages).filter(([, text]) => typeof text === 'string' && text.trim() !== '')) as Partial<Record<GoodbyeOutcome, string>>;
}
