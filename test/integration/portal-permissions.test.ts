/**
 * Issue 15: a portal user's permissions are enforced on every portal page,
 * server-side, and the portal home offers only what the user may open. The
 * matrix: each permission taken away in turn, each area's pages answer 404,
 * the others still open.
 */
import { cookieName } from '../../http/cookies';
import { signIn } from '../../use-cases/accounts/portal-sessions';
import { PORTAL_PERMISSIONS, type PortalPermission } from '../../use-cases/portal-access-policy';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { CLIENT_PASSWORD, createPayingClient, enablePayments, type PayingClient } from '../support/payments';
import { startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let client: PayingClient;
let cookie: string;
const SESSION_COOKIE = cookieName('portal', 'session', false);

beforeAll(async () => {
  service = await startTestService({ payments: 'local' });
  const { db } = service.database;
  org = await createTestOrganization(db);
  await enablePayments(db, org.organizationId);
  client = await createPayingClient(db, org);
  cookie = `${SESSION_COOKIE}=${await signIn(db, org.organizationId, client.email, CLIENT_PASSWORD)}`;
});

afterAll(async () => {
  await service?.stop();
});

const grant = (permissions: PortalPermission[]) =>
  service.database.db.clientPortalAccess.update({
    where: { portalAccountId: client.holder.portalAccountId },
    data: { permissions },
  });

const get = (path: string) =>
  fetch(`${service.api.url}/portal/${org.slug}${path}`, { headers: { cookie }, redirect: 'manual' });

/** The pages of each area, and the permission that opens them. */
const PAGES: { path: string; needs: PortalPermission }[] = [
  { path: '', needs: 'BASIC' },
  { path: '/documents', needs: 'FORMS' },
  { path: '/account', needs: 'BILLING' },
  { path: '/account/cards', needs: 'BILLING' },
  { path: '/account/pay', needs: 'BILLING' },
];

describe.each(['BASIC', 'FORMS', 'BILLING'] as const)('without %s', (withheld) => {
  beforeAll(() => grant(PORTAL_PERMISSIONS.filter((permission) => permission !== withheld)));

  it.each(PAGES)('$path answers as its permission says', async ({ path, needs }) => {
    const response = await get(path);
    expect(response.status).toBe(needs === withheld ? 404 : 200);
    if (needs === withheld) {
      const body = await response.text();
      // A dead end still names the practice.
      expect(body).toContain(`Practice ${org.slug.replace('practice-', '')}`);
    }
  });
});

it('a signed form cannot be posted without the forms permission (checked before anything is read)', async () => {
  await grant(['BASIC', 'BILLING']);
  const response = await fetch(`${service.api.url}/portal/${org.slug}/documents/00000000-0000-4000-8000-000000000000`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'a=b',
  });
  expect(response.status).toBe(404);
});

it('the home offers only the areas the user may open', async () => {
  await grant(['BASIC', 'FORMS']);
  let body = await (await get('')).text();
  expect(body).toContain('data-testid="area-documents"');
  expect(body).not.toContain('data-testid="area-account"');

  await grant(['BASIC', 'BILLING']);
  body = await (await get('')).text();
  expect(body).not.toContain('data-testid="area-documents"');
  expect(body).toContain('data-testid="area-account"');

  await grant([...PORTAL_PERMISSIONS]);
  body = await (await get('')).text();
  expect(body).toContain('data-testid="area-documents"');
  expect(body).toContain('data-testid="area-account"');
});

it('a session whose access is revoked opens nothing', async () => {
  await service.database.db.clientPortalAccess.update({
    where: { portalAccountId: client.holder.portalAccountId },
    data: { status: 'REVOKED' },
  });
  expect((await get('')).status).toBe(404);
  await service.database.db.clientPortalAccess.update({
    where: { portalAccountId: client.holder.portalAccountId },
    data: { status: 'ACTIVE' },
  });
  expect((await get('')).status).toBe(200);
});
