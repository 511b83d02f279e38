import { CallListError } from '@codcall/call-list';
import { maskNumbersInText } from '@codcall/logging';
import { CampaignStoreError } from '@codcall/campaign-store';
import {
  AgentApiRequestError,
  AgentNotFoundError,
  ApiKeyRefusedError,
  CampaignOptionsError,
  CampaignStoppedError,
  CarrierNotConfiguredError,
  GatewayRequestError,
  RowsOverGatewayLimitsError,
  ServiceUnreachableError,
  SimulatedCalleesError,
} from '@codcall/campaign';

export const ExitCode = {
  ok: 0,
  /** Something unexpected: a bug, or a service answering nonsense. */
  failure: 1,
  /** Bad input or configuration: options, CSV, callee file, rows over the gateway's limits, unknown agent, carrier not configured, API key refused. */
  badInput: 2,
  /** A service is unreachable. */
  unreachable: 3,
  /** Another campaign holds the CSV's lock. */
  locked: 4,
  /** --exit-when-waiting: every row left waits for its calling window, a retry or a callback time; run the same command again later. */
  waiting: 5,
  interrupted: 130,
  terminated: 143,
} as const;

export const SIGNAL_EXIT_CODES = { SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated } as const;

/** A wrong option or option combination. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Failure {
  exitCode: number;
  /** One line for stderr. */
  message: string;
}

const CARRIER_SETUP: Record<string, string> = {
  twilio: 'set the gateway\'s TWILIO_* variables (see .env.example) and restart it, or use --provider sim / --simulate <callees.json>',
  plivo: 'set the gateway\'s PLIVO_* variables (see .env.example) and restart it, or use --provider sim / --simulate <callees.json>',
  sim: 'the gateway\'s carrier simulator is turned off (SIMULATOR_ENABLED=false)',
};

/** Turns any error into the exit code and the one line a user needs. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CampaignStoppedError) return describeFailure(error.cause);
  if (error instanceof CampaignStoreError) return { exitCode: error.code === 'LOCKED' ? ExitCode.locked : ExitCode.badInput, message: error.message };
  if (
    error instanceof UsageError ||
    error instanceof SimulatedCalleesError ||
    error instanceof CallListError ||
    error instanceof CampaignOptionsError ||
    error instanceof RowsOverGatewayLimitsError ||
    error instanceof ApiKeyRefusedError
  ) {
    return { exitCode: ExitCode.badInput, message: error.message };
  }
  if (error instanceof AgentNotFoundError) {
    return { exitCode: ExitCode.badInput, message: `${error.message}: create it with POST ${error.agentApiUrl}/agent and pass the agent_id it returns` };
  }
  if (error instanceof CarrierNotConfiguredError) {
    return { exitCode: ExitCode.badInput, message: `${error.message}: ${CARRIER_SETUP[error.carrier] ?? 'configure it on the gateway'}` };
  }
  if (error instanceof ServiceUnreachableError) {
    const how = error.service === 'telephony gateway' ? '--gateway-url or GATEWAY_URL' : '--agent-api-url or AGENT_API_URL';
    return { exitCode: ExitCode.unreachable, message: `${error.message}: start it (bash start.sh serve), or point ${how} at it` };
  }
  if (error instanceof GatewayRequestError) {
    if (error.status === 502) return { exitCode: ExitCode.unreachable, message: `${error.message} (the gateway could not reach a service behind it: agent-api, or one of its own workers)` };
    if (error.status === 503 || (error.status >= 400 && error.status < 500)) return { exitCode: ExitCode.badInput, message: error.message };
    return { exitCode: ExitCode.failure, message: error.message };
  }
  if (error instanceof AgentApiRequestError) return { exitCode: ExitCode.failure, message: error.message };
  // Our own errors name numbers masked; an unexpected one may come from anywhere.
  return { exitCode: ExitCode.failure, message: `unexpected error: ${maskNumbersInText(error instanceof Error ? error.message : String(error))}` };
}
