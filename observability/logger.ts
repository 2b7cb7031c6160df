import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Field names that may hold PHI or secrets, wherever they appear in a log
 * object. Code should log ids only; this is the safety net for mistakes.
 */
const REDACTED_KEYS = [
  'firstName',
  'lastName',
  'dateOfBirth',
  'email',
  'phone',
  'password',
  'token',
  'client',
  'chart',
  'authorization',
  'cookie',
  'apiKey',
];

const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/**
 * `destination`: where the JSON lines go (stdout when not given);
 * `npm start` passes observability/pretty-log.ts's to make them readable.
 */
export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const settings = {
    name: options.name ?? 'onboarding',
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: options.name ?? 'onboarding' },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
