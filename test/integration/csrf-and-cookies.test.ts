/**
 * Issue 14 item 11: CSRF tokens bound to the session, `__Host-` cookies on
 * https, and no state change on a GET. A token works only with the session
 * (or, before sign-in, the nonce cookie) it was made for: another staff
 * member's or client's token is refused, and so is one from before sign-in.
 */
import { randomUUID } from 'node:crypto';
import { startApiServer, type RunningApi } from '../../app/http-server';
import { createLogger } from '../../observability/logger';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { CLIENT_PASSWORD, createPayingClient, enablePayments, type PayingClient } from '../support/payments';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

let service: TestService;
let httpsApi: RunningApi;
let org: TestOrganization;
let staffEmails: { admin: string; therapist: string };
let clients: [PayingClient, PayingClient];

beforeAll(async () => {
  service = await startTestService({ payments: 'local' });
  const { db } = service.database;
  org = await createTestOrganization(db);
  await enablePayments(db, org.organizationId);
  staffEmails = {
    admin: await setStaffPassword(db, org.adminId),
    therapist: await setStaffPassword(db, org.therapistId),
  };
  clients = [await createPayingClient(db, org), await createPayingClient(db, org)];
  // The same service as deployed behind https: only the cookie names and attributes differ.
  httpsApi = await startApiServer(
    {
      db,
      temporal: service.env.client,
      taskQueue: service.taskQueue,
      logger: createLogger({ level: 'silent' }),
      tokenSigningKey: Buffer.from(service.processEnv.TOKEN_SIGNING_KEY!, 'base64'),
      publicBaseUrl: 'https://portal.example.test',
    },
    { host: '127.0.0.1', port: 0 },
  );
});

afterAll(async () => {
  await httpsApi?.close();
  await service?.stop();
});

/** A browser's cookies for one site, as fetch does not keep them. */
class Browser {
  readonly cookies = new Map<string, string>();
  readonly setCookies: string[] = [];
  constructor(private readonly base: string) {}

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      this.setCookies.push(header);
      const [name, ...value] = header.split(';')[0]!.split('=');
      if (/Max-Age=0/i.test(header)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
  }

  async get(path: string): Promise<{ status: number; html: string; token: string }> {
    const response = await fetch(`${this.base}${path}`, { headers: { cookie: this.header() }, redirect: 'manual' });
    this.remember(response);
    const html = await response.text();
    return { status: response.status, html, token: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' };
  }

  async post(path: string, fields: Record<string, string>): Promise<{ status: number; location: string | null }> {
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.header() },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    });
    this.remember(response);
    await response.arrayBuffer();
    return { status: response.status, location: response.headers.get('location') };
  }
}

/** Signs in through the real form; also returns the token the sign-in page gave before. */
async function signedIn(door: 'staff' | 'portal', email: string, base = service.api.url) {
  const browser = new Browser(base);
  const password = door === 'staff' ? STAFF_PASSWORD : CLIENT_PASSWORD;
  const login = await browser.get(`/${door}/${org.slug}/login`);
  expect(login.status).toBe(200);
  const signIn = await browser.post(`/${door}/${org.slug}/login`, { _csrf: login.token, email, password });
  expect(signIn.status).toBe(303);
  return { browser, preSignInToken: login.token };
}

const home = (door: 'staff' | 'portal') => (door === 'staff' ? `/staff/${org.slug}` : `/portal/${org.slug}`);

describe.each([
  ['staff', () => [staffEmails.admin, staffEmails.therapist]],
  ['portal', () => [clients[0].email, clients[1].email]],
] as const)('%s CSRF tokens', (door, emails) => {
  it('refuses a token from another session, and one from before sign-in', async () => {
    const [emailA, emailB] = emails();
    const a = await signedIn(door, emailA!);
    const b = await signedIn(door, emailB!);
    const tokenA = (await a.browser.get(home(door))).token;
    const tokenB = (await b.browser.get(home(door))).token;
    expect(tokenA).not.toBe('');
    expect(tokenA).not.toBe(tokenB);

    // A's token with B's cookies: the form is refused, B stays signed in.
    expect((await b.browser.post(`/${door}/${org.slug}/logout`, { _csrf: tokenA })).status).toBe(403);
    // The token B's own sign-in page gave, now that B is signed in: refused too.
    expect((await b.browser.post(`/${door}/${org.slug}/logout`, { _csrf: b.preSignInToken })).status).toBe(403);
    expect((await b.browser.get(home(door))).status).toBe(200);

    // B's own token: signed out.
    expect((await b.browser.post(`/${door}/${org.slug}/logout`, { _csrf: tokenB })).status).toBe(303);
    expect((await b.browser.get(home(door))).status).toBe(303);
    // A is untouched by all of it.
    expect((await a.browser.get(home(door))).status).toBe(200);
  });
});

