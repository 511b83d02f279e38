import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { findLanguage, LANGUAGE_PACKS } from '@codcall/languages';
import { AGENT_TEXT_LIMITS, AgentJson, LanguageSettings } from './agent-config.dto';
import { nestsDeeperThan } from '@codcall/service-edge';
import { providerUrlProblem, type ProviderUrlPolicy } from './provider-url';

export interface AgentFieldError {
  path: string;
  message: string;
}

export interface AgentValidationOptions {
  /** What the deployment allows the agent's URLs to be (ALLOW_INSECURE_PROVIDER_URLS, read by the app). */
  providerUrls?: ProviderUrlPolicy;
}

/** An agent document is about 8 levels deep; anything past this is refused before class-transformer recurses into it. */
export const MAX_AGENT_JSON_DEPTH = 32;

export type AgentValidation = { ok: true; agent: AgentJson; unknownFields: string[] } | { ok: false; errors: AgentFieldError[] };

/**
 * Validates the agent JSON. The document the caller stores is the raw one as sent; fields we do
 * not read are listed in `unknownFields` (Bolna drops them silently, which users hated).
 */
export function validateAgentJson(raw: unknown, options: AgentValidationOptions = {}): AgentValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ path: '', message: 'the agent must be a JSON object with agent_config and agent_prompts' }] };
  }
  if (nestsDeeperThan(raw, MAX_AGENT_JSON_DEPTH)) {
    return { ok: false, errors: [{ path: '', message: `the agent JSON nests objects and arrays deeper than ${MAX_AGENT_JSON_DEPTH} levels` }] };
  }
  const agent = plainToInstance(AgentJson, structuredClone(raw));
  const problems = flatten(validateSync(agent, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false }));
  const languages = languageProblems(raw);
  const unknownFields = [...problems, ...languages].filter((p) => p.unknown).map((p) => p.path);
  const errors: AgentFieldError[] = [...problems, ...languages].filter((p) => !p.unknown).map(({ path, message }) => ({ path, message }));
  // Undeclared fields are kept as sent, so their URLs and texts are checked on the raw document.
  errors.push(...urlErrors(raw, options.providerUrls ?? {}), ...promptAndToolErrors(raw), ...transcriberLanguageErrors(raw));
  if (errors.length === 0) errors.push(...semanticErrors(agent));
  return errors.length ? { ok: false, errors } : { ok: true, agent, unknownFields };
}

/** Every string under a key ending in "url" (base_url, webhook_url...) is a URL the agent may make the gateway call. */
function urlErrors(raw: object, policy: ProviderUrlPolicy): AgentFieldError[] {
  const errors: AgentFieldError[] = [];
  const pending: [unknown, string][] = [[raw, '']];
  while (pending.length) {
    const [node, path] = pending.pop() as [unknown, string];
    if (typeof node !== 'object' || node === null) continue;
    for (const [key, value] of Object.entries(node)) {
      const where = path ? `${path}.${key}` : key;
      if (typeof value === 'string' && value !== '' && /url$/i.test(key)) {
        const problem = providerUrlProblem(value, policy);
        if (problem) errors.push({ path: where, message: `${key} ${problem}` });
      } else if (typeof value === 'object') {
        pending.push([value, where]);
      }
    }
  }
  return errors.sort((a, b) => a.path.localeCompare(b.path));
}

/** Every prompt is bounded, not only the conversation's; a tool's description goes to the model on every turn. */
function promptAndToolErrors(raw: object): AgentFieldError[] {
  const errors: AgentFieldError[] = [];
  const document = raw as { agent_config?: { tasks?: unknown }; agent_prompts?: unknown };
  if (typeof document.agent_prompts === 'object' && document.agent_prompts !== null) {
    for (const [key, prompt] of Object.entries(document.agent_prompts)) {
      const text = (prompt as { system_prompt?: unknown } | null)?.system_prompt;
      if (typeof text === 'string' && text.length > AGENT_TEXT_LIMITS.systemPromptChars) {
        errors.push({ path: `agent_prompts.${key}.system_prompt`, message: `system_prompt is ${text.length} characters long; at most ${AGENT_TEXT_LIMITS.systemPromptChars} are allowed` });
      }
    }
  }
  const tasks = Array.isArray(document.agent_config?.tasks) ? (document.agent_config.tasks as unknown[]) : [];
  tasks.forEach((task, taskIndex) => {
    const tools = (task as { tools_config?: { api_tools?: { tools?: unknown } } } | null)?.tools_config?.api_tools?.tools;
    if (!Array.isArray(tools)) return;
    tools.forEach((tool, toolIndex) => {
      const path = `agent_config.tasks.${taskIndex}.tools_config.api_tools.tools.${toolIndex}`;
      const size = JSON.stringify(tool)?.length ?? 0;
      if (size > AGENT_TEXT_LIMITS.toolJsonChars) {
        errors.push({ path, message: `the tool is ${size} characters of JSON; at most ${AGENT_TEXT_LIMITS.toolJsonChars} are allowed` });
        return;
      }
      // OpenAI's shape ({type, function: {name, description}}) and a flat {name, description}.
      const declared = (tool as { function?: unknown } | null)?.function ?? tool;
      const { name, description } = (typeof declared === 'object' && declared !== null ? declared : {}) as { name?: unknown; description?: unknown };
      const at = declared === tool ? path : `${path}.function`;
      if (typeof description === 'string' && description.length > AGENT_TEXT_LIMITS.toolDescriptionChars) {
        errors.push({ path: `${at}.description`, message: `description is ${description.length} characters long; at most ${AGENT_TEXT_LIMITS.toolDescriptionChars} are allowed` });
      }
      if (typeof name === 'string' && name.length > AGENT_TEXT_LIMITS.toolNameChars) {
        errors.push({ path: `${at}.name`, message: `name is ${name.length} characters long; at most ${AGENT_TEXT_LIMITS.toolNameChars} are allowed` });
      }
    });
  });
  return errors;
}

