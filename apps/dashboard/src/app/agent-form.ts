import type { FieldError } from '../lib/dashboard-api';

/** The agent fields the form edits, each at its place in the agent JSON (agent-api's paths). */
export const AGENT_FORM_FIELDS = {
  name: 'agent_config.agent_name',
  language: 'agent_config.tasks.0.tools_config.transcriber.language',
  welcome: 'agent_config.agent_welcome_message',
  prompt: 'agent_prompts.task_1.system_prompt',
  voice: 'agent_config.tasks.0.tools_config.synthesizer.provider_config.voice',
  retryMaxAttempts: 'agent_config.retry_policy.max_attempts',
  retryStatuses: 'agent_config.retry_policy.statuses',
  retrySpacing: 'agent_config.retry_policy.spacing_minutes',
} as const;
export type AgentFormField = keyof typeof AGENT_FORM_FIELDS;
export type AgentFormValues = Record<AgentFormField, string>;

type Json = Record<string, unknown>;

function pathParts(path: string): string[] {
  return path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
}

function read(document: unknown, path: string): unknown {
  return pathParts(path).reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), document);
}

function write(document: Json, path: string, value: unknown): void {
  const parts = pathParts(path);
  let node: Json = document;
  for (const [index, key] of parts.slice(0, -1).entries()) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = /^\d+$/.test(parts[index + 1]) ? [] : {};
    node = node[key] as Json;
  }
  if (value === undefined) delete node[parts[parts.length - 1]];
  else node[parts[parts.length - 1]] = value;
}

/** The form's values read off an agent JSON (the template a new agent starts from). */
export function formValuesOf(agent: unknown): AgentFormValues {
  const values = {} as AgentFormValues;
  for (const [field, path] of Object.entries(AGENT_FORM_FIELDS) as [AgentFormField, string][]) {
    const value = read(agent, path);
    values[field] = Array.isArray(value) ? value.join(',') : value === undefined || value === null ? '' : String(value);
  }
  return values;
}

/** The template with the form's values written in; empty retry fields leave the policy out. */
export function agentJsonOf(template: unknown, values: AgentFormValues): Json {
  const agent = structuredClone((template ?? {}) as Json);
  write(agent, AGENT_FORM_FIELDS.name, values.name);
  write(agent, AGENT_FORM_FIELDS.language, values.language);
  write(agent, AGENT_FORM_FIELDS.welcome, values.welcome);
  write(agent, AGENT_FORM_FIELDS.prompt, values.prompt);
  write(agent, AGENT_FORM_FIELDS.voice, values.voice);
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  write(agent, AGENT_FORM_FIELDS.retryMaxAttempts, number(values.retryMaxAttempts));
  write(agent, AGENT_FORM_FIELDS.retrySpacing, number(values.retrySpacing));
  const statuses = values.retryStatuses.split(',').map((status) => status.trim()).filter(Boolean);
  write(agent, AGENT_FORM_FIELDS.retryStatuses, statuses.length ? statuses : undefined);
  const policy = read(agent, 'agent_config.retry_policy');
  if (policy && typeof policy === 'object' && Object.keys(policy).length === 0) write(agent, 'agent_config.retry_policy', undefined);
  return agent;
}

/** agent-api's validation errors, each against the form field whose JSON it is; the rest stay general. */
export function errorsByField(errors: readonly FieldError[]): { fields: Partial<Record<AgentFormField, string[]>>; general: string[] } {
  const fields: Partial<Record<AgentFormField, string[]>> = {};
  const general: string[] = [];
  for (const error of errors) {
    const path = pathParts(error.path).join('.');
    const field = (Object.entries(AGENT_FORM_FIELDS) as [AgentFormField, string][]).find(([, place]) => path === place || path.startsWith(`${place}.`))?.[0];
    if (field) (fields[field] ??= []).push(error.message);
    else general.push(error.path ? `${error.path}: ${error.message}` : error.message);
  }
  return { fields, general };
}

/** A one-row call list and its scripted callee, for a test call in the simulator. */
export function testCallFiles(input: { name: string; phone: string; orderId: string; lines: string[]; language?: string }): { csv: string; callees: string } {
  const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const csv = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,language', [input.name, input.phone, input.orderId, '', '', '', input.language ?? ''].map(cell).join(',')].join('\n') + '\n';
  const callees = JSON.stringify({ [input.phone]: { answer: 'human', says: input.lines } }, null, 2);
  return { csv, callees };
}
