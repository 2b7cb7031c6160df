/**
 * Issue 14 item 10: no PHI in the logs, whatever carries it. A failing
 * activity (through the Temporal SDK's own logger) and a failing HTTP request
 * both quote a name, a date of birth and an email; none of them reaches the
 * captured log output, while what an operator needs (the error's kind and
 * code, the request id, the workflow id) does.
 */
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import express from 'express';
import { z } from 'zod';
import { errorHandler } from '../../http/error-handler';
import { requestContext } from '../../http/request-context';
import { createLogger } from '../../observability/logger';
import { redactForLog } from '../../observability/redaction';
import { activityObservability } from '../../temporal/activity-observability';
import { sdkLogger } from '../../temporal/sdk-logger';

const NAME = 'Philippa Quennell-Marchbanks';
const DOB = '1987-03-14';
const EMAIL = 'philippa.qm@example.org';
const PHI = [NAME, 'Quennell', DOB, EMAIL, 'philippa.qm'];

function capture() {
  const out: string[] = [];
  const logger = createLogger({
    level: 'debug',
    name: 'test',
    destination: { write: (line: string) => out.push(line) },
  });
  return {
    logger,
    text: () => out.join(''),
    lines: () => out.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function expectNoPhi(text: string) {
  for (const value of PHI) expect(text).not.toContain(value);
}

describe('log redaction', () => {
  it('censors PHI and secret keys by pattern at any depth, keeps ids, survives cycles', () => {
    const cyclic: Record<string, unknown> = { onboardingId: 'o-1' };
    cyclic.self = cyclic;
    const out = redactForLog({
      a: { b: { c: { d: { e: { passwordHash: 'h', tokenHash: 't', webhookSecret: 's', signerName: NAME } } } } },
      list: [{ client_first_name: NAME }, { dateOfBirth: DOB, answers: { q1: 'yes' } }],
      headers: { Authorization: 'Bearer abc', cookie: 'portal_session=x' },
      note: `wrote to ${EMAIL} today`,
      ip: '203.0.113.9',
      cyclic,
      workflowId: 'onboarding-1',
      requestId: 'req-12345678',
    });
    const text = JSON.stringify(out);
    expectNoPhi(text);
    expect(text).not.toMatch(/Bearer abc|portal_session=x|"h"|"t"|"s"|203\.0\.113\.9|q1/);
    expect(out).toMatchObject({
      workflowId: 'onboarding-1',
      requestId: 'req-12345678',
      cyclic: { self: '[circular]' },
    });
    expect((out.a as { b: { c: { d: { e: Record<string, unknown> } } } }).b.c.d.e).toEqual({
      passwordHash: '[redacted]',
      tokenHash: '[redacted]',
      webhookSecret: '[redacted]',
      signerName: '[redacted]',
    });
  });

  it('logs a failing activity by its failure type and workflow id, through the SDK’s logger too', async () => {
    const { logger, text } = capture();
    const env = new MockActivityEnvironment(
      {
        activityType: 'createChart',
        activityId: '1',
        workflowType: 'clientOnboarding',
        workflowExecution: { workflowId: 'onboarding-6d1e', runId: 'run-1' },
      },
      { interceptors: [activityObservability({ logger })], logger: sdkLogger(logger) },
    );
    const failure = ApplicationFailure.create({
      type: 'ChartRejected',
      message: `chart for ${NAME} (born ${DOB}) refused`,
      details: [{ client: { firstName: NAME, dateOfBirth: DOB, email: EMAIL } }, `${NAME} <${EMAIL}>`],
      cause: new Error(`duplicate key (email)=(${EMAIL})`),
    });
    await expect(env.run(() => Promise.reject(failure))).rejects.toThrow();

    const output = text();
    expectNoPhi(output);
    expect(output).toContain('Activity failed');
    expect(output).toContain('ChartRejected');
    expect(output).toContain('onboarding-6d1e');
    expect(output).toMatch(/at .*log-redaction\.test\.ts/);
  });

  it('logs a failing request by error kind, code and request id, never its body or message', async () => {
    const { logger, text, lines } = capture();
    const app = express();
    app.use(requestContext(logger));
    app.use(express.json());
    app.post('/boom', (req) => {
      const body = req.body as { firstName: string; email: string };
      throw Object.assign(new Error(`cannot save ${body.firstName} <${body.email}>`), {
        code: 'P2002',
        meta: { target: ['email'], value: body.email },
        cause: new Error(`born ${DOB}`),
      });
    });
    app.post('/invalid', (req) => {
      z.object({ dateOfBirth: z.iso.date() }).strict().parse(req.body);
    });
    app.use(errorHandler(logger));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const post = (path: string, requestId: string) =>
        fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': requestId },
          body: JSON.stringify({ firstName: NAME, dateOfBirth: `${DOB}x`, email: EMAIL, note: `${NAME} ${DOB}` }),
        });
      expect((await post('/boom', 'req-boom-0001')).status).toBe(500);
      expect((await post('/invalid', 'req-invalid-01')).status).toBe(400);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    const output = text();
    expectNoPhi(output);
    const failed = lines().find((line) => line.level === 50);
    expect(failed).toMatchObject({
      requestId: 'req-boom-0001',
      code: 'INTERNAL',
      status: 500,
      err: { type: 'Error', code: 'P2002', meta: { target: ['email'] }, cause: { type: 'Error' } },
    });
    expect(String((failed!.err as { stack: string }).stack)).toMatch(/^Error \[P2002\]\n\s+at /);
    expect(lines().find((line) => line.requestId === 'req-invalid-01' && line.code)).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
    });
  });

  it('never lets pino turn an error’s message into the line’s message, nor a child’s bindings skip redaction', () => {
    const { logger, lines } = capture();
    logger.error(new Error(`lookup of ${EMAIL} failed`));
    logger.warn({ err: new Error(`no chart for ${NAME}`) });
    logger.child({ staffUserId: 's-1' }).child({ email: EMAIL }).info('child');
    expectNoPhi(JSON.stringify(lines()));
    expect(lines().map((line) => line.msg)).toEqual(['Error', 'Error', 'child']);
    expect(lines()[2]).toMatchObject({ staffUserId: 's-1', email: '[redacted]' });
  });
});
