import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { createMetrics } from '../../observability/metrics';
import { activityObservability } from '../../temporal/activity-observability';
import { metricValue } from '../support/metrics';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/** The SDK's own activity logging, which would print the failures these tests provoke. */
const quiet = new DefaultLogger('ERROR');

const info = {
  activityType: 'createChart',
  activityId: '1',
  attempt: 2,
  workflowType: 'clientOnboarding',
  workflowExecution: { workflowId: 'onboarding-3f0c', runId: 'run-1' },
};

describe('the worker’s activity interceptor', () => {
  it('counts and times an activity attempt, and logs it with its workflow id', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const { logger, lines } = capturingLogger();
    const env = new MockActivityEnvironment(info, {
      interceptors: [activityObservability({ metrics, logger })],
      logger: quiet,
    });

    expect(await env.run(async (n: number) => n + 1, 41)).toBe(42);

    const text = await metrics.registry.metrics();
    const labels = { activity: 'createChart', outcome: 'completed' };
    expect(metricValue(text, 'activity_executions_total', labels)).toBe(1);
    expect(metricValue(text, 'activity_duration_seconds_count', labels)).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'activity',
        workflowId: 'onboarding-3f0c',
        workflowType: 'clientOnboarding',
        activityType: 'createChart',
        attempt: 2,
        outcome: 'completed',
      }),
    ]);
  });

  it('counts a failed attempt and logs what kind of failure it was, never its message', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const { logger, lines } = capturingLogger();
    const env = new MockActivityEnvironment(info, {
      interceptors: [activityObservability({ metrics, logger })],
      logger: quiet,
    });

    // Database errors can quote the values they refused.
    const leaky = new Error('duplicate key value (email)=(jane.doe@example.test)');
    await expect(env.run(() => Promise.reject(leaky))).rejects.toThrow(leaky.message);
    const refusal = ApplicationFailure.nonRetryable('The client has already registered.', 'AlreadyRegistered');
    await expect(env.run(() => Promise.reject(refusal))).rejects.toThrow('already registered');

    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'activity_executions_total', { activity: 'createChart', outcome: 'failed' })).toBe(2);
    expect(lines.map((line) => [line.level, line.outcome, line.failure])).toEqual([
      [40, 'failed', 'Error'],
      [40, 'failed', 'AlreadyRegistered'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('jane.doe');
  });
});
