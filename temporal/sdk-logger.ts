import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { RuntimeOptions } from '@temporalio/worker';
import type { Logger } from '../observability/logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's logger (worker lifecycle, "Activity failed" with the
 * error, workflow.log, Core's own lines) as lines of ours: the SDK's
 * DefaultLogger prints failure messages and details as they are, and those
 * quote what failed. Through our logger they get the same redaction
 * (observability/redaction.ts) and the same destination as everything else.
 */
export function sdkLogger(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const fields: Record<string, unknown> = {};
    // Symbol keys are the SDK's internal markers; string keys are the metadata.
    for (const [key, value] of Object.entries(meta ?? {})) fields[key] = value;
    logger[PINO_LEVEL[level]]({ temporal: true, ...fields }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Runtime.install options that send the SDK's lines, and Core's (forwarded
 * rather than printed by Rust straight to the console), to `logger`, merged
 * with `others` (temporal/runtime-metrics.ts's). `level`: the lowest SDK level
 * kept (WARN, as the DefaultLogger('WARN') this replaces).
 */
export function sdkLoggingRuntimeOptions(
  logger: Logger,
  others: Pick<RuntimeOptions, 'telemetryOptions'> & Omit<RuntimeOptions, 'logger'> = {},
  level: LogLevel = 'WARN',
): RuntimeOptions {
  const child = logger.child({ component: 'temporal' });
  child.level = PINO_LEVEL[level];
  return {
    ...others,
    logger: sdkLogger(child),
    telemetryOptions: {
      ...others.telemetryOptions,
      logging: { forward: {}, filter: { core: level, other: 'ERROR' } },
    },
  };
}
