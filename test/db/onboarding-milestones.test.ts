/**
 * The funnel reads each onboarding's milestones from its own row (invited,
 * registered, forms completed, expired, bounced). A trigger on the timeline
 * keeps them in step whoever writes an event; the migration fills them in for
 * onboardings from before it.
 */
import { cp, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS_DIR, migrate } from '../../db/migrate';
import { createTestOrganization, newOnboarding } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const MILESTONES_MIGRATION = '20261206090000_onboarding_milestones';
const at = (iso: string) => new Date(iso);

async function event(database: TestDatabase, onboardingId: string, key: string, type: string, occurredAt: string) {
  await database.db.onboardingEvent.create({ data: { onboardingId, key, type, occurredAt: at(occurredAt) } });
}

const milestones = (database: TestDatabase, id: string) =>
  database.db.onboarding.findUniqueOrThrow({
    where: { id },
    select: { invitedAt: true, registeredAt: true, formsCompletedAt: true, expiredAt: true, bouncedAt: true },
  });

describe('on today’s schema', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  test('each milestone follows the timeline: the first invitation, registration, expiry and bounce; the last completion', async () => {
    const org = await createTestOrganization(database.db);
    const { input } = await newOnboarding(database.db, org.organizationId);
    const id = input.onboardingId;
    expect(await milestones(database, id)).toEqual({
      invitedAt: null,
      registeredAt: null,
      formsCompletedAt: null,
      expiredAt: null,
      bouncedAt: null,
    });

    await event(database, id, 'invitation-sent:2', 'invitation.sent', '2026-03-02T10:00:00Z');
    // Written late (a retried activity), but earlier in time: the first invitation wins.
    await event(database, id, 'invitation-sent:1', 'invitation.sent', '2026-03-01T10:00:00Z');
    await event(database, id, 'invitation-expired:1', 'invitation.expired', '2026-03-08T10:00:00Z');
    await event(database, id, 'undeliverable:1', 'invitation.undeliverable', '2026-03-01T10:05:00Z');
    await event(database, id, 'registered', 'portal.registered', '2026-03-09T10:00:00Z');
    await event(database, id, 'forms-completed:1', 'forms.completed', '2026-03-10T10:00:00Z');
    await event(database, id, 'forms-completed:2', 'forms.completed', '2026-04-10T10:00:00Z');
    // Other events touch nothing.
    await event(database, id, 'note', 'form.signed', '2027-01-01T00:00:00Z');

    expect(await milestones(database, id)).toEqual({
      invitedAt: at('2026-03-01T10:00:00Z'),
      registeredAt: at('2026-03-09T10:00:00Z'),
      formsCompletedAt: at('2026-04-10T10:00:00Z'),
      expiredAt: at('2026-03-08T10:00:00Z'),
      bouncedAt: at('2026-03-01T10:05:00Z'),
    });
  });
});

describe('the migration, on onboardings from before it', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    const before = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    for (const name of await readdir(MIGRATIONS_DIR)) {
      if (name !== MILESTONES_MIGRATION) {
        await cp(path.join(MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
      }
    }
    database = await createTestDatabase({ migrationsDir: before });
  });
  afterAll(async () => {
    await database?.drop();
  });

  test('fills the milestones in from the timeline already written', async () => {
    // Today's client knows columns the old schema lacks: write with SQL, as the service did then.
    const org = await createTestOrganization(database.db);
    const onboardingId = crypto.randomUUID();
    await database.ownerDb.$executeRaw`
      INSERT INTO onboarding (id, organization_id, external_chart_id, workflow_id, invite_requested, updated_at)
      VALUES (${onboardingId}::uuid, ${org.organizationId}::uuid, 'CH-OLD-1', ${`onboarding-${onboardingId}`}, true, now())`;
    for (const [key, type, occurredAt] of [
      ['invitation-sent:1', 'invitation.sent', '2026-01-01T09:00:00Z'],
      ['invitation-sent:2', 'invitation.sent', '2026-01-09T09:00:00Z'],
      ['registered', 'portal.registered', '2026-01-10T09:00:00Z'],
    ]) {
      await database.ownerDb.$executeRaw`
        INSERT INTO onboarding_event (onboarding_id, key, type, occurred_at)
        VALUES (${onboardingId}::uuid, ${key}, ${type}, ${at(occurredAt!)})`;
    }

    const result = await migrate(database.ownerUrl);
    expect(result.applied).toEqual([MILESTONES_MIGRATION]);
    expect(await milestones(database, onboardingId)).toEqual({
      invitedAt: at('2026-01-01T09:00:00Z'),
      registeredAt: at('2026-01-10T09:00:00Z'),
      formsCompletedAt: null,
      expiredAt: null,
      bouncedAt: null,
    });
  });
});
