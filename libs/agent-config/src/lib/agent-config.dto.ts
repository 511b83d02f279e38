import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { CARRIER_NAMES } from '@codcall/gateway-api';

/**
 * The Bolna-compatible agent JSON (see shared AGENT_SCHEMA.md). Field names are Bolna's so agents
 * written for it load unchanged. Only what we read is declared; everything else is kept as sent
 * and reported as unknown, never silently dropped.
 */
export const TRANSCRIBER_PROVIDERS = ['deepgram', 'offline'] as const;
export const LLM_PROVIDERS = ['openai', 'azure-openai', 'azure', 'groq', 'ollama', 'vllm', 'openrouter', 'offline'] as const;
export const SYNTHESIZER_PROVIDERS = ['elevenlabs', 'offline'] as const;
/** An agent's telephony provider is a carrier the gateway knows by name (the wire contract's list). */
export const CARRIERS = CARRIER_NAMES;
export const INTERRUPTION_MODES = ['pause', 'words'] as const;
export const GREETING_PREFETCH = ['dial', 'answer'] as const;
export const TASK_TYPES = ['conversation', 'extraction', 'summarization', 'webhook'] as const;

/**
 * How long an agent's texts may be. Each is spoken, synthesised or sent to the model on every
 * call, so an unbounded one costs memory and money per call: a 900 KB welcome message once took
 * the gateway to 4 GB. The limits sit far above any real agent's texts.
 */
export const AGENT_TEXT_LIMITS = {
  /** Welcome, voicemail and "are you still there?" messages: a few spoken sentences. */
  spokenMessageChars: 1000,
  systemPromptChars: 20_000,
  callCancellationPromptChars: 5000,
  /** OpenAI's own limit for a function description. */
  toolDescriptionChars: 1024,
  toolNameChars: 64,
  /** One tool's whole JSON, its parameter schema included. */
  toolJsonChars: 16 * 1024,
  tools: 32,
  tasks: 10,
  /** A voice id, voice name or model name: an identifier, not prose. */
  vendorNameChars: 200,
} as const;

const SPOKEN = AGENT_TEXT_LIMITS.spokenMessageChars;
const NAME = AGENT_TEXT_LIMITS.vendorNameChars;

export class IoConfig {
  @IsIn(CARRIERS) provider!: string;
  @IsOptional() @IsString() format?: string;
}

export class TranscriberConfig {
  @IsIn(TRANSCRIBER_PROVIDERS) provider!: string;
  @IsOptional() @IsString() @IsNotEmpty() model?: string;
  /** The agent's default language: a code or a name codcall knows ("hi", "Hinglish", "ar-EG"); checked in validate-agent. */
  @IsOptional() @IsString() @MaxLength(32) language?: string;
  @IsOptional() @IsBoolean() stream?: boolean;
  @IsOptional() @IsString() encoding?: string;
  @IsOptional() @IsInt() @Min(10) @Max(5000) endpointing?: number;
}

export class LlmConfig {
  @IsIn(LLM_PROVIDERS) provider!: string;
  @IsString() @IsNotEmpty() model!: string;
  @IsOptional() @IsInt() @Min(1) @Max(4096) max_tokens?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
  @IsOptional() @IsString() base_url?: string | null;
}

export class LlmAgentConfig {
  @IsOptional() @IsString() agent_type?: string;
  @IsOptional() @IsString() agent_flow_type?: string;
  @ValidateNested() @Type(() => LlmConfig) llm_config!: LlmConfig;
}

export class SynthesizerProviderConfig {
  @IsOptional() @IsString() voice?: string;
  @IsOptional() @IsString() voice_id?: string;
  @IsOptional() @IsString() model?: string;
}

export class SynthesizerConfig {
  @IsIn(SYNTHESIZER_PROVIDERS) provider!: string;
  @IsOptional() @IsBoolean() stream?: boolean;
  @IsOptional() @IsInt() @Min(0) buffer_size?: number;
  @IsOptional() @IsString() audio_format?: string;
  @IsOptional() @ValidateNested() @Type(() => SynthesizerProviderConfig) provider_config?: SynthesizerProviderConfig;
}

export class ApiToolsConfig {
  @IsOptional() @IsArray() @ArrayMaxSize(AGENT_TEXT_LIMITS.tools) tools?: unknown[];
  @IsOptional() @IsObject() tools_params?: Record<string, unknown>;
}

export class ToolsConfig {
  @IsOptional() @ValidateNested() @Type(() => IoConfig) input?: IoConfig;
  @IsOptional() @ValidateNested() @Type(() => IoConfig) output?: IoConfig;
  @IsOptional() @ValidateNested() @Type(() => TranscriberConfig) transcriber?: TranscriberConfig;
  @IsOptional() @ValidateNested() @Type(() => LlmAgentConfig) llm_agent?: LlmAgentConfig;
  @IsOptional() @ValidateNested() @Type(() => SynthesizerConfig) synthesizer?: SynthesizerConfig;
  @IsOptional() @ValidateNested() @Type(() => ApiToolsConfig) api_tools?: ApiToolsConfig;
}

