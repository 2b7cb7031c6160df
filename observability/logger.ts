import pino, { type Logger } from 'pino';

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

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'onboarding',
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: options.name ?? 'onboarding' },
  });
}
