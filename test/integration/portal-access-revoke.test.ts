/**
 * Revoke Access for a client who has registered (issue 13, bug 10): the
 * dashboard offered it only before registration, and the workflow refused it
 * after. Now the login is switched off (sessions end) and Restore Access
 * switches it back on, by API and on the client's page.
 */
import type { TErrorResponse } from '../../schemas/error-response';
import type { TStaffActionResponse } from '../../schemas/onboarding';
import { currentUser, signIn } from '../../use-cases/accounts/portal-sessions';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { timelineOf } from '../support/invitations';
import { CLIENT_PASSWORD, createPayingClient } from '../support/payments';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
let adminEmail: string;

beforeAll(async () => {
  service = await startTestService();
  org = await createTestOrganization(service.database.db);
  adminEmail = await setStaffPassword(service.database.db, org.adminId);
});

afterAll(async () => {
  await service?.stop();
});

const act = (onboardingId: string, action: 'revoke' | 'restore', key = org.keys.admin) =>
  service.post(`/v1/onboardings/${onboardingId}/portal-access/${action}`, {}, { authorization: `Bearer ${key}` });

describe('revoking a registered client’s access', () => {
  it('by API: sign-in stops, open sessions end, and Restore Access gives the same login back', async () => {
    const { db } = service.database;
    const client = await createPayingClient(db, org);
    const session = await signIn(db, org.organizationId, client.email, CLIENT_PASSWORD);
    expect(await currentUser(db, session!)).not.toBeNull();

    const revoked = await act(client.onboardingId, 'revoke');
    expect(revoked.status).toBe(200);
    // The onboarding itself is still complete: the answer says so, and says the login is off.
    expect((await revoked.json()) as TStaffActionResponse).toMatchObject({
      onboardingId: client.onboardingId,
      status: 'COMPLETE',
      portalAccountStatus: 'REVOKED',
    });
    expect(await currentUser(db, session!)).toBeNull();
    expect(await signIn(db, org.organizationId, client.email, CLIENT_PASSWORD)).toBeNull();
    expect((await db.onboarding.findUniqueOrThrow({ where: { id: client.onboardingId } })).status).toBe('COMPLETE');

    const again = await act(client.onboardingId, 'revoke');
    expect(again.status).toBe(409);
    expect(((await again.json()) as TErrorResponse).error.message).toMatch(/already revoked/i);

    const restored = await act(client.onboardingId, 'restore');
    expect(restored.status).toBe(200);
    expect(((await restored.json()) as TStaffActionResponse).portalAccountStatus).toBe('ACTIVE');
    expect(await signIn(db, org.organizationId, client.email, CLIENT_PASSWORD)).not.toBeNull();
    // The session from before the revocation stays ended.
    expect(await currentUser(db, session!)).toBeNull();
    expect((await act(client.onboardingId, 'restore')).status).toBe(409);

    const timeline = await timelineOf(db, client.onboardingId);
    expect(timeline).toEqual(expect.arrayContaining(['portal.access_revoked', 'portal.access_restored']));
    const trail = await db.auditEvent.findMany({
      where: { onboardingId: client.onboardingId, action: { in: ['portal.revoke', 'portal.restore'] } },
      select: { action: true, outcome: true },
    });
    expect(trail.filter((row) => row.outcome === 'success').map((row) => row.action)).toEqual(
      expect.arrayContaining(['portal.revoke', 'portal.restore']),
    );
  });

  it('is refused to a therapist without the invite permission, and another practice gets a 404', async () => {
    const client = await createPayingClient(service.database.db, org);
    expect((await act(client.onboardingId, 'revoke', org.keys.therapist)).status).toBe(403);
    const other = await createTestOrganization(service.database.db);
    expect((await act(client.onboardingId, 'revoke', other.keys.admin)).status).toBe(404);
    expect((await act(client.onboardingId, 'restore', other.keys.admin)).status).toBe(404);
  });

  it('on the client’s page: Revoke access is offered once they have registered, then Restore access', async () => {
    const client = await createPayingClient(service.database.db, org);
    const admin = new StaffPages(service.api.url);
    expect((await admin.signIn(org.slug, adminEmail)).status).toBe(303);
    const pagePath = `/staff/${org.slug}/onboardings/${client.onboardingId}`;

    const before = await admin.get(pagePath);
    expect(before.html).toContain(`${pagePath}/revoke`);
    expect(before.html).not.toContain(`${pagePath}/restore`);
    expect(before.html).toContain('Active: the client can sign in');

    const done = await admin.post(`${pagePath}/revoke`, { confirm: 'yes' });
    expect(done.response.status).toBe(303);
    const after = await admin.get(pagePath);
    expect(after.html).toContain('Revoked: the client cannot sign in');
    expect(after.html).toContain(`${pagePath}/restore`);
    expect(after.html).not.toContain(`${pagePath}/revoke"`);

    expect((await admin.post(`${pagePath}/restore`, { confirm: 'yes' })).response.status).toBe(303);
    expect((await admin.get(pagePath)).html).toContain('Active: the client can sign in');
  });
});