describe('cookies', () => {
  it('on http (npm start, tests): plain names, scoped to their area, HttpOnly', async () => {
    for (const door of ['staff', 'portal'] as const) {
      const { browser } = await signedIn(door, door === 'staff' ? staffEmails.admin : clients[0].email);
      const byName = new Map(browser.setCookies.map((header) => [header.split('=')[0], header]));
      expect([...byName.keys()].sort()).toEqual([`${door}_csrf`, `${door}_session`]);
      for (const header of byName.values()) {
        expect(header).toMatch(new RegExp(`; Path=/${door}(;|$)`));
        expect(header).toMatch(/; HttpOnly/);
        expect(header).not.toMatch(/; Secure|Domain=/i);
      }
    }
  });

  it('on https: __Host- names (Secure, Path=/, no Domain), and a cookie under the plain name is not a session', async () => {
    for (const door of ['staff', 'portal'] as const) {
      const { browser } = await signedIn(door, door === 'staff' ? staffEmails.admin : clients[0].email, httpsApi.url);
      const byName = new Map(browser.setCookies.map((header) => [header.split('=')[0], header]));
      expect([...byName.keys()].sort()).toEqual([`__Host-${door}_csrf`, `__Host-${door}_session`]);
      for (const header of byName.values()) {
        expect(header).toMatch(/; Path=\/(;|$)/);
        expect(header).toMatch(/; HttpOnly/);
        expect(header).toMatch(/; Secure/);
        expect(header).not.toMatch(/Domain=/i);
      }
      expect((await browser.get(home(door))).status).toBe(200);

      // The same session token planted under the plain name (what a sibling subdomain could set) is not read.
      const session = browser.cookies.get(`__Host-${door}_session`)!;
      const planted = await fetch(`${httpsApi.url}${home(door)}`, {
        headers: { cookie: `${door}_session=${session}` },
        redirect: 'manual',
      });
      expect(planted.status).toBe(303);
      expect(planted.headers.get('location')).toBe(`/${door}/${org.slug}/login`);
    }
  });
});

describe('state changes never on GET', () => {
  it('the provider’s cancel URL only asks; the cancellation is a POST with the CSRF token', async () => {
    const { db } = service.database;
    const client = clients[0];
    const request = await db.paymentRequest.create({
      data: {
        organizationId: org.organizationId,
        clientId: client.holder.clientId,
        portalAccountId: client.holder.portalAccountId,
        kind: 'BALANCE',
        status: 'AWAITING_PAYMENT',
        amountCents: 2000,
        submissionKey: randomUUID(),
        workflowId: `test-${randomUUID()}`,
        checkoutUrl: 'http://localhost/checkout/test',
      },
    });
    const cancelUrl = `/portal/${org.slug}/account/payments/${request.id}/cancel`;
    const cancellations = () => db.auditEvent.count({ where: { action: 'payment.cancel' } });
    const state = async () => ({
      request: await db.paymentRequest.findUniqueOrThrow({ where: { id: request.id } }),
      cancellations: await cancellations(),
    });
    const { browser } = await signedIn('portal', client.email);
    const before = await state();

    const page = await browser.get(cancelUrl);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Cancel this payment?');
    expect(page.html).toContain('$20.00');
    expect(page.html).toContain(`<form method="post" action="${cancelUrl}">`);
    expect(await state()).toEqual(before);

    // A forged form (no token) changes nothing either.
    expect((await browser.post(cancelUrl, {})).status).toBe(403);
    expect(await state()).toEqual(before);

    const confirmed = await browser.post(cancelUrl, { _csrf: page.token });
    expect(confirmed).toEqual({ status: 303, location: `/portal/${org.slug}/account?cancelled=1` });
    expect(await cancellations()).toBe(before.cancellations + 1);
  });
});
