import pino, { type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * Masks a phone number for logs: keeps the country code's first digits and the last two,
 * e.g. +15551234567 -> +155******67. Anything that is not a number-like string is masked whole.
 */
export function maskPhone(phone: string | undefined | null): string {
  if (!phone) return '';
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length < 6) return '*'.repeat(digits.length);
  const head = digits.startsWith('+') ? digits.slice(0, 3) : digits.slice(0, 2);
  return head + '*'.repeat(digits.length - head.length - 2) + digits.slice(-2);
}

/** A + and 6 or more digits (spaces, dots, dashes, brackets between), or 8 or more digits in a row. */
const NUMBER_IN_TEXT = /\+\d[\d\s().-]{4,}\d|(?<![\w-])\d{8,}(?![\w-])/g;

/**
 * Masks every phone-number-like run in a message that came from elsewhere (a gateway's or a
 * carrier's error, a library's reason), so no error line, record or log shows a whole number.
 */
export function maskNumbersInText(text: string): string {
  return text.replace(NUMBER_IN_TEXT, (match) => maskPhone(match));
}

/** Field names whose values never reach a log line. */
const SECRET_PATHS = [
  'apiKey', '*.apiKey', 'authToken', '*.authToken', 'token', '*.token', 'password', '*.password',
  'authorization', '*.authorization', 'headers.authorization', 'headers["x-twilio-signature"]',
  'headers["xi-api-key"]', '*.secret', 'secret',
];

/** Phone-number fields, masked rather than removed so lines stay useful. */
const PHONE_KEYS = new Set(['phone', 'to', 'from', 'recipient_phone_number', 'recipientPhoneNumber', 'number']);

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where lines go; defaults to stderr so stdout stays free for program output (the CLI's CSV, JSON). */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
      formatters: {
        log(object) {
          for (const key of Object.keys(object)) {
            const value = object[key];
            if (PHONE_KEYS.has(key) && typeof value === 'string') object[key] = maskPhone(value);
          }
          return object;
        },
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that drops everything: for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
