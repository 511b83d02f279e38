import { CallOrchestrator, StreamTokenSigner, type AgentSource, type CallOrchestratorOptions, type CallStore, type ConversationFactory, type ConversationInput, type SynthesisUsage } from '@codcall/call-orchestration';
import { ConversationSession, createSimulatedCalleeSynthesizer, describeProviderAvailability, openaiConfigFromEnv, PreparedSpeech, selectProviders, welcomeSpeechRequests, type Synthesizer } from '@codcall/conversation-engine';
import { findLanguage, languagePack } from '@codcall/languages';
import { createLogger, type Logger } from '@codcall/logging';
import { SpeechSideChannel } from '@codcall/media';
import { loadCalleeBook, openAiPersonaCallee, PlivoCarrier, SimulatorCarrier, TwilioCarrier, type CalleeImproviser, type Carrier, type CarrierName, type HeardLine } from '@codcall/telephony-providers';
import { BilledSpeech, CountedSynthesizer } from './billed-synthesis';
import type { GatewayConfig } from './config';
import { HttpAgentSource } from './http-agent-source';
import { FileCallArchive } from './persistence/file-call-archive';

/** Seams for tests: anything not given is built from the configuration. */
export interface GatewayOverrides {
  agents?: AgentSource;
  conversations?: ConversationFactory;
  carriers?: Partial<Record<CarrierName, Carrier>>;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Shared with an in-process fake carrier in tests, so the offline transcriber hears its callees. */
  sideChannel?: SpeechSideChannel;
  /** Media-stream socket limits (tests shorten the wait for a start). */
  media?: CallOrchestratorOptions['media'];
  /** Call ids that name the worker owning the call (a multi-process gateway's worker sets it). */
  newCallId?: CallOrchestratorOptions['newCallId'];
}

/** The model that plays the simulator's persona callees: cheap and quick, as a customer's replies are short. */
const PERSONA_MODEL = 'gpt-4o-mini';

/**
 * With OPENAI_API_KEY, the simulator's persona callees are played by a chat model (at
 * OPENAI_BASE_URL when set) that reads what has been said on the call so far; without it a
 * persona script is refused. Null then.
 */
function personaCallee(env: NodeJS.ProcessEnv, logger: Logger, transcriptOf: (callId: string) => readonly HeardLine[]): CalleeImproviser | null {
  const openai = openaiConfigFromEnv(env, { provider: 'openai', model: PERSONA_MODEL, temperature: 0.7, maxTokens: 80 });
  if (!openai) return null;
  return openAiPersonaCallee({ apiKey: openai.apiKey, baseUrl: openai.baseUrl, model: PERSONA_MODEL, conversation: transcriptOf, logger });
}

/** Greeting pre-synthesis: a few at once, a bounded queue, a bounded cache (see PreparedSpeech). */
const GREETING_LIMITS = { maxConcurrent: 4, maxQueued: 64, maxEntries: 500, maxBytes: 32 * 1024 * 1024 };
/** How long start-up waits for the carriers to confirm that calls left by the last run are down; the rest go on in the background. */
const RECOVERY_WAIT_MS = 10_000;

/**
 * The simulated callee speaks the row's language with the language's espeak voice in another
 * variant from the agent's, so a recording is easy to follow. A language no pack knows is English.
 */
export function calleeVoice(language: string | undefined): { language: string; voice: string } {
  const pack = findLanguage(language) ?? languagePack('en');
  return { language: pack.code, voice: `${pack.espeakVoice}+m3` };
}

