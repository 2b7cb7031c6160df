import { classify, failedReason, stuckReason, type ExecutionFacts } from '../../use-cases/ops/ops-diagnosis';
import { impliedStatus } from '../../use-cases/ops/ops-projection';

const NOW = new Date('2026-01-10T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

function run(overrides: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return { status: 'RUNNING', pendingWorkflowTask: null, maxActivityAttempt: 0, ...overrides };
}

describe('a stuck onboarding', () => {
  const stuck = (status: Parameters<typeof stuckReason>[0], execution: ExecutionFacts | null, cutoff = NOW) =>
    stuckReason(status, execution, cutoff, NOW);

  it('is one whose workflow is missing or closed while the onboarding is open', () => {
    expect(stuck('INVITED', null)).toBe('workflow-not-found');
    expect(stuck('INVITED', run({ status: 'TERMINATED' }))).toBe('workflow-closed');
    expect(stuck('CHART_CREATED', run({ status: 'COMPLETED' }))).toBe('workflow-closed');
  });

  it('is not one that registered and whose forms outlive the onboarding workflow', () => {
    expect(stuck('REGISTERED', run({ status: 'COMPLETED' }))).toBeNull();
    expect(stuck('FORMS_OUTSTANDING', run({ status: 'COMPLETED' }))).toBeNull();
  });

  it('is one whose workflow task keeps failing, or has waited for a worker', () => {
    const task = (attempt: number, scheduledAt: Date) =>
      run({ pendingWorkflowTask: { attempt, scheduled: true, scheduledAt } });
    expect(stuck('INVITED', task(3, NOW))).toBe('workflow-task-failing');
    expect(stuck('INVITED', task(1, minutesAgo(1)))).toBe('waiting-for-worker');
    // Just scheduled: a worker picks it up in a moment.
    expect(stuck('INVITED', task(1, new Date(NOW.getTime() - 500)))).toBeNull();
    // Waiting, but for less than the age asked about.
    expect(stuck('INVITED', task(1, minutesAgo(10)), minutesAgo(30))).toBeNull();
  });

  it('is one whose activity keeps failing, or that never got past creating the chart', () => {
    expect(stuck('INVITED', run({ maxActivityAttempt: 2 }))).toBe('activity-retrying');
    expect(stuck('PENDING', run())).toBe('no-progress');
  });

  it('is not one that waits for the client, nor one that is over', () => {
    for (const status of ['CHART_CREATED', 'INVITED', 'EXPIRED', 'REVOKED', 'REGISTERED'] as const) {
      expect(stuck(status, run({ maxActivityAttempt: 1 }))).toBeNull();
    }
    for (const status of ['COMPLETE', 'CANCELLED', 'FAILED'] as const) expect(stuck(status, null)).toBeNull();
  });
});

describe('a failed onboarding', () => {
  it('is one that recorded FAILED, or whose open flow failed, timed out or was terminated', () => {
    expect(failedReason('FAILED', run({ status: 'FAILED' }))).toBe('onboarding-failed');
    expect(failedReason('INVITED', run({ status: 'FAILED' }))).toBe('execution-failed');
    expect(failedReason('INVITED', run({ status: 'TIMED_OUT' }))).toBe('execution-timed-out');
    expect(failedReason('PENDING', run({ status: 'TERMINATED' }))).toBe('execution-terminated');
  });

  it('is not one stopped on purpose, nor a running one', () => {
    expect(failedReason('CANCELLED', run({ status: 'TERMINATED' }))).toBeNull();
    expect(failedReason('INVITED', run())).toBeNull();
    expect(failedReason('INVITED', null)).toBeNull();
  });
});

describe('the running list', () => {
  it('holds open onboardings whose workflow runs, healthy or not', () => {
    expect(classify('running', 'INVITED', run(), NOW)).toEqual({ matches: true, reason: null });
    expect(classify('running', 'PENDING', run({ maxActivityAttempt: 9 }), NOW).matches).toBe(true);
    expect(classify('running', 'CANCELLED', run(), NOW).matches).toBe(false);
    expect(classify('running', 'INVITED', run({ status: 'COMPLETED' }), NOW).matches).toBe(false);
  });
});

describe('the status a reset onboarding is given back', () => {
  it('follows from its chart, its newest invitation and its portal account', () => {
    expect(impliedStatus(false, null, null)).toBe('PENDING');
    expect(impliedStatus(true, null, null)).toBe('CHART_CREATED');
    expect(impliedStatus(true, 'INVITED', 'PENDING')).toBe('INVITED');
    expect(impliedStatus(true, 'INVITED', 'LOCKED')).toBe('INVITED');
    expect(impliedStatus(true, 'INVITED', 'EXPIRED')).toBe('EXPIRED');
    expect(impliedStatus(true, 'REVOKED', 'REVOKED')).toBe('REVOKED');
    expect(impliedStatus(true, 'ACTIVE', 'USED')).toBe('REGISTERED');
  });
});
