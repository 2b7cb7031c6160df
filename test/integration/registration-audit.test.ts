/**
 * A registration and the audit of the identity check it made commit
 * together: with the audit store refusing the write (a database outage at
 * that instant, or a crash between two commits), the registration does not
 * happen, and the client's retry registers with its audit. The chaos harness
 * (issue 21) found a registration without its audit after a PostgreSQL
 * restart, when the audit was written after the registration's commit.
 */
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { createLogger } from '../../observability/logger';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

const PASSWORD = 'copper lantern orchard nine';

let service: TestService;
let org: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

it('never commits a registration without the audit of its identity check', async () => {
  const { db } = service.database;
  const event = chartCreatedWebhook();
  const { client } = event.data;
  const accepted = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  const token = await eventually(() =>
    latestRegistrationToken(service.outboxDir, client.email!).catch(() => undefined),
  );
  const deps = { db, temporal: service.env.client, logger: createLogger({ level: 'silent' }) };
  const form = {
    lastName: client.lastName,
    dateOfBirth: client.dateOfBirth,
    password: PASSWORD,
    passwordConfirmation: PASSWORD,
  };

  await db.$executeRawUnsafe(`CREATE FUNCTION refuse_register_audit() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$ LANGUAGE plpgsql`);
  await db.$executeRawUnsafe(`CREATE TRIGGER refuse_register_audit BEFORE INSERT ON audit_event FOR EACH ROW
    WHEN (NEW.action = 'portal.register') EXECUTE FUNCTION refuse_register_audit()`);
  await expect(registerPortalAccount(deps, token, form)).rejects.toThrow(/audit store unavailable/);
  const account = () =>
    db.portalAccount.findFirstOrThrow({ where: { organizationId: org.organizationId }, select: { status: true } });
  expect((await account()).status).toBe('INVITED');
  expect(
    (await db.onboarding.findUniqueOrThrow({ where: { id: accepted.onboardingId }, select: { status: true } })).status,
  ).toBe('INVITED');

  await db.$executeRawUnsafe('DROP TRIGGER refuse_register_audit ON audit_event');
  expect((await registerPortalAccount(deps, token, form)).outcome).toBe('registered');
  expect((await account()).status).toBe('ACTIVE');
  const audits = await db.auditEvent.findMany({
    where: { onboardingId: accepted.onboardingId, action: 'portal.register' },
    select: { outcome: true },
  });
  expect(audits).toEqual([{ outcome: 'success' }]);
});