export async function buildOrchestrator(config: GatewayConfig, overrides: GatewayOverrides, store: CallStore): Promise<CallOrchestrator> {
  const logger = overrides.logger ?? createLogger({ name: 'telephony-gateway' });
  const env = overrides.env ?? config.providerEnv;
  const sideChannel = overrides.sideChannel ?? new SpeechSideChannel();
  const carriers: Partial<Record<CarrierName, Carrier>> = { ...overrides.carriers };
  if (config.twilio && !carriers.twilio) {
    carriers.twilio = new TwilioCarrier({
      accountSid: config.twilio.accountSid,
      authToken: config.twilio.authToken,
      from: config.twilio.phoneNumber,
      apiBaseUrl: config.twilio.apiBaseUrl,
      logger: logger.child({ carrier: 'twilio' }),
    });
  }
  if (config.plivo && !carriers.plivo) {
    carriers.plivo = new PlivoCarrier({
      authId: config.plivo.authId,
      authToken: config.plivo.authToken,
      from: config.plivo.phoneNumber,
      apiBaseUrl: config.plivo.apiBaseUrl,
      logger: logger.child({ carrier: 'plivo' }),
    });
  }

  // The orchestrator is built after its carriers: the persona callee reads its calls' transcripts once it is.
  const late: { orchestrator?: CallOrchestrator } = {};
  if (config.simulator.enabled && !carriers.sim) {
    const calleeSpeech = createSimulatedCalleeSynthesizer({ logger });
    const improvise = personaCallee(env, logger.child({ carrier: 'sim', part: 'persona callee' }), (callId) => late.orchestrator?.transcriptSoFar(callId) ?? []);
    carriers.sim = new SimulatorCarrier({
      sideChannel,
      webhookSecret: config.simulator.webhookSecret,
      logger: logger.child({ carrier: 'sim' }),
      callees: config.simulator.calleesFile ? await loadCalleeBook(config.simulator.calleesFile) : undefined,
      ...(improvise ? { improvise } : {}),
      // The agent's turn is over once its latest utterance is in the live transcript (written when its last clause was sent).
      agentTurnFinished: (callId) => {
        const transcript = late.orchestrator?.transcriptSoFar(callId);
        if (!transcript) return true;
        return transcript.length > 0 && transcript[transcript.length - 1].speaker === 'agent';
      },
      speak: async (text, language) => {
        const chunks: Buffer[] = [];
        for await (const chunk of calleeSpeech.synthesize({ text, ...calleeVoice(language), signal: new AbortController().signal })) {
          chunks.push(chunk);
        }
        return Buffer.concat(chunks);
      },
    });
  }

  for (const line of describeProviderAvailability(env)) logger.warn(line);
  const announced = new Set<string>();
  // One greeting cache per voice engine, shared by every call of the process; the vendor under it
  // counts what each call sends it (its TTS bill), whichever call's turn the cache serves.
  const prepared = new Map<string, PreparedSpeech>();
  const withGreetingCache = (synthesizer: Synthesizer, usage: SynthesisUsage) => {
    let cached = prepared.get(synthesizer.name);
    if (!cached) prepared.set(synthesizer.name, (cached = new PreparedSpeech(new CountedSynthesizer(synthesizer), GREETING_LIMITS)));
    return new BilledSpeech(cached, usage);
  };
  const providersFor = (input: { agent: ConversationInput['agent']; variables: Record<string, string>; logger: Logger; usage: SynthesisUsage }) => {
    const providers = selectProviders({ agent: input.agent, variables: input.variables, env, sideChannel, logger: input.logger });
    for (const note of providers.notes) {
      if (!announced.has(note)) logger.warn(note);
      announced.add(note);
    }
    return { ...providers, synthesizer: withGreetingCache(providers.synthesizer, input.usage) };
  };
  const conversations: ConversationFactory = overrides.conversations ?? {
    prepare: (input) => {
      const { synthesizer } = providersFor(input);
      for (const request of welcomeSpeechRequests(input.agent, input.variables)) synthesizer.prepare(request);
    },
    create: (input) => {
      const providers = providersFor(input);
      const conversation = new ConversationSession({
        ...input,
        transcriber: providers.transcriber,
        languageModel: providers.languageModel,
        synthesizer: providers.synthesizer,
      });
      return {
        conversation,
        providers: {
          transcriber: providers.transcriber.name,
          languageModel: providers.languageModel.name,
          synthesizer: providers.synthesizer.name,
        },
      };
    },
  };

  const orchestrator = new CallOrchestrator({
    carriers,
    agents: overrides.agents ?? new HttpAgentSource(config.agentApiUrl, { apiKey: config.apiKey, providerUrls: { allowInsecure: config.allowInsecureProviderUrls } }),
    conversations,
    publicBaseUrl: config.publicBaseUrl,
    tokens: new StreamTokenSigner(config.streamTokenSecret),
    archive: new FileCallArchive(config.recordsDir),
    store,
    maxCalls: config.maxCalls,
    keepFullNumbers: config.keepFullNumbers,
    transferNumber: config.transferNumber,
    ringTimeoutSeconds: config.ringTimeoutSeconds,
    media: overrides.media,
    newCallId: overrides.newCallId,
    logger,
  });
  late.orchestrator = orchestrator;
  // Calls a killed gateway left in flight end now, before the first request; their carriers are asked in turn.
  const recovery = orchestrator.recoverInterruptedCalls().then(
    (done) => {
      if (done.calls) logger.warn(done, 'calls left by the last run: checked with their carriers');
    },
    (error: unknown) => logger.error({ err: error }, 'could not recover the calls left by the last run'),
  );
  let waited: NodeJS.Timeout | undefined;
  await Promise.race([recovery, new Promise((resolve) => (waited = setTimeout(resolve, RECOVERY_WAIT_MS)))]);
  clearTimeout(waited);
  return orchestrator;
}
