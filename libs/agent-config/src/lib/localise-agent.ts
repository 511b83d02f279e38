import { findLanguage, GOODBYE_KEYS, LANGUAGE_PACKS, languagePack, type LanguagePack } from '@codcall/languages';
import type { AgentLocalisation, AgentRuntimeConfig, GoodbyeOutcome, LanguageOverride } from './runtime-config';

/** A row's `language` cell names no language codcall knows: the call is not placed rather than held in a language nobody chose. */
export class UnknownLanguageError extends Error {
  override readonly name = 'UnknownLanguageError';

  constructor(readonly value: string) {
    super(`unknown language ${JSON.stringify(value)} (known: ${LANGUAGE_PACKS.map((pack) => pack.code).join(', ')}, or their names such as Hindi, Hinglish, Arabic)`);
  }
}

/**
 * The agent's config for one call's language: the row's `language` cell (a code or a name, any
 * case), or the agent's default language when the cell is empty or absent. Each text is the
 * agent's own for that language (`agent_config.languages.<code>`), else, for the agent's default
 * language, its top-level texts, else the language pack's; likewise the voice and the models.
 * The system prompt gets the pack's language instruction. Throws UnknownLanguageError naming a cell that names no language.
 * It works from `config.localisation` (the agent as written), so a text changed on a localised
 * config by hand is not carried into another language: change the agent JSON instead.
 */
export function localiseAgent(config: AgentRuntimeConfig, languageCell?: string): AgentRuntimeConfig {
  const localisation = config.localisation ?? localisationOf(config);
  const cell = languageCell?.trim();
  if (!cell) return applyLanguage(config, localisation, languagePack(localisation.defaultLanguage));
  const pack = findLanguage(cell);
  if (!pack) throw new UnknownLanguageError(cell);
  return applyLanguage(config, localisation, pack);
}

/** Sets every language-dependent field of `config` for `pack`; the rest is kept as it is. */
export function applyLanguage(config: AgentRuntimeConfig, localisation: AgentLocalisation, pack: LanguagePack): AgentRuntimeConfig {
  const own = localisation.overrides[pack.code] ?? {};
  // The agent's top-level texts and vendor settings were written for its default language only.
  const agent: LanguageOverride = pack.code === localisation.defaultLanguage ? localisation.agentDefaults : {};
  const text = (field: Exclude<keyof LanguageOverride, 'goodbyeMessages'>, fallback: string): string => own[field] ?? agent[field] ?? fallback;
  // A voice id and its name go together: a name from one level beside an id from another would mislabel the voice.
  const voiceFrom = own.voiceId || own.voice ? own : agent.voiceId || agent.voice ? agent : undefined;
  const goodbyes = {} as Record<GoodbyeOutcome, string>;
  for (const key of GOODBYE_KEYS) goodbyes[key] = own.goodbyeMessages?.[key] ?? agent.goodbyeMessages?.[key] ?? pack.defaults.goodbyes[key];
  return {
    ...config,
    language: pack.code,
    welcomeMessage: text('welcomeMessage', pack.defaults.welcome),
    systemPrompt: `${localisation.basePrompt.trimEnd()}\n\n${pack.promptInstruction}`,
    transcriber: {
      provider: config.transcriber.provider,
      model: text('transcriberModel', pack.deepgram.model),
      language: pack.deepgram.language,
      ...(pack.deepgram.languageHints ? { languageHints: pack.deepgram.languageHints } : {}),
      endpointingMs: config.transcriber.endpointingMs,
    },
    synthesizer: {
      provider: config.synthesizer.provider,
      model: text('synthesizerModel', pack.elevenlabs.model),
      ...(voiceFrom ? definedVoice(voiceFrom) : { voiceId: pack.elevenlabs.voiceId, voice: pack.elevenlabs.voiceName }),
      languageCode: pack.elevenlabs.languageCode,
    },
    goodbyeMessages: goodbyes,
    repromptMessage: text('repromptMessage', pack.defaults.reprompt),
    transferMessage: text('transferMessage', pack.defaults.transferring),
    addressQuestion: text('addressQuestion', pack.defaults.addressQuestion),
    voicemail: config.voicemail.action === 'leave_message' ? { action: 'leave_message', message: text('voicemailMessage', pack.defaults.voicemail) } : config.voicemail,
    localisation,
  };
}

function definedVoice(from: LanguageOverride): { voiceId?: string; voice?: string } {
  return { ...(from.voiceId ? { voiceId: from.voiceId } : {}), ...(from.voice ? { voice: from.voice } : {}) };
}

/** A config built by hand (tests, older callers) carries no localisation: its own texts serve its own language. */
function localisationOf(config: AgentRuntimeConfig): AgentLocalisation {
  return {
    defaultLanguage: findLanguage(config.language)?.code ?? 'en',
    basePrompt: config.systemPrompt,
    agentDefaults: {
      welcomeMessage: config.welcomeMessage,
      voicemailMessage: config.voicemail.message,
      repromptMessage: config.repromptMessage,
      transferMessage: config.transferMessage,
      addressQuestion: config.addressQuestion,
      goodbyeMessages: config.goodbyeMessages,
      voiceId: config.synthesizer.voiceId,
      voice: config.synthesizer.voice,
      synthesizerModel: config.synthesizer.model,
      transcriberModel: config.transcriber.model,
    },
    overrides: {},
  };
}