const KNOWN_LANGUAGES = LANGUAGE_PACKS.map((pack) => pack.code).join(', ');

function unknownLanguage(text: string): string {
  return `unknown language ${JSON.stringify(text)} (known: ${KNOWN_LANGUAGES}, or their names such as Hindi, Hinglish, Arabic)`;
}

/**
 * `agent_config.languages`: every key names a language codcall knows (a code or a name, never
 * two keys for one language) and every entry is checked like the agent's other texts; fields an
 * entry has that codcall does not read are kept and reported.
 */
function languageProblems(raw: object): { path: string; message: string; unknown: boolean }[] {
  const languages = (raw as { agent_config?: { languages?: unknown } }).agent_config?.languages;
  if (typeof languages !== 'object' || languages === null || Array.isArray(languages)) return []; // @IsObject says so
  const problems: { path: string; message: string; unknown: boolean }[] = [];
  const seen = new Map<string, string>();
  for (const [key, entry] of Object.entries(languages)) {
    const path = `agent_config.languages.${key}`;
    const pack = findLanguage(key);
    if (!pack) {
      problems.push({ path, message: unknownLanguage(key), unknown: false });
      continue;
    }
    const earlier = seen.get(pack.code);
    if (earlier !== undefined) problems.push({ path, message: `names the same language (${pack.name}) as agent_config.languages.${earlier}: give it once`, unknown: false });
    seen.set(pack.code, key);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({ path, message: `the settings for ${pack.name} must be an object such as {"agent_welcome_message": "..."}`, unknown: false });
      continue;
    }
    const settings = plainToInstance(LanguageSettings, structuredClone(entry));
    problems.push(...flatten(validateSync(settings, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false }), path));
  }
  return problems;
}

/** A transcriber's language is the agent's default language: a code or a name some pack answers to. */
function transcriberLanguageErrors(raw: object): AgentFieldError[] {
  const tasks = (raw as { agent_config?: { tasks?: unknown } }).agent_config?.tasks;
  if (!Array.isArray(tasks)) return [];
  const errors: AgentFieldError[] = [];
  tasks.forEach((task, index) => {
    const language = (task as { tools_config?: { transcriber?: { language?: unknown } } } | null)?.tools_config?.transcriber?.language;
    if (typeof language === 'string' && language.length <= 32 && !findLanguage(language)) {
      errors.push({ path: `agent_config.tasks.${index}.tools_config.transcriber.language`, message: unknownLanguage(language) });
    }
  });
  return errors;
}

/** The conversation task is the one we run; its prompt lives under task_<n> (1-based). */
export function conversationTaskIndex(agent: AgentJson): number {
  return agent.agent_config.tasks.findIndex((task) => task.task_type === 'conversation');
}

function semanticErrors(agent: AgentJson): AgentFieldError[] {
  const tasks = agent.agent_config.tasks;
  const conversations = tasks.filter((task) => task.task_type === 'conversation').length;
  if (conversations !== 1) {
    return [{ path: 'agent_config.tasks', message: `exactly one task must have task_type "conversation", found ${conversations}` }];
  }
  const key = `task_${conversationTaskIndex(agent) + 1}`;
  const prompt = (agent.agent_prompts as Record<string, unknown>)[key];
  if (typeof prompt !== 'object' || prompt === null || typeof (prompt as { system_prompt?: unknown }).system_prompt !== 'string' || !(prompt as { system_prompt: string }).system_prompt.trim()) {
    return [{ path: `agent_prompts.${key}.system_prompt`, message: `the conversation task needs a non-empty system_prompt under agent_prompts.${key}` }];
  }
  return [];
}

function flatten(errors: ValidationError[], prefix = ''): { path: string; message: string; unknown: boolean }[] {
  const out: { path: string; message: string; unknown: boolean }[] = [];
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({ path, message: constraint === 'whitelistValidation' ? 'unknown field (kept as sent, not used)' : message, unknown: constraint === 'whitelistValidation' });
    }
    if (error.children?.length) out.push(...flatten(error.children, path));
  }
  return out;
}
