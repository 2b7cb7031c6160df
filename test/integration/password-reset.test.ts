/**
 * Forgot password, through the pages: the same answer whether or not the
 * email has an account, one email per window, a link that works once, old
 * sessions ended; and the doors (sign in, registration, reset) slow down an
 * address that keeps knocking.
 */
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { currentUser, signIn } from '../../use-cases/accounts/portal-sessions';
import { DOOR_ATTEMPTS_PER_WINDOW } from '../../web/door-limiter';
import { listOutbox } from '../../emails/mailer';
import { createLogger } from '../../observability/logger';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';
import { StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
const PASSWORD = 'copper lantern orchard nine';

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

async function registeredClient() {
  const event = chartCreatedWebhook();
  const email = event.data.client.email!;
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined));
  const result = await registerPortalAccount(
    { db: service.database.db, temporal: service.env.client, logger: createLogger({ level: 'silent' }) },
    token,
    {
      lastName: event.data.client.lastName,
      dateOfBirth: event.data.client.dateOfBirth,
      password: PASSWORD,
      passwordConfirmation: PASSWORD,
    },
  );
  expect(result.outcome).toBe('registered');
  return { email, onboardingId };
}

async function resetEmails(to: string) {
  return (await listOutbox(service.outboxDir)).filter(
    (message) => message.to === to && message.tags.template === 'password-reset',
  );
}

it('answers alike for unknown emails, emails a one-time link once, and ends old sessions', async () => {
  const { email } = await registeredClient();
  const { db } = service.database;
  const oldSession = await signIn(db, org.organizationId, email, PASSWORD);
  const pages = new StaffPages(service.api.url);
  const forgot = `/portal/${org.slug}/password/forgot`;

  const unknown = await pages.post(forgot, { email: 'nobody-here@example.test' });
  const known = await pages.post(forgot, { email });
  expect(unknown.response.status).toBe(200);
  expect(known.response.status).toBe(200);
  const message = (html: string) => /<p class="ok" role="status">([\s\S]*?)<\/p>/.exec(html)?.[1]?.replace(/\s+/g, ' ');
  expect(message(unknown.html)).toBe(message(known.html));

  const [mail] = await eventually(async () => ((await resetEmails(email)).length ? resetEmails(email) : undefined));
  const link = /\/portal\/[^/]+\/password\/reset\/([A-Za-z0-9._-]+)/.exec(mail!.text)!;
  // Asking again in the same window sends nothing new.
  await pages.post(forgot, { email });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await resetEmails(email)).toHaveLength(1);

  const resetPath = link[0];
  expect((await pages.get(resetPath)).response.status).toBe(200);
  const weak = await pages.post(resetPath, { password: 'password1234', passwordConfirmation: 'password1234' });
  expect(weak.response.status).toBe(422);
  const newPassword = 'maple quartz harbour seventy';
  const done = await pages.post(resetPath, { password: newPassword, passwordConfirmation: newPassword });
  expect(done.response.status).toBe(200);
  expect(done.html).toContain('Your new password is set');

  expect(await currentUser(db, oldSession!)).toBeNull();
  expect(await signIn(db, org.organizationId, email, PASSWORD)).toBeNull();
  expect(await signIn(db, org.organizationId, email, newPassword)).not.toBeNull();
  // The link worked once.
  expect((await pages.get(resetPath)).response.status).toBe(410);
  const audit = await db.auditEvent.findMany({
    where: { organizationId: org.organizationId, action: { startsWith: 'portal.password_reset' } },
    select: { action: true, outcome: true },
  });
  expect(audit).toEqual(
    expect.arrayContaining([
      { action: 'portal.password_reset_request', outcome: 'refused' },
      { action: 'portal.password_reset_request', outcome: 'success' },
      { action: 'portal.password_reset', outcome: 'success' },
    ]),
  );
});

it('refuses forged and tampered reset links', async () => {
  const pages = new StaffPages(service.api.url);
  const { email } = await registeredClient();
  const account = await service.database.db.portalAccount.findFirstOrThrow({ where: { email } });
  for (const token of ['nonsense', `${account.id}.${Date.now() + 3_600_000}.forged`, `${account.id}.9999999999999.x`]) {
    expect((await pages.get(`/portal/${org.slug}/password/reset/${token}`)).response.status).toBe(410);
  }
});

it('slows down one address that keeps trying to sign in, with the same page for everyone', async () => {
  const pages = new StaffPages(service.api.url);
  const statuses: number[] = [];
  for (let attempt = 0; attempt <= DOOR_ATTEMPTS_PER_WINDOW + 1; attempt += 1) {
    const { response } = await pages.post(`/portal/${org.slug}/login`, {
      email: `guess-${attempt}@example.test`,
      password: 'x',
    });
    statuses.push(response.status);
  }
  expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(DOOR_ATTEMPTS_PER_WINDOW - 10);
  expect(statuses.at(-1)).toBe(429);
});