export class Toolchain {
  @IsOptional() @IsIn(['parallel', 'sequential']) execution?: string;
  @IsOptional() @IsArray() pipelines?: string[][];
}

export class GoodbyeMessages {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) confirmed?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) cancelled?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) rescheduled?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) wrong_person?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) do_not_call?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) no_response?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) ended_without_outcome?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) max_duration?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) failed?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) callback_requested?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) transferred?: string;
}

/**
 * Ours: one entry of `agent_config.languages` (keyed by a language code or name): what the agent
 * says and which voice and models it uses in that language. Anything left out comes from the
 * language's pack (@codcall/languages); for the agent's own default language, from its top-level texts first.
 */
export class LanguageSettings {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) agent_welcome_message?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) voicemail_message?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) user_online_message?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) transfer_message?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) address_question?: string;
  @IsOptional() @ValidateNested() @Type(() => GoodbyeMessages) goodbye_messages?: GoodbyeMessages;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME) voice_id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME) voice?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME) synthesizer_model?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME) transcriber_model?: string;
}

export class TaskConfig {
  @IsOptional() @IsNumber() @Min(3) @Max(600) hangup_after_silence?: number;
  @IsOptional() @IsInt() @Min(0) @Max(5000) incremental_delay?: number;
  @IsOptional() @IsInt() @Min(0) @Max(20) number_of_words_for_interruption?: number;
  /** Ours, not Bolna's: the recogniser's speech-started event alone interrupts the agent (faster; also fires on noise). */
  @IsOptional() @IsBoolean() interrupt_on_speech_started?: boolean;
  /**
   * Ours: how the agent yields to a callee who starts talking over it. `pause` (default): it stops
   * at the recogniser's speech start and resumes the unplayed rest if no words (or only a
   * backchannel) follow within `false_interruption_timeout_ms`; `words`: it keeps talking until
   * `number_of_words_for_interruption` words were heard, as before.
   */
  @IsOptional() @IsIn(INTERRUPTION_MODES) interruption_mode?: string;
  @IsOptional() @IsInt() @Min(100) @Max(5000) false_interruption_timeout_ms?: number;
  /** Ours: when the greeting is synthesised: at the dial (`dial`) or at the carrier's answer (`answer`, default: no TTS for calls nobody answers). */
  @IsOptional() @IsIn(GREETING_PREFETCH) greeting_prefetch?: string;
  /** Ours: what the agent says after each outcome when the model said nothing with the tool call ({column} variables allowed). */
  @IsOptional() @ValidateNested() @Type(() => GoodbyeMessages) goodbye_messages?: GoodbyeMessages;
  @IsOptional() @IsBoolean() hangup_after_LLMCall?: boolean;
  @IsOptional() @IsString() @MaxLength(AGENT_TEXT_LIMITS.callCancellationPromptChars) call_cancellation_prompt?: string | null;
  @IsOptional() @IsBoolean() check_if_user_online?: boolean;
  @IsOptional() @IsNumber() @Min(2) @Max(300) trigger_user_online_message_after?: number;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) user_online_message?: string;
  @IsOptional() @IsInt() @Min(10) @Max(3600) call_terminate?: number;
  @IsOptional() @IsBoolean() dtmf_enabled?: boolean;
  @IsOptional() @IsBoolean() backchanneling?: boolean;
  @IsOptional() @IsBoolean() voicemail?: boolean;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) voicemail_message?: string;
  @IsOptional() @IsString() @IsNotEmpty() timezone?: string;
  /** Ours: the agent asks whether the row's `address` cell is right, and records a correction (update_address). */
  @IsOptional() @IsBoolean() confirm_address?: boolean;
  /** Ours: said before the call is handed to a person, in the agent's default language. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) transfer_message?: string;
  /** Ours: the address question ({address} allowed), in the agent's default language. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(SPOKEN) address_question?: string;
}

export class AgentTask {
  @IsIn(TASK_TYPES) task_type!: string;
  @IsOptional() @ValidateNested() @Type(() => Toolchain) toolchain?: Toolchain;
  @IsOptional() @ValidateNested() @Type(() => ToolsConfig) tools_config?: ToolsConfig;
  @IsOptional() @ValidateNested() @Type(() => TaskConfig) task_config?: TaskConfig;
}

export class AgentConfig {
  @IsString() @IsNotEmpty() @MaxLength(200) agent_name!: string;
  @IsOptional() @IsString() agent_type?: string;
  @IsString() @IsNotEmpty() @MaxLength(SPOKEN) agent_welcome_message!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(AGENT_TEXT_LIMITS.tasks) @ValidateNested({ each: true }) @Type(() => AgentTask) tasks!: AgentTask[];
  /** Ours: per-language texts and voices, keyed by language (see LanguageSettings); each entry is checked in validate-agent. */
  @IsOptional() @IsObject() languages?: Record<string, LanguageSettings>;
}

export class AgentPrompt {
  @IsString() @IsNotEmpty() system_prompt!: string;
}

export class AgentJson {
  @IsDefined({ message: 'agent_config is required' }) @ValidateNested() @Type(() => AgentConfig) agent_config!: AgentConfig;
  @IsObject() agent_prompts!: Record<string, AgentPrompt>;
}
