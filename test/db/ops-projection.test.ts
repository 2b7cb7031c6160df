/**
 * How ops stopping a run shows in the projection (use-cases/ops/ops-projection.ts),
 * in particular when the onboarding finished between the ops check and
 * Temporal's answer: the answer must report the status it really has.
 */
import { randomUUID } from 'node:crypto';
import { recordOpsClosed } from '../../use-cases/ops/ops-projection';
import { createTestOrganization, newOnboarding } from '../support/factories';
import { timelineOf } from '../support/invitations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let organizationId: string;
let staffUserId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const org = await createTestOrganization(database.db);
  organizationId = org.organizationId;
  staffUserId = org.adminId;
});

afterAll(async () => {
  await database.drop();
});

async function onboardingWithStatus(status: 'PENDING' | 'COMPLETE') {
  const { input } = await newOnboarding(database.db, organizationId);
  await database.db.onboarding.update({ where: { id: input.onboardingId }, data: { status } });
  return input.onboardingId;
}

const statusOf = async (onboardingId: string) =>
  (await database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status;

it('marks a running onboarding CANCELLED and says so', async () => {
  const onboardingId = await onboardingWithStatus('PENDING');
  const status = await recordOpsClosed(database.db, {
    onboardingId,
    event: 'ops.cancelled',
    staffUserId,
    runId: randomUUID(),
  });
  expect(status).toBe('CANCELLED');
  expect(await statusOf(onboardingId)).toBe('CANCELLED');
  expect(await timelineOf(database.db, onboardingId)).toEqual(['ops.cancelled']);
});

it('leaves an onboarding that completed meanwhile COMPLETE, and answers COMPLETE', async () => {
  const onboardingId = await onboardingWithStatus('COMPLETE');
  const status = await recordOpsClosed(database.db, {
    onboardingId,
    event: 'ops.terminated',
    staffUserId,
    runId: randomUUID(),
  });
  expect(status).toBe('COMPLETE');
  expect(await statusOf(onboardingId)).toBe('COMPLETE');
  // The run was stopped all the same: the timeline says so.
  expect(await timelineOf(database.db, onboardingId)).toEqual(['ops.terminated']);
});
