/**
 * Issue 13: the client portal's payment pages over HTTP. Back from the
 * provider, the status page says "Confirming your payment" without a meta
 * refresh (a "Check again" link instead); the pay form says what is wrong
 * with an amount; the pages revalidate instead of being no-store; every page
 * of Pay Now is a GET (post, then redirect), so Back never meets a POST result.
 */
import { randomUUID } from 'node:crypto';
import { cookieName } from '../../http/cookies';
import { signIn } from '../../use-cases/accounts/portal-sessions';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import {
  CLIENT_PASSWORD,
  createPayingClient,
  enablePayments,
  giveInvoice,
  testInvoice,
  type PayingClient,
} from '../support/payments';
import { startTestService, type TestService } from '../support/service';

/** The portal's session cookie as npm start and the tests name it (http://, so without `__Host-`). */
const SESSION_COOKIE = cookieName('portal', 'session', false);

let service: TestService;
let org: TestOrganization;
let client: PayingClient;
let cookie: string;

beforeAll(async () => {
  service = await startTestService({ payments: 'local' });
  const db = service.database.db;
  org = await createTestOrganization(db);
  await enablePayments(db, org.organizationId);
  client = await createPayingClient(db, org);
  await giveInvoice(db, org, client, testInvoice());
  cookie = `${SESSION_COOKIE}=${await signIn(db, org.organizationId, client.email, CLIENT_PASSWORD)}`;
});

afterAll(async () => {
  await service?.stop();
});

async function awaitingPayment(): Promise<string> {
  const request = await service.database.db.paymentRequest.create({
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
  return request.id;
}

const get = (path: string) => fetch(`${service.api.url}/portal/${org.slug}${path}`, { headers: { cookie } });

test('the pay form says what is wrong with an amount', async () => {
  const form = await get('/account/pay');
  const page = await form.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const review = async (amount: string) => {
    const response = await fetch(`${service.api.url}/portal/${org.slug}/account/pay/review`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf, amount, card: 'new' }).toString(),
    });
    return response.text();
  };
  expect(await review('50.555')).toContain('Use at most two decimals, for example 50.55.');
  expect(await review('0.25')).toContain('Enter an amount of at least $0.50.');
  expect(await review('fifty')).toContain('Enter the amount as a number, for example 45.00.');
  expect(await review('10.50')).toContain('Review your payment');
});

test('back from the provider: "Confirming your payment", Check again, no meta refresh, no Continue/Cancel', async () => {
  const id = await awaitingPayment();
  const back = await get(`/account/payments/${id}?from=checkout`);
  const html = await back.text();
  expect(back.status).toBe(200);
  expect(html).toContain('Confirming your payment');
  expect(html).not.toMatch(/http-equiv="refresh"/i);
  expect(html).toContain(`href="/portal/${org.slug}/account/payments/${id}?from=checkout"`);
  expect(html).toContain('Check again');
  expect(html).not.toContain('Continue to secure payment');
  expect(html).not.toContain('Cancel this payment');
  expect(back.headers.get('cache-control')).toBe('private, no-cache');

  // Not yet at the provider: Continue and Cancel, and still no meta refresh.
  const before = await (await get(`/account/payments/${id}`)).text();
  expect(before).toContain('Continue to secure payment');
  expect(before).toContain('Cancel this payment');
  expect(before).not.toContain('Confirming your payment');
  expect(before).not.toMatch(/http-equiv="refresh"/i);
});

test('Pay Now posts, then redirects: the review page is a GET whose URL holds its submission key', async () => {
  // The test before left a payment open, and Pay Now sends the client to an open payment instead of its form.
  await service.database.db.paymentRequest.updateMany({
    where: { clientId: client.holder.clientId, status: 'AWAITING_PAYMENT' },
    data: { status: 'ABANDONED' },
  });
  const form = await get('/account/pay');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const posted = await fetch(`${service.api.url}/portal/${org.slug}/account/pay/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrf, amount: '12.00', card: 'new', saveCard: 'yes' }).toString(),
    redirect: 'manual',
  });
  expect(posted.status).toBe(303);
  const location = new URL(posted.headers.get('location')!, service.api.url);
  expect(location.pathname).toBe(`/portal/${org.slug}/account/pay/review`);
  expect(location.searchParams.get('amount')).toBe('12.00');
  expect(location.searchParams.get('saveCard')).toBe('yes');
  const key = location.searchParams.get('key')!;
  expect(key).toMatch(/^[A-Za-z0-9_-]{32,64}$/);

  // Loaded again (Back, reload): the same key, so pressing Pay again is the same payment.
  const review = () => get(`${location.pathname.replace(`/portal/${org.slug}`, '')}${location.search}`);
  for (const page of [await (await review()).text(), await (await review()).text()]) {
    expect(page).toContain('Review your payment');
    expect(page).toContain(`name="submissionKey" value="${key}"`);
  }

  // Once that key has started a payment, the page says so and offers no second one.
  const made = await service.database.db.paymentRequest.create({
    data: {
      organizationId: org.organizationId,
      clientId: client.holder.clientId,
      portalAccountId: client.holder.portalAccountId,
      kind: 'BALANCE',
      status: 'SUCCEEDED',
      amountCents: 1200,
      submissionKey: key,
      workflowId: `test-${randomUUID()}`,
    },
  });
  const again = await review();
  const html = await again.text();
  expect(again.status).toBe(200);
  expect(html).toContain('This payment was already made');
  expect(html).toContain(`href="/portal/${org.slug}/account/payments/${made.id}"`);
  expect(html).not.toContain('name="submissionKey"');

  // A review URL without a usable key starts over at the pay form.
  const bare = await fetch(`${service.api.url}/portal/${org.slug}/account/pay/review?amount=12.00&card=new`, {
    headers: { cookie },
    redirect: 'manual',
  });
  expect(bare.status).toBe(303);
  expect(bare.headers.get('location')).toBe(`/portal/${org.slug}/account/pay`);
});
