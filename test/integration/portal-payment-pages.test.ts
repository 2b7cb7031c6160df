/**
 * Issue 13: the client portal's payment pages over HTTP. Back from the
 * provider, the status page says "Confirming your payment" without a meta
 * refresh (a "Check again" link instead); the pay form says what is wrong
 * with an amount; the pages revalidate instead of being no-store.
 */
import { randomUUID } from 'node:crypto';
import { SESSION_COOKIE } from '../../web/portal/portal-session';
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
  const csrfCookie = /portal_csrf=[^;]+/.exec(form.headers.get('set-cookie') ?? '')?.[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const review = async (amount: string) => {
    const response = await fetch(`${service.api.url}/portal/${org.slug}/account/pay/review`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookie}; ${csrfCookie}` },
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
