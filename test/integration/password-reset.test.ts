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

describe('no enumeration by timing (issue 14, item 7)', () => {
  /** One "forgot" post from its own address (X-Forwarded-For, believed from loopback), so the door limit stays out of it. */
  async function timedForgot(email: string, n: number): Promise<number> {
    const pages = new StaffPages(service.api.url);
    const forgot = `/portal/${org.slug}/password/forgot`;
    const form = await pages.get(forgot);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.html)![1]!;
    const cookie = form.response.headers
      .getSetCookie()
      .map((header) => header.split(';')[0])
      .join('; ');
    const started = performance.now();
    const response = await fetch(`${service.api.url}${forgot}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie,
        'x-forwarded-for': `198.51.100.${n % 250}`,
      },
      body: new URLSearchParams({ _csrf: csrf, email }),
    });
    await response.text();
    expect(response.status).toBe(200);
    return performance.now() - started;
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  it('starts the same durable request for a known and an unknown address, and answers in the same time', async () => {
    const { email } = await registeredClient();
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      // Interleaved, so a slow moment of the machine lands on both.
      known.push(await timedForgot(email, 2 * i));
      unknown.push(await timedForgot(`nobody-${i}-${Date.now()}@example.test`, 2 * i + 1));
    }
    // Within noise (a loaded CI machine moves medians by ~20 ms): the answer does no work only a real account costs, such as a password hash or a second workflow.
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(Math.max(40, 0.5 * median(unknown)));

    // And the same kind of work was started for both: a request workflow per address, none naming the address.
    const ids: string[] = [];
    for await (const run of service.env.client.workflow.list({ query: `WorkflowType = 'passwordResetRequest'` })) {
      ids.push(run.workflowId);
    }
    expect(ids.length).toBeGreaterThanOrEqual(13);
    expect(ids.join(' ')).not.toMatch(/@|nobody|example/);
  });
});
