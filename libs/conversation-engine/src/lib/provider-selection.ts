import type { AgentRuntimeConfig } from '@codcall/agent-config';
import type { Logger } from '@codcall/logging';
import type { SpeechSideChannel } from '@codcall/media';
import { DeepgramTranscriber, deepgramConfigFromEnv } from './deepgram/deepgram-transcriber';
import { ElevenLabsSynthesizer, elevenLabsConfigFromEnv } from './elevenlabs/elevenlabs-synthesizer';
import { EspeakSynthesizer, findEspeakWorker, isEspeakInstalled } from './offline/espeak-synthesizer';
import { RuleBasedDialoguePolicy } from './offline/rule-based-policy';
import { SideChannelTranscriber } from './offline/side-channel-transcriber';
import { ToneSynthesizer } from './offline/tone-synthesizer';
import { OpenAILanguageModel, openaiConfigFromEnv } from './openai/openai-language-model';
import type { LanguageModel, Synthesizer, Transcriber } from './providers';

export interface SelectedProviders {
  transcriber: Transcriber;
  languageModel: LanguageModel;
  synthesizer: Synthesizer;
  /** One line per provider that fell back to its offline stand-in, saying why. Never holds a key. */
  notes: string[];
}

/** A provider setting in the environment that cannot work (a malformed base URL). Names the variable, never a key. */
export class ProviderConfigError extends Error {
  override readonly name = 'ProviderConfigError';
}

let sharedSynthesizer: Synthesizer | undefined;

/** The offline voice, shared by every call of the process (one eSpeak worker, compiled once). */
export function createOfflineSynthesizer(options: { logger?: Logger } = {}): Synthesizer {
  if (sharedSynthesizer) return sharedSynthesizer;
  const workerPath = isEspeakInstalled() ? findEspeakWorker() : undefined;
  if (!workerPath) {
    options.logger?.warn('espeak-ng (optional, GPL-3.0) is not installed: offline speech is a tone placeholder, not words');
    sharedSynthesizer = new ToneSynthesizer();
  } else sharedSynthesizer = new EspeakSynthesizer({ workerPath, logger: options.logger });
  return sharedSynthesizer;
}

/**
 * A voice of their own for the simulator's callees (two eSpeak workers): their lines never queue
 * behind the agents' clauses, nor the agents' behind theirs, as a real callee's words cost the
 * gateway nothing. A callee voiced late answered after the agent's silence timer had run out.
 */
export function createSimulatedCalleeSynthesizer(options: { logger?: Logger } = {}): Synthesizer {
  const workerPath = isEspeakInstalled() ? findEspeakWorker() : undefined;
  return workerPath ? new EspeakSynthesizer({ workerPath, workers: 2, logger: options.logger }) : new ToneSynthesizer();
}

/** Stops the shared offline voice (its worker thread); the next call starts it again. */
export async function closeOfflineSynthesizer(): Promise<void> {
  const synthesizer = sharedSynthesizer;
  sharedSynthesizer = undefined;
  if (synthesizer instanceof EspeakSynthesizer) await synthesizer.close();
}

interface Vendor {
  key: string;
  /** The agent config's provider name for it. */
  provider: string;
  title: string;
  standIn: string;
}

const VENDORS: Record<'transcriber' | 'llm' | 'synthesizer', Vendor> = {
  transcriber: { key: 'DEEPGRAM_API_KEY', provider: 'deepgram', title: 'Deepgram speech recognition', standIn: "offline:side-channel transcriber (hears only the built-in simulator's callees)" },
  llm: { key: 'OPENAI_API_KEY', provider: 'openai', title: 'OpenAI', standIn: 'offline:rule-based-policy (a deterministic rule engine, not an AI)' },
  synthesizer: { key: 'ELEVENLABS_API_KEY', provider: 'elevenlabs', title: 'ElevenLabs voices', standIn: 'offline:espeak-ng speech' },
};

/**
 * What the process can use, said once at start-up (before any agent is known), and a check that
 * the vendors' settings can work: a malformed base URL fails start-up with the variable's name.
 * Never includes a key's value.
 */
export function describeProviderAvailability(env: NodeJS.ProcessEnv): string[] {
  checkProviderEnvironment(env);
  return Object.values(VENDORS).map(({ key, title, standIn, provider }) =>
    env[key]?.trim() ? `${key} is set: agents that name ${provider} use ${title}` : `${key} is not set: calls use ${standIn} instead of ${title}`,
  );
}

/** Reads every vendor's settings the way a call will, so a mistake shows at start-up rather than on the first call. */
export function checkProviderEnvironment(env: NodeJS.ProcessEnv): void {
  try {
    deepgramConfigFromEnv(env, { provider: 'deepgram', model: '', language: 'en', endpointingMs: 300 });
    openaiConfigFromEnv(env, { provider: 'openai', model: 'gpt-4o-mini', temperature: 0, maxTokens: 1 });
    elevenLabsConfigFromEnv(env, { provider: 'elevenlabs', model: '' });
  } catch (error) {
    throw new ProviderConfigError(error instanceof Error ? error.message : String(error));
  }
}

// One adapter per distinct setting, shared by the calls of the process: their HTTP clients keep
// connections warm, and the greeting cache is keyed by the synthesiser's name. Their failures
// reach each call's session as errors, which it logs with the call id.
const languageModels = new Map<string, LanguageModel>();
const synthesizers = new Map<string, Synthesizer>();

function shared<T>(cache: Map<string, T>, options: object, create: () => T): T {
  const key = JSON.stringify(options);
  let value = cache.get(key);
  if (!value) cache.set(key, (value = create()));
  return value;
}

/**
 * Picks each provider the agent names. A vendor whose key is set is used through its adapter; one
 * without its key, or one this build has no adapter for, falls back to its offline stand-in with
 * one note saying so. Each of the three is decided on its own.
 */
export function selectProviders(input: {
  agent: AgentRuntimeConfig;
  variables: Record<string, string>;
  env: NodeJS.ProcessEnv;
  sideChannel: SpeechSideChannel;
  logger: Logger;
}): SelectedProviders {
  const { agent, variables, env, sideChannel, logger } = input;
  const notes: string[] = [];
  const fallback = <T extends { name: string }>(vendor: Vendor, named: string, standIn: T): T => {
    if (named === 'offline') return standIn;
    const reason = named !== vendor.provider ? `this build has no ${named} adapter for this part` : `${vendor.key} is not set`;
    notes.push(`${reason}: using ${vendor.standIn} instead of ${named}`);
    return standIn;
  };

  const deepgram = deepgramConfigFromEnv(env, agent.transcriber);
  const transcriber: Transcriber = deepgram
    ? new DeepgramTranscriber({ ...deepgram, logger })
    : fallback(VENDORS.transcriber, agent.transcriber.provider, new SideChannelTranscriber(sideChannel));

  const openai = openaiConfigFromEnv(env, agent.llm);
  const languageModel: LanguageModel = openai
    ? shared(languageModels, openai, () => new OpenAILanguageModel(openai))
    : fallback(VENDORS.llm, agent.llm.provider, new RuleBasedDialoguePolicy(variables, { language: agent.language }));

  const elevenlabs = elevenLabsConfigFromEnv(env, agent.synthesizer);
  const synthesizer: Synthesizer = elevenlabs
    ? shared(synthesizers, elevenlabs, () => new ElevenLabsSynthesizer(elevenlabs))
    : fallback(VENDORS.synthesizer, agent.synthesizer.provider, createOfflineSynthesizer({ logger }));

  return { transcriber, languageModel, synthesizer, notes };
}
