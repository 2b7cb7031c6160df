/**
 * "Email me a new link" over HTTP (issue 20, part 3): the answer is the same
 * page whether a link went out, the weekly limit was reached or staff had
 * revoked the link; a post without the page's CSRF token is refused and asks
 * for nothing.
 */
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';
import { StaffPages } from '../support/staff-login';

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

async function expiredLink(): Promise<{ token: string; onboardingId: string }> {
  const event = chartCreatedWebhook({});
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  const token = await eventually(() =>
    latestRegistrationToken(service.outboxDir, event.data.client.email!).catch(() => undefined),
  );
  await service.database.db.invitation.updateMany({ where: { onboardingId }, data: { expiresAt: new Date(0) } });
  return { token, onboardingId };
}

const decisions = (onboardingId: string) =>
  service.database.db.auditEvent.count({ where: { onboardingId, action: 'portal.invitation_link_request' } });

/** Asks for a new link the way the page does; the answer without its per-request parts. */
async function ask(token: string, fromPage = `/portal/register/${token}`) {
  // StaffPages is a plain cookie-keeping form poster; the portal's CSRF field works the same way.
  const pages = new StaffPages(service.api.url);
  const { response, html } = await pages.post(`/portal/register/${token}/new-link`, {}, fromPage);
  return { status: response.status, html: html.replace(/name="_csrf" value="[^"]+"/g, '') };
}

it('answers the same whether a link went out, the limit was reached or the link was revoked', async () => {
  const { token, onboardingId } = await expiredLink();
  const first = await ask(token);
  expect(first.status).toBe(200);
  expect(first.html).toContain('Check your email');
  for (let n = 2; n <= 4; n += 1) {
    await eventually(async () => ((await decisions(onboardingId)) === n - 1 ? true : undefined));
    // The page offers nothing once the link's onboarding has a pending invitation again, but a post is still answered.
    expect(await ask(token, `/portal/${org.slug}/login`)).toEqual(first);
  }
  await eventually(async () => ((await decisions(onboardingId)) === 4 ? true : undefined));
  const refused = await service.database.db.auditEvent.findMany({
    where: { onboardingId, action: 'portal.invitation_link_request', outcome: 'refused' },
  });
  expect(refused.map((row) => row.detail)).toEqual([{ via: 'expired-link', reason: 'rate-limited' }]);

  const revoked = await expiredLink();
  await service.database.db.onboarding.update({ where: { id: revoked.onboardingId }, data: { status: 'REVOKED' } });
  expect(await ask(revoked.token, `/portal/${org.slug}/login`)).toEqual(first);
  expect(await decisions(revoked.onboardingId)).toBe(0);
});

it('refuses a post without the page’s CSRF token and asks for nothing', async () => {
  const { token, onboardingId } = await expiredLink();
  const forged = await new StaffPages(service.api.url).postRaw(`/portal/register/${token}/new-link`, {});
  expect(forged.status).toBe(403);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await decisions(onboardingId)).toBe(0);
});
