import { silentLogger } from '@codcall/logging';
import { SpeechSideChannel } from '@codcall/media';
import { FakeDeepgramServer, sampleRuntimeAgent } from '@codcall/test-support';
import { closeOfflineSynthesizer, describeProviderAvailability, ProviderConfigError, selectProviders } from './provider-selection';

const KEYS = {
  DEEPGRAM_API_KEY: 'dg-secret-0123456789',
  OPENAI_API_KEY: 'sk-secret-0123456789',
  ELEVENLABS_API_KEY: 'xi-secret-0123456789',
};

/** The shipped agent's vendors: Deepgram, OpenAI, ElevenLabs. */
const vendorAgent = sampleRuntimeAgent({
  transcriber: { provider: 'deepgram', model: 'nova-3', language: 'en', endpointingMs: 300 },
  llm: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, maxTokens: 150 },
  synthesizer: { provider: 'elevenlabs', model: 'eleven_flash_v2_5', voiceId: '21m00Tcm4TlvDq8ikWAM' },
});

function select(env: NodeJS.ProcessEnv, agent = vendorAgent) {
  return selectProviders({ agent, variables: { name: 'Asha' }, env, sideChannel: new SpeechSideChannel(), logger: silentLogger() });
}

function names(selected: ReturnType<typeof select>) {
  return [selected.transcriber.name, selected.languageModel.name, selected.synthesizer.name];
}

afterAll(() => closeOfflineSynthesizer());

describe('choosing providers for a call', () => {
  it('with no keys, every part is its offline stand-in and each says why, naming no key', () => {
    const selected = select({});
    expect(names(selected)).toEqual(['offline:side-channel', 'offline:rule-based-policy', expect.stringMatching(/^offline:/)]);
    expect(selected.notes).toEqual([
      expect.stringMatching(/^DEEPGRAM_API_KEY is not set: using offline:side-channel .* instead of deepgram$/),
      expect.stringMatching(/^OPENAI_API_KEY is not set: using offline:rule-based-policy \(a deterministic rule engine, not an AI\) instead of openai$/),
      expect.stringMatching(/^ELEVENLABS_API_KEY is not set: using offline:espeak-ng speech instead of elevenlabs$/),
    ]);
  });

  it('turns each vendor real as soon as its own key is set, independently of the others', () => {
    expect(names(select({ DEEPGRAM_API_KEY: KEYS.DEEPGRAM_API_KEY }))).toEqual(['deepgram:nova-3', 'offline:rule-based-policy', expect.stringMatching(/^offline:/)]);
    expect(names(select({ OPENAI_API_KEY: KEYS.OPENAI_API_KEY }))).toEqual(['offline:side-channel', 'openai:gpt-4o-mini', expect.stringMatching(/^offline:/)]);
    expect(names(select({ ELEVENLABS_API_KEY: KEYS.ELEVENLABS_API_KEY }))).toEqual(['offline:side-channel', 'offline:rule-based-policy', 'elevenlabs:eleven_flash_v2_5']);
    const all = select(KEYS);
    expect(names(all)).toEqual(['deepgram:nova-3', 'openai:gpt-4o-mini', 'elevenlabs:eleven_flash_v2_5']);
    expect(all.notes).toEqual([]);
  });

  it('shares one language model and one voice client between calls with the same settings', () => {
    const first = select(KEYS);
    const second = select(KEYS);
    expect(second.languageModel).toBe(first.languageModel);
    expect(second.synthesizer).toBe(first.synthesizer);
    expect(second.transcriber).not.toBe(first.transcriber);
  });

  it('follows the agent: an offline agent uses the stand-ins without a note, an unknown vendor is named', () => {
    const offline = select(KEYS, sampleRuntimeAgent());
    expect(names(offline)).toEqual(['offline:side-channel', 'offline:rule-based-policy', expect.stringMatching(/^offline:/)]);
    expect(offline.notes).toEqual([]);
    const azure = select(KEYS, { ...vendorAgent, transcriber: { ...vendorAgent.transcriber, provider: 'azure' } });
    expect(azure.notes).toEqual([expect.stringMatching(/^this build has no azure adapter for this part: using offline:side-channel/)]);
  });
});

describe('providers for a call in its own language', () => {
  it("gives a Hinglish call's Deepgram socket the localised agent's multilingual language and hints, though the session names only the language", async () => {
    const deepgram = await new FakeDeepgramServer({ apiKey: KEYS.DEEPGRAM_API_KEY }).start();
    try {
      const hinglish = { ...vendorAgent, language: 'hi-Latn' as const, transcriber: { ...vendorAgent.transcriber, language: 'multi', languageHints: ['hi', 'en'] } };
      const { transcriber } = select({ ...KEYS, DEEPGRAM_BASE_URL: deepgram.url }, hinglish);

      const stream = await transcriber.open({ callId: 'call-hinglish', language: hinglish.transcriber.language, model: hinglish.transcriber.model, endpointingMs: 300 });
      await stream.close();

      expect(deepgram.connections[0].query).toMatchObject({ model: 'nova-3', language: 'multi' });
      expect(deepgram.connections[0].queryValues['language_hint']).toEqual(['hi', 'en']);
    } finally {
      await deepgram.close();
    }
  });
});

describe('provider availability at start-up', () => {
  it('names each vendor and its stand-in, and never a key', () => {
    const lines = describeProviderAvailability({ OPENAI_API_KEY: KEYS.OPENAI_API_KEY });
    expect(lines).toEqual([
      expect.stringMatching(/^DEEPGRAM_API_KEY is not set: calls use offline:side-channel/),
      'OPENAI_API_KEY is set: agents that name openai use OpenAI',
      expect.stringMatching(/^ELEVENLABS_API_KEY is not set: calls use offline:espeak-ng speech/),
    ]);
    expect(lines.join('\n')).not.toContain(KEYS.OPENAI_API_KEY);
  });

  it('fails start-up on a malformed base URL, naming the variable', () => {
    expect(() => describeProviderAvailability({ ...KEYS, DEEPGRAM_BASE_URL: 'api.deepgram.com' })).toThrow(ProviderConfigError);
    expect(() => describeProviderAvailability({ ...KEYS, DEEPGRAM_BASE_URL: 'api.deepgram.com' })).toThrow(/DEEPGRAM_BASE_URL/);
    expect(() => describeProviderAvailability({ ...KEYS, ELEVENLABS_BASE_URL: 'ftp://x' })).toThrow(/ELEVENLABS_BASE_URL/);
    expect(() => describeProviderAvailability({ ...KEYS, OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL/);
  });
});
