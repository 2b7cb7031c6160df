/**
 * The service's bare address (issue 13, operators): a person who opens it
 * finds the staff dashboard, the portal sign-in, the API document and
 * health, instead of a JSON 404; a program asking for JSON gets the links.
 * The page is not an API operation, so the OpenAPI document does not list it.
 */
import { createTestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.stop();
});

const asBrowser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

it('links one practice’s sign-in pages, the API document and health; JSON for programs', async () => {
  const db = service.database.db;
  if ((await db.organization.count()) === 0) await createTestOrganization(db);
  const [practice] = await db.organization.findMany({ select: { slug: true, name: true } });

  const response = await service.get('/', asBrowser);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const body = await response.text();
  expect(body).toContain('<title>Client Portal</title>');
  expect(body).toContain(`href="/staff/${practice!.slug}"`);
  expect(body).toContain(`href="/portal/${practice!.slug}/login"`);
  expect(body).toContain('href="/openapi.json"');
  expect(body).toContain('href="/healthz"');
  // The links work.
  for (const path of ['/openapi.json', '/healthz', `/portal/${practice!.slug}/login`]) {
    expect({ path, status: (await service.get(path)).status }).toEqual({ path, status: 200 });
  }

  const json = await service.get('/', { accept: 'application/json' });
  expect(json.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await json.json()).toMatchObject({
    links: {
      apiDocument: '/openapi.json',
      health: '/healthz',
      staffDashboard: `/staff/${practice!.slug}`,
      portalSignIn: `/portal/${practice!.slug}/login`,
    },
  });

  const document = (await (await service.get('/openapi.json')).json()) as { paths: Record<string, unknown> };
  expect(Object.keys(document.paths)).not.toContain('/');
});

it('does not list practices to strangers when it serves several', async () => {
  await createTestOrganization(service.database.db);
  await createTestOrganization(service.database.db);
  const body = await (await service.get('/', asBrowser)).text();
  expect(body).not.toMatch(/href="\/(staff|portal)\//);
  expect(body).toContain('the link in the email from your practice');
  expect((await (await service.get('/', { accept: 'application/json' })).json()) as object).not.toHaveProperty(
    'links.staffDashboard',
  );
});

it('still answers an unknown path with the JSON 404, and an unknown portal page with a titled error page', async () => {
  const unknown = await service.get('/no-such-thing', asBrowser);
  expect(unknown.status).toBe(404);
  expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

  const page = await service.get('/portal/no-such-practice/nowhere', asBrowser);
  expect(page.status).toBe(404);
  expect(await page.text()).toContain('<title>Page not found – Client Portal</title>');
});
