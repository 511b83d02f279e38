import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallViewBody as CallView } from '@codcall/gateway-api';
import { scoreScenario, type CallObservation, type CheckResult, type TranscriptLine } from './checks';
import { rowZone } from './cells';
import { isClaimed, unclaimedBecause, type OfflineClaims } from './claims';
import type { AgentOverrides, Scenario } from './scenario';
import { WORKSPACE, type EvalServices } from './services';

/** A number per language, so the gateway picks the callee's country (and its zone) as a real row would. */
const NUMBERS: Record<Scenario['language'], string> = {
  en: '+12025550143',
  hi: '+919876500011',
  'hi-Latn': '+919876500012',
  ar: '+971501234567',
  es: '+525512345678',
  'pt-BR': '+5511987654321',
  id: '+6281234567890',
};
/** Countries with several zones need the column a real CSV would have. */
const ZONES: Record<Scenario['language'], string> = {
  en: 'America/New_York',
  hi: 'Asia/Kolkata',
  'hi-Latn': 'Asia/Kolkata',
  ar: 'Asia/Dubai',
  es: 'America/Mexico_City',
  'pt-BR': 'America/Sao_Paulo',
  id: 'Asia/Jakarta',
};
/** The cells an outcome can write into its row. */
const OUTCOME_CELLS = ['reschedule_date', 'reschedule_time', 'callback_at', 'address_update', 'reason'] as const;
/** The tools whose call records an outcome: the first one ends the time to outcome. */
const OUTCOME_TOOLS = ['confirm_order', 'cancel_order', 'reschedule_delivery', 'wrong_person', 'do_not_call', 'request_callback', 'transfer_to_human', 'end_call'];
/** Longest a scenario's call may take: the agent's own call_terminate is 180 s. */
const CALL_DEADLINE_MS = 240_000;

export type Verdict = 'passed' | 'failed' | 'skipped' | 'error';

export interface ScenarioResult {
  id: string;
  name: string;
  file: string;
  language: Scenario['language'];
  needs: Scenario['needs'];
  /** The offline engine claims this scenario: offline, it must pass. */
  claimed: boolean;
  claimNote?: string;
  verdict: Verdict;
  expectedStatus: string;
  status?: string;
  cells: Record<string, string>;
  checks: CheckResult[];
  transcript: TranscriptLine[];
  agentTurns?: number;
  secondsToOutcome?: number;
  callId?: string;
  /** Why it was skipped, or what went wrong running it. */
  note?: string;
}

export interface RunOptions {
  concurrency: number;
  claims: OfflineClaims | undefined;
  /** A language model can play persona callees (OPENAI_API_KEY is set). */
  personas: boolean;
  onResult?: (result: ScenarioResult, done: number, total: number) => void;
}

/** The agent JSON a scenario's call uses: the shipped agent with the scenario's settings on top. */
export function agentFor(overrides: AgentOverrides, base = JSON.parse(readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json'), 'utf8'))): unknown {
  const agent = structuredClone(base) as { agent_config: { tasks: { tools_config: { transcriber: Record<string, unknown> }; task_config: Record<string, unknown> }[] } };
  const task = agent.agent_config.tasks[0];
  if (overrides.confirm_address !== undefined) task.task_config['confirm_address'] = overrides.confirm_address;
  if (overrides.dtmf_enabled !== undefined) task.task_config['dtmf_enabled'] = overrides.dtmf_enabled;
  if (overrides.voicemail !== undefined) task.task_config['voicemail'] = overrides.voicemail;
  if (overrides.hangup_after_silence !== undefined) task.task_config['hangup_after_silence'] = overrides.hangup_after_silence;
  if (overrides.language !== undefined) task.tools_config.transcriber['language'] = overrides.language;
  return agent;
}

/** The row a scenario's call carries: its columns, with a number, a zone and the language filled in where it leaves them out. */
export function rowFor(scenario: Scenario): Record<string, string> {
  return {
    recipient_phone_number: NUMBERS[scenario.language],
    timezone: ZONES[scenario.language],
    language: scenario.language,
    status: '',
    reschedule_date: '',
    reschedule_time: '',
    ...scenario.row,
  };
}

/**
 * How long a scripted callee waits in quiet before taking the agent's turn as over: patient, so a
 * pause while the gateway synthesises the agent's next clause is not taken for the end of its turn
 * (on a loaded two-core machine a clause took over a second to synthesise: 1 s was not enough,
 * measured). Timed lines (pauseMs, bargeInAfterMs) still play as written.
 */
const CALLEE_TURN_GAP_MS = 1800;

/** What the simulator is told to play: the callee's lines in their voice, answering at once. */
export function simulationFor(scenario: Scenario): Record<string, unknown> {
  return {
    answer: scenario.answer,
    ringSeconds: 0.2,
    turnGapMs: CALLEE_TURN_GAP_MS,
    language: scenario.calleeLanguage ?? scenario.language,
    ...(scenario.callee.length ? { says: scenario.callee } : {}),
    ...(scenario.persona ? { persona: scenario.persona } : {}),
  };
}

export async function runScenarios(scenarios: Scenario[], services: EvalServices, options: RunOptions): Promise<ScenarioResult[]> {
  const agents = new Map<string, Promise<string>>();
  const agentId = (overrides: AgentOverrides) => {
    const key = JSON.stringify(Object.entries(overrides).sort());
    if (!agents.has(key)) agents.set(key, createAgent(services, agentFor(overrides)));
    return agents.get(key) as Promise<string>;
  };
  const results: ScenarioResult[] = new Array(scenarios.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < scenarios.length) {
      const index = next++;
      const scenario = scenarios[index];
      results[index] = await runOne(scenario, services, agentId, options);
      options.onResult?.(results[index], ++done, scenarios.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, scenarios.length)) }, worker));
  return results;
}

