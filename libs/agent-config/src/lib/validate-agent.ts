import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { AgentJson } from './agent-config.dto';

export interface AgentFieldError {
  path: string;
  message: string;
}

export type AgentValidation = { ok: true; agent: AgentJson; unknownFields: string[] } | { ok: false; errors: AgentFieldError[] };

/**
 * Validates the agent JSON. The document the caller stores is the raw one as sent; fields we do
 * not read are listed in `unknownFields` (Bolna drops them silently, which users hated).
 */
export function validateAgentJson(raw: unknown): AgentValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ path: '', message: 'the agent must be a JSON object with agent_config and agent_prompts' }] };
  }
  const agent = plainToInstance(AgentJson, structuredClone(raw));
  const problems = flatten(validateSync(agent, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false }));
  const unknownFields = problems.filter((p) => p.unknown).map((p) => p.path);
  const errors: AgentFieldError[] = problems.filter((p) => !p.unknown).map(({ path, message }) => ({ path, message }));
  if (errors.length === 0) errors.push(...semanticErrors(agent));
  return errors.length ? { ok: false, errors } : { ok: true, agent, unknownFields };
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
