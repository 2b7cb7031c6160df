/**
 * onboarding_status_transitions_total counts status changes that were
 * committed, once each: not a rolled-back attempt, not a retry that writes
 * the status the onboarding already has.
 */
import { applyOnboardingProgress } from '../../activities/onboarding-progress';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { createMetrics, type AppMetrics } from '../../observability/metrics';
import { countStatusTransitions } from '../../observability/status-transitions';
import { createTestOrganization, newOnboarding } from '../support/factories';
import { metricValue } from '../support/metrics';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let organizationId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ organizationId } = await createTestOrganization(database.db));
});

afterAll(async () => {
  await database?.drop();
});

let metrics: AppMetrics;

beforeEach(() => {
  metrics = createMetrics({ processMetrics: false });
  countStatusTransitions(database.db, metrics);
});

async function entered(status: OnboardingStatus): Promise<number> {
  return metricValue(await metrics.registry.metrics(), 'onboarding_status_transitions_total', { status }) ?? 0;
}

async function statusOf(onboardingId: string) {
  const row = await database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId }, select: { status: true } });
  return row.status;
}

function step(onboardingId: string, status: OnboardingStatus, key: string) {
  return { onboardingId, status, event: { key, type: 'test.step' } };
}

describe('onboarding_status_transitions_total', () => {
  it('counts a status change once its transaction has committed, not before', async () => {
    const { input } = await newOnboarding(database.db, organizationId);
    let beforeCommit: number | undefined;

    await database.db.$transaction(async (tx) => {
      await applyOnboardingProgress(tx, step(input.onboardingId, 'CHART_CREATED', 'chart-created'));
      beforeCommit = await entered('CHART_CREATED');
    });

    expect(beforeCommit).toBe(0);
    expect(await entered('CHART_CREATED')).toBe(1);
    expect(await statusOf(input.onboardingId)).toBe('CHART_CREATED');
  });

  it('does not count a retried step that finds the status already written', async () => {
    const { input } = await newOnboarding(database.db, organizationId);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await database.db.$transaction((tx) =>
        applyOnboardingProgress(tx, step(input.onboardingId, 'CHART_CREATED', 'chart-created')),
      );
    }
    expect(await entered('CHART_CREATED')).toBe(1);
  });

  it('does not count a change whose transaction rolled back', async () => {
    const { input } = await newOnboarding(database.db, organizationId);
    await expect(
      database.db.$transaction(async (tx) => {
        await applyOnboardingProgress(tx, step(input.onboardingId, 'INVITED', 'invitation-sent:1'));
        throw new Error('the email step failed after the status was written');
      }),
    ).rejects.toThrow('email step failed');

    expect(await entered('INVITED')).toBe(0);
    expect(await statusOf(input.onboardingId)).toBe('PENDING');
  });

  it('counts concurrent transactions separately, each for its own onboarding', async () => {
    const onboardings = await Promise.all([1, 2, 3].map(() => newOnboarding(database.db, organizationId)));
    const results = await Promise.allSettled(
      onboardings.map(({ input }, index) =>
        database.db.$transaction(async (tx) => {
          await applyOnboardingProgress(tx, step(input.onboardingId, 'EXPIRED', 'expired'));
          if (index === 1) throw new Error('rolled back');
        }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await entered('EXPIRED')).toBe(2);
  });
});
