/**
 * The per-account sign-in limit over HTTP (issue 14, item 3), numbers written
 * out: ten wrong passwords on one account in 15 minutes, each from a
 * different address, and the next attempt is refused even with the right
 * password. A right password after every four wrong ones keeps the strike
 * pause of login-lockout.ts from ever starting, so only this limit stops that
 * pattern. Right passwords do not count (someone signing in on many devices
 * is never slowed), and another account of the same practice is untouched.
 */
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { CLIENT_PASSWORD, createPayingClient } from '../support/payments';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
let address = 0;

beforeAll(async () => {
  // One proxy in front: X-Forwarded-For gives each attempt its own client address.
  service = await startTestService({ trustProxy: 1 });
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

interface Account {
  path: string;
  email: string;
  password: string;
}

async function portalAccount(): Promise<Account> {
  const client = await createPayingClient(service.database.db, org);
  return { path: `/portal/${org.slug}/login`, email: client.email, password: CLIENT_PASSWORD };
}

async function staffAccount(): Promise<Account> {
  const { db } = service.database;
  const staff = await db.staffUser.create({
    data: {
      organizationId: org.organizationId,
      email: `account-limit-${Date.now()}-${Math.random().toString(36).slice(2)}@practice.test`,
      displayName: 'Account Limit Test',
      role: 'THERAPIST',
    },
  });
  return { path: `/staff/${org.slug}/login`, email: await setStaffPassword(db, staff.id), password: STAFF_PASSWORD };
}

/** One attempt from a browser at an address never seen before. */
async function signIn(account: Account, password: string): Promise<number> {
  const browser = new StaffPages(service.api.url);
  address += 1;
  browser.headers = { 'x-forwarded-for': `198.51.${Math.floor(address / 250)}.${1 + (address % 250)}` };
  return (await browser.post(account.path, { email: account.email, password })).response.status;
}

describe.each([
  ['portal', portalAccount],
  ['staff', staffAccount],
])('%s sign-in', (_name, open) => {
  it('allows ten wrong passwords on one account from ten addresses in 15 minutes, then refuses even the right one', async () => {
    const account = await open();
    const other = await open();
    for (const round of [1, 2]) {
      for (let wrong = 1; wrong <= 4; wrong += 1)
        expect(await signIn(account, `wrong guess ${round}-${wrong}`)).toBe(401);
      expect(await signIn(account, account.password)).toBe(303);
    }
    expect(await signIn(account, 'wrong guess 3-1')).toBe(401);
    expect(await signIn(account, 'wrong guess 3-2')).toBe(401);
    // Past ten wrong ones, right password, fresh address: the account is slowed, whoever asks.
    const refused = new StaffPages(service.api.url);
    refused.headers = { 'x-forwarded-for': '192.0.2.77' };
    const { response, html } = await refused.post(account.path, { email: account.email, password: account.password });
    expect(response.status).toBe(429);
    // Same words as a wrong password, and what was typed is kept.
    expect(html).toContain('paused for a few minutes');
    expect(html).toContain(`value="${account.email}"`);
    // Typed differently, it is the same account.
    expect(await signIn({ ...account, email: account.email.toUpperCase() }, account.password)).toBe(429);
    // Nobody else is slowed, and twelve right passwords in a row count for nothing.
    for (let device = 1; device <= 12; device += 1) expect(await signIn(other, other.password)).toBe(303);
  });
});
