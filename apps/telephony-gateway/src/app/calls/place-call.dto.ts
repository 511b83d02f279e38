import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateBy, type ValidationOptions } from 'class-validator';

const CARRIERS = ['twilio', 'plivo', 'sim'] as const;

/**
 * What one `POST /call` may carry; `GET /health` publishes these so a campaign checks its rows
 * before dialling rather than having a row refused mid-campaign.
 */
export const GATEWAY_LIMITS = {
  max_body_bytes: 64 * 1024,
  max_context_columns: 100,
  max_context_key_chars: 100,
  max_context_value_chars: 2000,
} as const;

/** A scripted callee is a handful of short lines; anything larger is a mistake or an attack. */
const SIMULATION_LIMITS = { maxJsonChars: 16 * 1024, maxLines: 50, maxLineChars: 1000 } as const;

/** The CSV row: string values only, within the limits above; the message names the column at fault. */
function IsCallContext(options?: ValidationOptions) {
  const problem = (value: unknown): string | undefined => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'context must be an object whose values are all strings (the CSV row)';
    const entries = Object.entries(value);
    if (entries.length > GATEWAY_LIMITS.max_context_columns) return `context has ${entries.length} columns; at most ${GATEWAY_LIMITS.max_context_columns} are allowed`;
    for (const [key, column] of entries) {
      if (typeof column !== 'string') return `context.${key} must be a string (the CSV row)`;
      if (key.length > GATEWAY_LIMITS.max_context_key_chars) return `context has a column name of ${key.length} characters; at most ${GATEWAY_LIMITS.max_context_key_chars} are allowed`;
      if (column.length > GATEWAY_LIMITS.max_context_value_chars) return `context.${key} is ${column.length} characters long; at most ${GATEWAY_LIMITS.max_context_value_chars} are allowed`;
    }
    return undefined;
  };
  return ValidateBy(
    { name: 'isCallContext', validator: { validate: (value: unknown) => problem(value) === undefined, defaultMessage: (args) => problem(args?.value) ?? 'context is invalid' } },
    options,
  );
}

/** Only the size is checked here; the simulator's callee book checks the shape and names what is wrong. */
function IsBoundedSimulation(options?: ValidationOptions) {
  const problem = (value: unknown): string | undefined => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'simulation must be an object like {"answer": "human", "says": ["Yes."]}';
    if (JSON.stringify(value).length > SIMULATION_LIMITS.maxJsonChars) return `simulation is larger than ${SIMULATION_LIMITS.maxJsonChars} characters of JSON`;
    const says = (value as { says?: unknown }).says;
    if (Array.isArray(says)) {
      if (says.length > SIMULATION_LIMITS.maxLines) return `simulation.says has ${says.length} lines; at most ${SIMULATION_LIMITS.maxLines} are allowed`;
      const long = says.findIndex((line) => typeof line === 'string' && line.length > SIMULATION_LIMITS.maxLineChars);
      if (long !== -1) return `simulation.says.${long} is longer than ${SIMULATION_LIMITS.maxLineChars} characters`;
    }
    return undefined;
  };
  return ValidateBy(
    { name: 'isBoundedSimulation', validator: { validate: (value: unknown) => problem(value) === undefined, defaultMessage: (args) => problem(args?.value) ?? 'simulation is invalid' } },
    options,
  );
}

export class PlaceCallDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  agent_id!: string;

  @Matches(/^\+[1-9]\d{7,14}$/, { message: 'recipient_phone_number must be an E.164 number such as +15551234567' })
  recipient_phone_number!: string;

  @IsOptional()
  @IsCallContext()
  context?: Record<string, string>;

  @IsOptional()
  @IsIn(CARRIERS)
  carrier?: (typeof CARRIERS)[number];

  /** A scripted callee for the simulator: { answer, says }. */
  @IsOptional()
  @IsBoundedSimulation()
  simulation?: Record<string, unknown>;
}
