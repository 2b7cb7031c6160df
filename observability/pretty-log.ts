/**
 * The log lines of `npm start`, for a person at a terminal: one short line
 * per event ("12:01:02 GET /portal/:slug/login 200 12 ms") instead of a pino
 * JSON object. Our own few lines rather than pino-pretty: that package is not
 * a dependency, and these are the only shapes we log (requests, activity
 * attempts, messages with ids), so a page of code does it. Production keeps
 * JSON for the log pipeline (createLogger without `pretty`).
 *
 * It formats what pino has already serialised, so the PHI redaction of
 * observability/logger.ts has been applied to every field shown here.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: '', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** pino's own fields, and ids that only a log pipeline joins on: the line shows the event, not its plumbing. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'service', 'requestId', 'runId', 'err']);

type Fields = Record<string, unknown>;

function clock(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time) : new Date();
  return date.toTimeString().slice(0, 8);
}

function milliseconds(value: unknown): string {
  return typeof value === 'number' ? `${value < 10 ? value.toFixed(1) : Math.round(value)} ms` : '';
}

function value(raw: unknown): string {
  if (typeof raw === 'string') return /\s/.test(raw) ? JSON.stringify(raw) : raw;
  return JSON.stringify(raw);
}

function rest(fields: Fields, shown: string[]): string {
  return Object.entries(fields)
    .filter(([key, raw]) => !HIDDEN.has(key) && !shown.includes(key) && raw !== undefined)
    .map(([key, raw]) => `${key}=${value(raw)}`)
    .join(' ');
}

/** What went wrong, in one line; the stack only for errors, where someone will read it. */
function failure(fields: Fields, level: number): string {
  const err = fields.err as { type?: string; code?: unknown; message?: string; stack?: string } | undefined;
  if (!err) return '';
  if (level >= 50 && err.stack) return `\n${err.stack.replace(/^/gm, '    ')}`;
  // An AppError's code (CONFLICT, NOT_FOUND) says more than its class name.
  const kind = typeof err.code === 'string' ? err.code : err.type;
  return ` (${[kind, err.message].filter(Boolean).join(': ')})`;
}

function describe(fields: Fields): { text: string; shown: string[] } {
  if (fields.msg === 'request') {
    return {
      text: `${String(fields.method)} ${String(fields.route)} ${String(fields.status)} ${milliseconds(fields.durationMs)}`,
      shown: ['method', 'route', 'status', 'durationMs'],
    };
  }
  if (fields.msg === 'activity') {
    const attempt = typeof fields.attempt === 'number' && fields.attempt > 1 ? `, attempt ${fields.attempt}` : '';
    return {
      text: `${String(fields.activityType)} ${String(fields.outcome)}${typeof fields.failure === 'string' ? ` (${fields.failure})` : ''} ${milliseconds(fields.durationMs)}  ${String(fields.workflowId)}${attempt}`,
      shown: [
        'activityType',
        'outcome',
        'failure',
        'durationMs',
        'workflowId',
        'attempt',
        'workflowType',
        'activityId',
      ],
    };
  }
  return { text: typeof fields.msg === 'string' ? fields.msg : '', shown: [] };
}

/** One pino JSON line as one human line (with a newline); a line that is not JSON passes through. */
export function prettyLogLine(line: string): string {
  let fields: Fields;
  try {
    fields = JSON.parse(line) as Fields;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof fields.level === 'number' ? fields.level : 30;
  const label = LEVELS[level] ?? String(level);
  const { text, shown } = describe(fields);
  const extra = rest(fields, shown);
  return `${[clock(fields.time), label, text, extra].filter(Boolean).join('  ')}${failure(fields, level)}\n`;
}

/**
 * A pino destination that writes pretty lines to `out`, and remembers when it
 * last wrote, so `npm start` can wait for the start-up flurry to settle
 * before it prints its banner.
 */
export function prettyDestination(out: { write(text: string): unknown } = process.stdout): {
  write(line: string): void;
  lastWriteAt(): number;
} {
  let last = 0;
  return {
    write(line: string) {
      last = Date.now();
      out.write(prettyLogLine(line));
    },
    lastWriteAt: () => last,
  };
}
