import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, ValidateBy, type ValidationOptions } from 'class-validator';

const CARRIERS = ['twilio', 'plivo', 'sim'] as const;

function IsStringRecord(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isStringRecord',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string'),
        defaultMessage: () => '$property must be an object whose values are all strings (the CSV row)',
      },
    },
    options,
  );
}

export class PlaceCallDto {
  @IsString()
  @IsNotEmpty()
  agent_id!: string;

  @Matches(/^\+[1-9]\d{7,14}$/, { message: 'recipient_phone_number must be an E.164 number such as +15551234567' })
  recipient_phone_number!: string;

  @IsOptional()
  @IsStringRecord()
  context?: Record<string, string>;

  @IsOptional()
  @IsIn(CARRIERS)
  carrier?: (typeof CARRIERS)[number];

  /** A scripted callee for the simulator: { answer, says }. */
  @IsOptional()
  @IsObject()
  simulation?: Record<string, unknown>;
}
