import type { AgentRuntimeConfig } from '@codcall/agent-config';
import type { Logger } from '@codcall/logging';
import type { SpeechSideChannel } from '@codcall/media';
import { EspeakSynthesizer, findEspeakWorker, isEspeakInstalled } from './offline/espeak-synthesizer';
import { RuleBasedDialoguePolicy } from './offline/rule-based-policy';
import { SideChannelTranscriber } from './offline/side-channel-transcriber';
import { ToneSynthesizer } from './offline/tone-synthesizer';
import type { LanguageModel, Synthesizer, Transcriber } from './providers';

export interface SelectedProviders {
  transcriber: Transcriber;
  languageModel: LanguageModel;
  synthesizer: Synthesizer;
  /** One line per provider that fell back to its offline stand-in, saying why. Never holds a key. */
  notes: string[];
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
 * What the process can use, said once at start-up (before any agent is known): each vendor is
 * named with the offline stand-in that replaces it. Never includes a key's value.
 */
export function describeProviderAvailability(env: NodeJS.ProcessEnv): string[] {
  const vendors: [string, string, string][] = [
    ['DEEPGRAM_API_KEY', 'Deepgram speech recognition', 'offline:side-channel transcriber (hears only the built-in simulator)'],
    ['OPENAI_API_KEY', 'OpenAI', 'offline:rule-based-policy (a deterministic rule engine, not an AI)'],
    ['ELEVENLABS_API_KEY', 'ElevenLabs voices', 'offline:espeak-ng speech'],
  ];
  return vendors.map(([key, vendor, standIn]) =>
    env[key] ? `${key} is set, but the ${vendor} adapter is not in this build yet: calls use ${standIn}` : `${key} is not set: calls use ${standIn} instead of ${vendor}`,
  );
}

/** Stops the shared offline voice (its worker thread); the next call starts it again. */
export async function closeOfflineSynthesizer(): Promise<void> {
  const synthesizer = sharedSynthesizer;
  sharedSynthesizer = undefined;
  if (synthesizer instanceof EspeakSynthesizer) await synthesizer.close();
}

/**
 * Picks each provider the agent names. A vendor without its key (and, today, every vendor: the
 * Deepgram, OpenAI and ElevenLabs adapters plug in here next) falls back to its offline stand-in,
 * with one note saying so.
 */
export function selectProviders(input: {
  agent: AgentRuntimeConfig;
  variables: Record<string, string>;
  env: NodeJS.ProcessEnv;
  sideChannel: SpeechSideChannel;
  logger: Logger;
}): SelectedProviders {
  const { agent, variables, sideChannel, logger } = input;
  const transcriber = new SideChannelTranscriber(sideChannel);
  const languageModel = new RuleBasedDialoguePolicy(variables);
  const synthesizer = createOfflineSynthesizer({ logger });
  const notes: string[] = [];
  const fallback = (provider: string, key: string, standIn: string, what: string) => {
    if (provider === 'offline') return;
    const reason = input.env[key] ? `the ${provider} adapter is not available in this build` : `${key} is not set`;
    notes.push(`${reason}: using ${standIn} (${what}) instead of ${provider}`);
  };
  fallback(agent.transcriber.provider, 'DEEPGRAM_API_KEY', transcriber.name, "hears only the built-in simulator's callees");
  fallback(agent.llm.provider, 'OPENAI_API_KEY', languageModel.name, 'a deterministic rule engine, not an AI');
  fallback(agent.synthesizer.provider, 'ELEVENLABS_API_KEY', synthesizer.name, 'offline speech');
  return { transcriber, languageModel, synthesizer, notes };
}
