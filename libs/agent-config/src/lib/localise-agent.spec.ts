import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { languagePack } from '@codcall/languages';
import { localiseAgent, UnknownLanguageError } from './localise-agent';
import type { AgentRuntimeConfig } from './runtime-config';
import { toRuntimeConfig } from './to-runtime-config';
import { validateAgentJson, type AgentValidation } from './validate-agent';

const seed = () => JSON.parse(readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8'));
const errorsOf = (result: AgentValidation) => (result.ok ? [] : result.errors);

function runtime(agent: unknown): AgentRuntimeConfig {
  const result = validateAgentJson(agent);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return toRuntimeConfig(result.agent);
}

/** The shipped agent, English, leaving voicemails, with its own English welcome and a goodbye of its own. */
function englishAgent() {
  const agent = seed();
  agent.agent_config.agent_welcome_message = 'Hello, this is Priya from the delivery team. Am I speaking with {name}?';
  Object.assign(agent.agent_config.tasks[0].task_config, { voicemail: true, voicemail_message: 'Priya here about order {order_id}.', goodbye_messages: { confirmed: 'Lovely, {name}: confirmed.' } });
  return agent;
}

describe('localiseAgent: the agent a row in another language gets', () => {
  const HINDI = languagePack('hi');

  it('given an English agent and a row in hi, the call speaks Hindi: pack texts, Deepgram Hindi, an ElevenLabs voice held to Hindi, and the prompt says so', () => {
    const english = runtime(englishAgent());
    const hindi = localiseAgent(english, 'hi');

    expect(hindi.language).toBe('hi');
    expect(hindi.welcomeMessage).toBe(HINDI.defaults.welcome);
    expect(hindi.welcomeMessage).toMatch(/[\u0900-\u097F]/); // Devanagari, not the English welcome
    expect(hindi.voicemail).toEqual({ action: 'leave_message', message: HINDI.defaults.voicemail });
    expect(hindi.goodbyeMessages.confirmed).toBe(HINDI.defaults.goodbyes.confirmed);
    expect(hindi.goodbyeMessages.callback_requested).toBe(HINDI.defaults.goodbyes.callback_requested);
    expect(hindi.repromptMessage).toBe(HINDI.defaults.reprompt);
    expect(hindi.transferMessage).toBe(HINDI.defaults.transferring);
    expect(hindi.addressQuestion).toBe(HINDI.defaults.addressQuestion);
    expect(hindi.transcriber).toEqual({ provider: 'deepgram', model: 'nova-3', language: 'hi', endpointingMs: 300 });
    expect(hindi.synthesizer).toEqual({ provider: 'elevenlabs', model: 'eleven_flash_v2_5', voiceId: HINDI.elevenlabs.voiceId, voice: HINDI.elevenlabs.voiceName, languageCode: 'hi' });
    expect(hindi.systemPrompt.startsWith(english.localisation!.basePrompt.trimEnd())).toBe(true);
    expect(hindi.systemPrompt.endsWith(HINDI.promptInstruction)).toBe(true);
    expect(hindi.systemPrompt).not.toContain(languagePack('en').promptInstruction);
    // What is not about language stays the agent's.
    expect(hindi.timing).toEqual(english.timing);
    expect(hindi.llm).toEqual(english.llm);
  });

  it('given a row in Hinglish, Deepgram listens in its multilingual mode with Hindi and English hints', () => {
    const hinglish = localiseAgent(runtime(seed()), 'Hinglish');
    expect(hinglish.language).toBe('hi-Latn');
    expect(hinglish.transcriber).toMatchObject({ model: 'nova-3', language: 'multi', languageHints: ['hi', 'en'] });
    expect(hinglish.synthesizer.languageCode).toBe(languagePack('hi-Latn').elevenlabs.languageCode);
  });

  it('given an agent override for ar, its texts and voice beat the pack, and what it leaves out comes from the pack', () => {
    const agent = englishAgent();
    agent.agent_config.languages = {
      ar: {
        agent_welcome_message: 'مرحباً {name}، معك بريا من فريق التوصيل.',
        voice_id: 'arabic-voice-7',
        synthesizer_model: 'eleven_multilingual_v2',
        goodbye_messages: { confirmed: 'تم التأكيد يا {name}.' },
      },
    };
    const arabic = localiseAgent(runtime(agent), 'ar-EG');
    const ARABIC = languagePack('ar');
    expect(arabic.welcomeMessage).toBe('مرحباً {name}، معك بريا من فريق التوصيل.');
    expect(arabic.synthesizer).toEqual({ provider: 'elevenlabs', model: 'eleven_multilingual_v2', voiceId: 'arabic-voice-7', languageCode: 'ar' });
    expect(arabic.goodbyeMessages.confirmed).toBe('تم التأكيد يا {name}.');
    expect(arabic.goodbyeMessages.cancelled).toBe(ARABIC.defaults.goodbyes.cancelled);
    expect(arabic.voicemail).toEqual({ action: 'leave_message', message: ARABIC.defaults.voicemail });
    expect(arabic.transcriber).toMatchObject({ language: ARABIC.deepgram.language, languageHints: ARABIC.deepgram.languageHints });
  });

  it("serves the agent's own top-level texts, voice and models to its default language only", () => {
    const english = runtime(englishAgent());
    for (const cell of [undefined, '', '  ', 'en', 'English', 'EN-us']) {
      const config = localiseAgent(english, cell);
      expect(config.language).toBe('en');
      expect(config.welcomeMessage).toBe('Hello, this is Priya from the delivery team. Am I speaking with {name}?');
      expect(config.voicemail.message).toBe('Priya here about order {order_id}.');
      expect(config.goodbyeMessages.confirmed).toBe('Lovely, {name}: confirmed.');
      expect(config.goodbyeMessages.cancelled).toBe(languagePack('en').defaults.goodbyes.cancelled);
      expect(config.synthesizer).toMatchObject({ voiceId: '21m00Tcm4TlvDq8ikWAM', voice: 'Rachel', languageCode: 'en' });
    }
    // The English goodbye of its own does not follow the agent into Hindi.
    expect(localiseAgent(english, 'hi').goodbyeMessages.confirmed).toBe(languagePack('hi').defaults.goodbyes.confirmed);
  });

  it('given an agent whose default language is Arabic, its top-level welcome is the Arabic one and an English row gets the English pack', () => {
    const agent = seed();
    agent.agent_config.tasks[0].tools_config.transcriber.language = 'Arabic';
    agent.agent_config.agent_welcome_message = 'مرحباً {name}';
    const config = runtime(agent);
    expect(config.language).toBe('ar');
    expect(config.welcomeMessage).toBe('مرحباً {name}');
    expect(config.systemPrompt.endsWith(languagePack('ar').promptInstruction)).toBe(true);
    expect(localiseAgent(config, 'en').welcomeMessage).toBe(languagePack('en').defaults.welcome);
    expect(localiseAgent(config).welcomeMessage).toBe('مرحباً {name}');
  });

  it('throws UnknownLanguageError naming a cell that names no language', () => {
    const config = runtime(seed());
    expect(() => localiseAgent(config, ' Klingon ')).toThrow(UnknownLanguageError);
    expect(() => localiseAgent(config, 'Klingon')).toThrow(/unknown language "Klingon" \(known: en, hi, hi-Latn, ar, es, pt-BR, id/);
  });

  it.each([
    ['HINDI', 'hi'],
    [' hi-IN ', 'hi'],
    ['hinglish', 'hi-Latn'],
    ['hi-en', 'hi-Latn'],
    ['ar-MA', 'ar'],
    ['arabic', 'ar'],
    ['pt-br', 'pt-BR'],
    ['Portuguese', 'pt-BR'],
    ['es', 'es'],
    ['id', 'id'],
  ])('reads the cell %p as %s', (cell, code) => {
    expect(localiseAgent(runtime(seed()), cell).language).toBe(code);
  });

  it('localises again from the agent as written: after JSON (agent-api to gateway) and after another language, one instruction, the right one', () => {
    const travelled = JSON.parse(JSON.stringify(runtime(englishAgent()))) as AgentRuntimeConfig;
    const arabic = localiseAgent(localiseAgent(travelled, 'hi'), 'ar');
    expect(arabic.systemPrompt.endsWith(languagePack('ar').promptInstruction)).toBe(true);
    expect(arabic.systemPrompt).not.toContain(languagePack('hi').promptInstruction);
    expect(localiseAgent(arabic).welcomeMessage).toBe('Hello, this is Priya from the delivery team. Am I speaking with {name}?');
  });

  it('localises a config built by hand too: its own texts serve its own language', () => {
    const config = runtime(seed());
    const { localisation: _dropped, ...handBuilt } = config;
    const hindi = localiseAgent(handBuilt, 'hi');
    expect(hindi.welcomeMessage).toBe(languagePack('hi').defaults.welcome);
    expect(localiseAgent(handBuilt).welcomeMessage).toBe(config.welcomeMessage);
  });
});

describe('the agent JSON for languages, transfers and addresses', () => {
  const LANGUAGES = 'agent_config.languages';

  it('refuses a languages key that names no language, naming the field and the languages it knows', () => {
    const agent = seed();
    agent.agent_config.languages = { xx: { agent_welcome_message: 'Hi' } };
    expect(errorsOf(validateAgentJson(agent))).toEqual([
      { path: `${LANGUAGES}.xx`, message: 'unknown language "xx" (known: en, hi, hi-Latn, ar, es, pt-BR, id, or their names such as Hindi, Hinglish, Arabic)' },
    ]);
  });

  it('takes names as keys, refuses two keys for one language, and bounds every text like the agent’s other texts', () => {
    const agent = seed();
    agent.agent_config.languages = {
      Hindi: { agent_welcome_message: 'नमस्ते {name}' },
      hi: { voicemail_message: 'v'.repeat(1001), goodbye_messages: { transferred: '' } },
    };
    expect(errorsOf(validateAgentJson(agent)).map((error) => error.path).sort()).toEqual([
      `${LANGUAGES}.hi`,
      `${LANGUAGES}.hi.goodbye_messages.transferred`,
      `${LANGUAGES}.hi.voicemail_message`,
    ]);
    agent.agent_config.languages = { Hindi: { agent_welcome_message: 'नमस्ते {name}' }, ar: 'hello' };
    expect(errorsOf(validateAgentJson(agent))).toEqual([{ path: `${LANGUAGES}.ar`, message: expect.stringContaining('must be an object') }]);
  });

  it('keeps and reports a field of a language entry it does not use', () => {
    const agent = seed();
    agent.agent_config.languages = { hi: { agent_welcome_message: 'नमस्ते', accent: 'Jaipur' } };
    const result = validateAgentJson(agent);
    expect(result.ok && result.unknownFields).toEqual([`${LANGUAGES}.hi.accent`]);
  });

  it('takes the default language as a code or a name, and refuses one it does not know', () => {
    const agent = seed();
    agent.agent_config.tasks[0].tools_config.transcriber.language = 'Hinglish';
    expect(runtime(agent).language).toBe('hi-Latn');
    agent.agent_config.tasks[0].tools_config.transcriber.language = 'klingon';
    expect(errorsOf(validateAgentJson(agent))).toEqual([
      { path: 'agent_config.tasks.0.tools_config.transcriber.language', message: expect.stringContaining('unknown language "klingon"') },
    ]);
  });

  it('takes confirm_address (default false), a transfer message and an address question, and refuses a confirm_address that is not a boolean', () => {
    const agent = seed();
    for (const field of ['confirm_address', 'transfer_message', 'address_question']) delete agent.agent_config.tasks[0].task_config[field];
    expect(runtime(agent)).toMatchObject({ confirmAddress: false, transferMessage: languagePack('en').defaults.transferring, addressQuestion: languagePack('en').defaults.addressQuestion });
    Object.assign(agent.agent_config.tasks[0].task_config, { confirm_address: true, transfer_message: 'Connecting you to Ravi.', address_question: 'Still at {address}?' });
    expect(runtime(agent)).toMatchObject({ confirmAddress: true, transferMessage: 'Connecting you to Ravi.', addressQuestion: 'Still at {address}?' });
    agent.agent_config.tasks[0].task_config.confirm_address = 'yes';
    expect(errorsOf(validateAgentJson(agent)).map((error) => error.path)).toEqual(['agent_config.tasks.0.task_config.confirm_address']);
  });
});
