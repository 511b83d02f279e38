import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateBy, type ValidationOptions } from 'class-validator';
import { CARRIER_NAMES, E164, MAX_AGENT_ID_CHARS, callContextProblem, simulationSizeProblem, type CarrierName, type PlaceCallBody } from '@codcall/gateway-api';

// The limits are the wire contract's; re-exported for the gateway's body-size settings.
export { GATEWAY_LIMITS } from '@codcall/gateway-api';

/** A check from the contract as a class-validator decorator: the message is the contract's problem. */
function Satisfies(name: string, problem: (value: unknown) => string | undefined, options?: ValidationOptions) {
  return ValidateBy(
    { name, validator: { validate: (value: unknown) => problem(value) === undefined, defaultMessage: (args) => problem(args?.value) ?? `${args?.property} is invalid` } },
    options,
  );
}

/** POST /call's body (PlaceCallBody), validated at the edge; `simulation` stays unknown until the simulator parses it. */
export class PlaceCallDto implements Omit<PlaceCallBody, 'simulation'> {
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_AGENT_ID_CHARS)
  agent_id!: string;

  @Matches(E164, { message: 'recipient_phone_number must be an E.164 number such as +15551234567' })
  recipient_phone_number!: string;

  /** The CSV row: string values only, within GATEWAY_LIMITS; the message names the column at fault. */
  @IsOptional()
  @Satisfies('isCallContext', callContextProblem)
  context?: Record<string, string>;

  @IsOptional()
  @IsIn(CARRIER_NAMES)
  carrier?: CarrierName;

  /** A scripted callee for the simulator: only its size is checked here; the simulator checks its shape and names what is wrong. */
  @IsOptional()
  @Satisfies('isBoundedSimulation', simulationSizeProblem)
  simulation?: Record<string, unknown>;
}
