import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { Request, Response } from 'express';
import pino from 'pino';
import { refusal } from '../../activities/invitations';
import { errorHandler } from '../../http/error-handler';
import { activityObservability } from '../../temporal/activity-observability';
import { AppError } from '../../use-cases/app-error';

/** Bug 11: a routine refusal ("email in use") logged a full stack trace as a warning. */

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

function answer(error: unknown) {
  const { logger, lines } = capturingLogger();
  const res = {
    statusCode: 0,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    setHeader: () => undefined,
    type() {
      return this;
    },
    json() {
      return this;
    },
    send() {
      return this;
    },
  };
  const req = { id: 'req-1', path: '/v1/webhooks/ehr' } as unknown as Request;
  errorHandler(logger)(error, req, res as unknown as Response, () => undefined);
  return { lines, status: res.statusCode };
}

describe('how refusals are logged', () => {
  it('logs an expected refusal (4xx) as one info line, without a stack trace', () => {
    const { lines, status } = answer(new AppError('EMAIL_IN_USE', 'email belongs to another client portal'));
    expect(status).toBe(409);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, code: 'EMAIL_IN_USE', status: 409, requestId: 'req-1' });
    expect(JSON.stringify(lines)).not.toMatch(/stack|at .*\.ts:\d+/);
  });

  it('still logs an unexpected error with its stack', () => {
    const { lines, status } = answer(new Error('connection reset'));
    expect(status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, code: 'INTERNAL' });
    expect(JSON.stringify(lines[0])).toContain('stack');
  });

  it('keeps an activity’s business refusal out of the worker’s warnings', async () => {
    const sdkLines: LogEntry[] = [];
    const sdkLogger = new DefaultLogger('DEBUG', (entry) => sdkLines.push(entry));
    const { logger, lines } = capturingLogger();
    const env = new MockActivityEnvironment(
      {
        activityType: 'changePortalOwner',
        workflowType: 'clientOnboarding',
        workflowExecution: { workflowId: 'onboarding-1', runId: 'run-1' },
      },
      { interceptors: [activityObservability({ logger })], logger: sdkLogger },
    );
    const refused = refusal('This email address already belongs to another client portal account.', 'EmailInUse');
    await expect(env.run(() => Promise.reject(refused))).rejects.toThrow('already belongs');
    expect(refused.nonRetryable).toBe(true);
    expect(sdkLines.filter((entry) => entry.level === 'WARN' || entry.level === 'ERROR')).toEqual([]);
    expect(lines.map((line) => [line.level, line.failure])).toEqual([[30, 'EmailInUse']]);
    expect(JSON.stringify(lines)).not.toContain('stack');
  });
});