async function runOne(scenario: Scenario, services: EvalServices, agentId: (overrides: AgentOverrides) => Promise<string>, options: RunOptions): Promise<ScenarioResult> {
  const claimed = isClaimed(scenario, options.claims);
  const base: ScenarioResult = {
    id: scenario.id,
    name: scenario.name,
    file: scenario.file,
    language: scenario.language,
    needs: scenario.needs,
    claimed,
    ...(claimed ? {} : { claimNote: unclaimedBecause(scenario, options.claims) }),
    verdict: 'skipped',
    expectedStatus: scenario.expect.status,
    cells: {},
    checks: [],
    transcript: [],
  };
  if (scenario.persona && !options.personas) return { ...base, note: 'a persona callee needs OPENAI_API_KEY (a language model plays the customer)' };
  const died = services.gateway.died() ?? services.agentApi.died();
  if (died) return { ...base, verdict: 'error', note: `not run: a service ${died}` };
  try {
    const row = rowFor(scenario);
    const placedAt = new Date();
    const view = await placeAndWait(services, await agentId(scenario.agent), row, simulationFor(scenario));
    const endedAt = new Date();
    const transcript = view.transcript ?? [];
    const outcomeTool = (view.tool_calls ?? []).filter((call) => OUTCOME_TOOLS.includes(call.name)).at(-1);
    const cells = Object.fromEntries(OUTCOME_CELLS.flatMap((cell) => (view.outcome?.[cell] ? [[cell, String(view.outcome[cell])]] : [])));
    const observation: CallObservation = {
      status: view.outcome?.status,
      cells,
      transcript,
      secondsToOutcome: outcomeTool ? outcomeTool.atMs / 1000 : undefined,
      placedAt,
      endedAt,
      zone: rowZone(row),
    };
    const checks = scoreScenario(scenario, observation);
    return {
      ...base,
      verdict: checks.every((check) => check.passed) ? 'passed' : 'failed',
      status: observation.status,
      cells,
      checks,
      transcript,
      agentTurns: transcript.filter((line) => line.speaker === 'agent').length,
      secondsToOutcome: observation.secondsToOutcome,
      callId: view.call_id,
    };
  } catch (error) {
    // fetch names the socket's failure only in its cause.
    const cause = (error as Error & { cause?: Error }).cause;
    const died = services.gateway.died() ?? services.agentApi.died();
    const why = died ? `the ${services.gateway.died() ? 'telephony-gateway' : 'agent-api'} process ${died}` : `${(error as Error).message}${cause ? ` (${cause.message})` : ''}`;
    return { ...base, verdict: 'error', note: why };
  }
}

async function createAgent(services: EvalServices, agent: unknown): Promise<string> {
  const response = await fetch(`${services.agentApi.url}/agent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${services.apiKey}` },
    body: JSON.stringify(agent),
  });
  const body = (await response.json().catch(() => ({}))) as { agent_id?: string; message?: unknown };
  if (!response.ok || !body.agent_id) throw new Error(`agent-api refused the agent (${response.status}): ${JSON.stringify(body.message ?? body)}`);
  return body.agent_id;
}

async function placeAndWait(services: EvalServices, agentId: string, row: Record<string, string>, simulation: unknown): Promise<CallView> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${services.apiKey}` };
  const placed = await fetch(`${services.gateway.url}/call`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ agent_id: agentId, recipient_phone_number: row['recipient_phone_number'], carrier: 'sim', context: row, simulation }),
  });
  const body = (await placed.json().catch(() => ({}))) as { call_id?: string; message?: unknown };
  if (placed.status !== 201 || !body.call_id) throw new Error(`the gateway refused the call (${placed.status}): ${JSON.stringify(body.message ?? body)}`);
  const deadline = Date.now() + CALL_DEADLINE_MS;
  for (;;) {
    const response = await fetch(`${services.gateway.url}/call/${body.call_id}?wait=30`, { headers });
    if (!response.ok) throw new Error(`GET /call/${body.call_id} answered ${response.status}`);
    const view = (await response.json()) as CallView;
    if (view.state === 'completed') return view;
    if (Date.now() > deadline) throw new Error(`call ${body.call_id} still ${view.state} after ${CALL_DEADLINE_MS / 1000} s`);
  }
}
