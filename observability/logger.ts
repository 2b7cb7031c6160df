import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactForLog, serializeError } from './redaction';

export type { Logger };

/**
 * `destination`: where the JSON lines go (stdout when not given);
 * `npm start` passes observability/pretty-log.ts's to make them readable.
 *
 * Every line's fields go through observability/redaction.ts: keys that may
 * hold PHI or secrets are censored at any depth, errors are reduced to kind,
 * code and stack frames. Code should log ids only; this is the safety net.
 */
export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const settings: LoggerOptions = {
    name: options.name ?? 'onboarding',
    level: options.level ?? 'info',
    base: { service: options.name ?? 'onboarding' },
    formatters: {
      log: (fields) => redactForLog(fields),
    },
    hooks: {
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        // pino would make an error's message the line's message when none is given: name it instead.
        if (first instanceof Error) {
          method.apply(this, [{ err: first }, ...(rest.length > 0 ? rest : [serializeError(first).type])] as never);
          return;
        }
        const err = (first as { err?: unknown } | null)?.err;
        if (typeof first === 'object' && first !== null && rest.length === 0 && err instanceof Error) {
          method.apply(this, [first, serializeError(err).type] as never);
          return;
        }
        method.apply(this, args);
      },
    },
  };
  const logger = options.destination ? pino(settings, options.destination) : pino(settings);
  // pino applies formatters.bindings to the root only: a child's bindings are checked here instead
  // (an own property of the root, so the children of children inherit it).
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the child's own `this`
  const child = logger.child;
  logger.child = function (this: Logger, bindings: Record<string, unknown>, childOptions?: object) {
    return child.call(this, redactForLog(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
