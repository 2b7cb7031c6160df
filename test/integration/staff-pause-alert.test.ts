/**
 * Issue 14, item 3: when repeated wrong passwords pause a staff member's
 * sign-in, every admin of the practice gets one email about that pause (not
 * one per refused try), with the colleague's name and no client's, no email
 * address tried and no password; the next pause is a new email. Through
 * HTTP, the real worker and the local outbox.
 */
import { listOutbox, type TOutboxMessage } from '../../emails/mailer';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  service = await startTestService();
  ({ stop: stopWorker } = await service.startWorker());
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await stopWorker?.();
  await service?.stop();
});

async function signIn(path: string, email: string, password: string): Promise<number> {
  return (await new StaffPages(service.api.url).post(path, { email, password })).response.status;
}

async function pauseAlerts(): Promise<TOutboxMessage[]> {
  return (await listOutbox(service.outboxDir)).filter(
    (message) => message.tags.template === 'staff-sign-in-paused-staff' && message.subject.includes(org.slug.slice(9)),
  );
}

it('emails each admin once per pause, with no PHI, and again for the next pause', async () => {
  const { db } = service.database;
  const admin = await db.staffUser.findUniqueOrThrow({ where: { id: org.adminId } });
  const therapist = await db.staffUser.findUniqueOrThrow({ where: { id: org.therapistId } });
  const email = await setStaffPassword(db, therapist.id);
  const path = `/staff/${org.slug}/login`;

  for (let attempt = 1; attempt <= 5; attempt += 1) expect(await signIn(path, email, 'wrong password here')).toBe(401);
  // Tries while paused are refused without another email.
  expect(await signIn(path, email, 'wrong password here')).toBe(401);
  expect(await signIn(path, email, STAFF_PASSWORD)).toBe(401);

  const [alert] = await eventually(async () => {
    const alerts = await pauseAlerts();
    return alerts.length > 0 ? alerts : undefined;
  });
  expect(alert!.to).toBe(admin.email);
  expect(alert!.subject).toBe(
    `Sign-in paused for ${therapist.displayName} at Practice ${org.slug.slice(9)} after repeated wrong tries`,
  );
  expect(alert!.text).toContain('repeated wrong passwords');
  expect(alert!.text).toContain(`/staff/${org.slug}/security/team`);
  // Nothing to find the account by from the mail alone, nothing about any client.
  expect(alert!.text).not.toContain(email);
  expect(alert!.html).not.toContain(email);
  const pauseOf = (await db.staffUser.findUniqueOrThrow({ where: { id: therapist.id } })).lockedUntil!;
  const idempotencyKeys = await db.emailMessage.findMany({
    where: { organizationId: org.organizationId, template: 'staff-sign-in-paused-staff' },
    select: { idempotencyKey: true },
  });
  expect(idempotencyKeys).toEqual([
    { idempotencyKey: `staff-sign-in-paused:${therapist.id}:${pauseOf.getTime()}:${admin.id}` },
  ]);

  // The pause ends; the next wrong password starts a longer one, which is a new email.
  await db.staffUser.update({ where: { id: therapist.id }, data: { lockedUntil: new Date(0) } });
  expect(await signIn(path, email, 'wrong password here')).toBe(401);
  await eventually(async () => ((await pauseAlerts()).length === 2 ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await pauseAlerts()).toHaveLength(2);
});
