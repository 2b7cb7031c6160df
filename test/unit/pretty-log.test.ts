/**
 * The `npm start` terminal (issue 13, operators): one short human line per
 * event instead of pino's JSON, with the same PHI redaction as production.
 */
import { createLogger } from '../../observability/logger';
import { prettyDestination, prettyLogLine } from '../../observability/pretty-log';

function capture() {
  const lines: string[] = [];
  const destination = prettyDestination({ write: (text: string) => lines.push(text) });
  return { lines, logger: createLogger({ level: 'info', name: 'local', destination }), destination };
}

it('writes a request as one short line: time, method, route, status, duration', () => {
  const { lines, logger } = capture();
  logger.info(
    { requestId: 'abc12345', method: 'GET', route: '/portal/:slug/login', status: 200, durationMs: 12.4 },
    'request',
  );
  expect(lines).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d {2}GET \/portal\/:slug\/login 200 12 ms\n$/)]);
});

it('writes an activity attempt with its workflow id, and the level only when it is not info', () => {
  const { lines, logger } = capture();
  const activity = { workflowId: 'onboarding-1', runId: 'r', workflowType: 'clientOnboarding', activityId: '3' };
  logger.info(
    { ...activity, activityType: 'createChart', attempt: 1, outcome: 'completed', durationMs: 40 },
    'activity',
  );
  logger.warn(
    { ...activity, activityType: 'sendEmail', attempt: 3, outcome: 'failed', failure: 'MailerError', durationMs: 5 },
    'activity',
  );
  expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d {2}createChart completed 40 ms {2}onboarding-1\n$/);
  expect(lines[1]).toMatch(
    /^\d\d:\d\d:\d\d {2}WARN {2}sendEmail failed \(MailerError\) 5\.0 ms {2}onboarding-1, attempt 3\n$/,
  );
});

it('never shows what the redaction hides, and is never JSON', () => {
  const { lines, logger } = capture();
  logger.info(
    { email: 'ada@example.com', client: { lastName: 'Lovelace' }, onboardingId: 'o-1' },
    'something happened',
  );
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('something happened');
  expect(lines[0]).toContain('onboardingId=o-1');
  expect(lines[0]).not.toMatch(/ada@example\.com|Lovelace/);
  expect(lines[0]!.trimStart().startsWith('{')).toBe(false);
});

it('gives an error its stack, a refusal only its code, and neither the message (it may quote PHI)', () => {
  const { lines, logger } = capture();
  logger.error({ err: new Error('database gone') }, 'unhandled error');
  logger.info({ err: Object.assign(new Error('email in use'), { code: 'CONFLICT' }), status: 409 }, 'refused');
  expect(lines[0]).toMatch(/ERROR {2}unhandled error\n {4}Error\n\s+at /);
  expect(lines[0]).not.toContain('database gone');
  expect(lines[1]).toMatch(/ {2}refused {2}status=409 \(CONFLICT\)\n$/);
});

it('remembers when it last wrote, so npm start can print its banner once things settle', () => {
  const { logger, destination } = capture();
  expect(destination.lastWriteAt()).toBe(0);
  logger.info('up');
  expect(Date.now() - destination.lastWriteAt()).toBeLessThan(1000);
  expect(prettyLogLine('not json')).toBe('not json\n');
});
