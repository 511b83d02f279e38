import { findLanguage, languagePack, type LanguageCode } from '@codcall/languages';
import type { AgentJson, GoodbyeMessages, LanguageSettings } from './agent-config.dto';
import { applyLanguage } from './localise-agent';
import type { AgentLocalisation, AgentRuntimeConfig, GoodbyeOutcome, LanguageOverride } from './runtime-config';
import { conversationTaskIndex } from './validate-agent';

const ENGLISH = languagePack('en');

/**
 * Every default in one place: what an agent gets for a field it leaves out. The spoken texts are
 * the English pack's; an agent in another language gets that language's pack (see localiseAgent).
 */
export const AGENT_DEFAULTS = {
  transcriber: { provider: 'deepgram', model: 'nova-3', endpointingMs: 300 },
  llm: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, maxTokens: 150 },
  synthesizer: { provider: 'elevenlabs', model: 'eleven_flash_v2_5' },
  carrier: 'twilio',
  language: 'en' as LanguageCode,
  repromptAfterSeconds: 8,
  hangupAfterSilenceSeconds: 15,
  maxCallSeconds: 180,
  replyDelayMs: 0,
  interruptionWords: 2,
  interruptionMode: 'pause',
  /** LiveKit Agents' false-interruption window is of this order: long enough for a cough, short enough not to feel like a stall. */
  falseInterruptionTimeoutMs: 600,
  greetingPrefetch: 'answer',
  goodbyeMessages: ENGLISH.defaults.goodbyes satisfies Record<GoodbyeOutcome, string>,
  repromptMessage: ENGLISH.defaults.reprompt,
  voicemailMessage: ENGLISH.defaults.voicemail,
  transferMessage: ENGLISH.defaults.transferring,
  addressQuestion: ENGLISH.defaults.addressQuestion,
  timezone: 'UTC',
} as const;

/**
 * The runtime config of the agent's default language (`tools_config.transcriber.language`, a
 * code or a name; English when absent). Call only with a document validateAgentJson accepted.
 */
export function toRuntimeConfig(agent: AgentJson): AgentRuntimeConfig {
  const index = conversationTaskIndex(agent);
  const task = agent.agent_config.tasks[index];
  const tools = task.tools_config ?? {};
  const timing = task.task_config ?? {};
  const llm = tools.llm_agent?.llm_config;
  const pack = findLanguage(tools.transcriber?.language) ?? languagePack(AGENT_DEFAULTS.language);
  const prompts = agent.agent_prompts as Record<string, { system_prompt: string }>;
  const provider = tools.synthesizer?.provider_config;
  const localisation: AgentLocalisation = {
    defaultLanguage: pack.code,
    basePrompt: prompts[`task_${index + 1}`].system_prompt,
    agentDefaults: definedOnly({
      welcomeMessage: agent.agent_config.agent_welcome_message,
      voicemailMessage: timing.voicemail_message,
      repromptMessage: timing.user_online_message,
      transferMessage: timing.transfer_message,
      addressQuestion: timing.address_question,
      goodbyeMessages: goodbyes(timing.goodbye_messages),
      voiceId: provider?.voice_id,
      voice: provider?.voice,
      synthesizerModel: provider?.model,
      transcriberModel: tools.transcriber?.model,
    }),
    overrides: languageOverrides(agent.agent_config.languages),
  };
  // The language-dependent fields are placeholders here: applyLanguage sets every one of them.
  const config: AgentRuntimeConfig = {
    agentName: agent.agent_config.agent_name,
    welcomeMessage: '',
    systemPrompt: '',
    language: pack.code,
    transcriber: {
      provider: tools.transcriber?.provider ?? AGENT_DEFAULTS.transcriber.provider,
      model: AGENT_DEFAULTS.transcriber.model,
      language: pack.deepgram.language,
      endpointingMs: tools.transcriber?.endpointing ?? AGENT_DEFAULTS.transcriber.endpointingMs,
    },
    llm: {
      provider: llm?.provider ?? AGENT_DEFAULTS.llm.provider,
      model: llm?.model ?? AGENT_DEFAULTS.llm.model,
      temperature: llm?.temperature ?? AGENT_DEFAULTS.llm.temperature,
      maxTokens: llm?.max_tokens ?? AGENT_DEFAULTS.llm.maxTokens,
      ...(llm?.base_url ? { baseUrl: llm.base_url } : {}),
    },
    synthesizer: { provider: tools.synthesizer?.provider ?? AGENT_DEFAULTS.synthesizer.provider, model: AGENT_DEFAULTS.synthesizer.model },
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
    goodbyeMessages: { ...AGENT_DEFAULTS.goodbyeMessages },
    repromptMessage: AGENT_DEFAULTS.repromptMessage,
    transferMessage: AGENT_DEFAULTS.transferMessage,
    addressQuestion: AGENT_DEFAULTS.addressQuestion,
    confirmAddress: timing.confirm_address ?? false,
    dtmfEnabled: timing.dtmf_enabled ?? false,
    voicemail: timing.voicemail ? { action: 'leave_message', message: AGENT_DEFAULTS.voicemailMessage } : { action: 'hangup' },
    defaultTimezone: timing.timezone ?? AGENT_DEFAULTS.timezone,
    localisation,
  };
  return applyLanguage(config, localisation, pack);
}

/** `agent_config.languages` keyed by pack code, in the runtime's words; validateAgentJson has refused unknown keys. */
function languageOverrides(languages: Record<string, LanguageSettings> | undefined): Partial<Record<LanguageCode, LanguageOverride>> {
  const overrides: Partial<Record<LanguageCode, LanguageOverride>> = {};
  for (const [key, settings] of Object.entries(languages ?? {})) {
    const pack = findLanguage(key);
    if (!pack || typeof settings !== 'object' || settings === null) continue;
    overrides[pack.code] = definedOnly({
      welcomeMessage: settings.agent_welcome_message,
      voicemailMessage: settings.voicemail_message,
      repromptMessage: settings.user_online_message,
      transferMessage: settings.transfer_message,
      addressQuestion: settings.address_question,
      goodbyeMessages: goodbyes(settings.goodbye_messages),
      voiceId: settings.voice_id,
      voice: settings.voice,
      synthesizerModel: settings.synthesizer_model,
      transcriberModel: settings.transcriber_model,
    });
  }
  return overrides;
}

function goodbyes(messages: GoodbyeMessages | undefined): Partial<Record<GoodbyeOutcome, string>> | undefined {
  if (!messages) return undefined;
  const given = Object.fromEntries(Object.entries(messages).filter(([, text]) => typeof text === 'string' && text.trim() !== ''));
  return Object.keys(given).length ? (given as Partial<Record<GoodbyeOutcome, string>>) : undefined;
}

/** Drops the fields left out (and blank texts), so "not given" is one thing: absent. */
function definedOnly(override: LanguageOverride): LanguageOverride {
  return Object.fromEntries(Object.entries(override).filter(([, value]) => value !== undefined && value !== null && value !== '')) as LanguageOverride;
}
