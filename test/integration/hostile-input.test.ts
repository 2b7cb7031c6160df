/**
 * Property-based: throw malformed and hostile input at every public endpoint
 * (random JSON, prototype-pollution keys, deep nesting, control characters,
 * oversized strings, wrong types) and check that none answers 500 and none
 * writes anything but its audit entry. Webhooks are validly signed, so the
 * input reaches validation rather than stopping at the signature check.
 */
import fc from 'fast-check';
import {
  chartCreatedWebhook,
  createTestOrganization,
  signedWebhookHeaders,
  type TestOrganization,
} from '../support/factories';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { signIn } from '../../use-cases/accounts/portal-sessions';
import { createLogger } from '../../observability/logger';
import { hashToken } from '../../security/tokens';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';
import { cookieName } from '../../http/cookies';

/** The portal session cookie on http:// (tests and npm start): its plain name. */
const PORTAL_SESSION = cookieName('portal', 'session', false);

let service: TestService;
let org: TestOrganization;
let onboardingId: string;
/** A registered client with the default package waiting: a session cookie and one form to post to. */
let portal: { cookie: string; formPath: string };

beforeAll(async () => {
  // The local checkout, so My Account's payment pages are there to attack (test 'My Account pages …').
  service = await startTestService({ payments: 'local' });
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
  const accepted = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, chartCreatedWebhook({ invite: false }));
  onboardingId = ((await accepted.json()) as { onboardingId: string }).onboardingId;
  // Its chart is written by the workflow a moment later: let it land before anything counts rows.
  await eventually(() =>
    service.database.db.onboarding
      .findFirst({ where: { id: onboardingId, clientId: { not: null } } })
      .then((row) => row ?? undefined),
  );
  portal = await registeredClientWithForms();
});

async function registeredClientWithForms() {
  const event = chartCreatedWebhook({ formPackageKey: org.formPackageKey });
  const email = event.data.client.email!;
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  const { onboardingId: id } = (await response.json()) as { onboardingId: string };
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined));
  const password = 'granite meadow lantern seven';
  const { db } = service.database;
  await registerPortalAccount({ db, temporal: service.env.client, logger: createLogger({ level: 'silent' }) }, token, {
    lastName: event.data.client.lastName,
    dateOfBirth: event.data.client.dateOfBirth,
    password,
    passwordConfirmation: password,
  });
  // Let the flow's own emails (invitation, forms, registration confirmed) settle before anything counts rows.
  await eventually(async () =>
    (await db.emailMessage.count({ where: { onboardingId: id, status: 'SENT' } })) === 3 ? true : undefined,
  );
  const session = await signIn(db, org.organizationId, email, password);
  const assignment = await eventually(() =>
    db.formAssignment.findFirst({ where: { onboardingId: id, position: 0 } }).then((row) => row ?? undefined),
  );
  return { cookie: `${PORTAL_SESSION}=${session}`, formPath: `/portal/${org.slug}/documents/${assignment.id}` };
}

afterAll(async () => {
  await service?.stop();
});

/**
 * Row counts once every onboarding's chart is written: an earlier test's
 * random event may have been valid, and its workflow creates the chart a
 * moment later, which must not count against the test that follows.
 */
async function settledRowCounts() {
  await eventually(async () =>
    (await service.database.db.onboarding.count({ where: { clientId: null, status: { not: 'FAILED' } } })) === 0
      ? true
      : undefined,
  );
  return rowCounts();
}

async function rowCounts() {
  const { db } = service.database;
  const [onboardings, clients, invitations, accounts, emails, sessions, forms, packages, requests, submissions] =
    await Promise.all([
      db.onboarding.count(),
      db.client.count(),
      db.invitation.count(),
      db.portalAccount.count(),
      db.emailMessage.count(),
      db.portalSession.count(),
      db.formDefinition.count(),
      db.formPackage.count(),
      db.formRequest.count(),
      db.formSubmission.count(),
    ]);
  return { onboardings, clients, invitations, accounts, emails, sessions, forms, packages, requests, submissions };
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    '<script>alert(1)</script>',
    "'; DROP TABLE client; --",
    '\u0000\u0001\r\n',
    '../../etc/passwd',
    '9'.repeat(400),
    '1990-02-30',
    '${jndi:ldap://x}',
    '\ud800',
  ),
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('value'), {
      maxKeys: 5,
    }),
  ),
})).value;

/** Chart-created events with any one part replaced by something hostile. */
const hostileEvent = fc
  .tuple(fc.constantFrom('type', 'data', 'client', 'email', 'dateOfBirth', 'externalChartId', 'portal'), hostileValue)
  .map(([part, value]) => {
    // Not inviting: an event that happens to be valid then sends no email to count.
    const event = chartCreatedWebhook({ invite: false }) as unknown as Record<string, unknown> & {
      data: Record<string, unknown> & { client: Record<string, unknown> };
    };
    if (part === 'type' || part === 'data') (event as Record<string, unknown>)[part] = value;
    else if (part === 'externalChartId' || part === 'portal') event.data[part] = value;
    else if (part === 'client') event.data.client = value as Record<string, unknown>;
    else event.data.client[part] = value;
    return event;
  });

const RUNS = 60;

/** Percent-encodes for a URL; a lone surrogate becomes invalid UTF-8 bytes, a hostile case of its own. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

it('the EHR webhook never fails with 500 and writes nothing for invalid events', async () => {
  const before = await settledRowCounts();
  await fc.assert(
    fc.asyncProperty(fc.oneof(hostileEvent, hostileValue), async (payload) => {
      const body = JSON.stringify(payload) ?? 'null';
      const response = await service.post(
        `/v1/webhooks/ehr/${org.integrationId}`,
        body,
        signedWebhookHeaders(org.webhookSecret, body),
      );
      await response.arrayBuffer();
      // A random event may happen to be valid; everything else must be a clear 4xx.
      expect(response.status === 202 || (response.status >= 400 && response.status < 500)).toBe(true);
    }),
    { numRuns: RUNS },
  );
  const after = await rowCounts();
  expect(after.emails).toBe(before.emails);
  expect(after.sessions).toBe(before.sessions);
});

it('staff endpoints never fail with 500 on hostile bodies, ids and queries', async () => {
  const auth = { authorization: `Bearer ${org.keys.admin}` };
  const before = await settledRowCounts();
  await fc.assert(
    fc.asyncProperty(hostileValue, hostileString, async (body, id) => {
      const encodedId = encode(id);
      const responses = await Promise.all([
        service.post(`/v1/onboardings/${onboardingId}/portal-owner`, JSON.stringify(body) ?? 'null', auth),
        service.post(`/v1/onboardings/${encodedId}/cancel`, {}, auth),
        service.get(`/v1/onboardings/${encodedId}`, auth),
        service.get(`/v1/clients/${encodedId}/audit?limit=${encodedId}&action=${encodedId}`, auth),
        service.post(`/v1/webhooks/ehr/${encodedId}`, JSON.stringify(body) ?? 'null'),
        service.post('/v1/forms', JSON.stringify(body) ?? 'null', auth),
        service.post(`/v1/onboardings/${onboardingId}/form-requests`, JSON.stringify(body) ?? 'null', auth),
        fetch(`${service.api.url}/v1/form-packages/${encodedId}`, {
          method: 'PUT',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(body) ?? 'null',
        }),
        fetch(`${service.api.url}/v1/practice/settings`, {
          method: 'PATCH',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(body) ?? 'null',
        }),
        service.get(`/v1/forms/${encodedId}`, auth),
        service.get(`/v1/forms/standard-intake-questionnaire/versions/${encodedId}`, auth),
        service.get(`/v1/onboardings/${encodedId}/forms`, auth),
        service.get(`/v1/onboardings/${encodedId}/payments`, auth),
        service.get(`/v1/onboardings/${onboardingId}/documents/${encodedId}`, auth),
        service.get(`/v1/onboardings/${onboardingId}/documents/${encodedId}/pdf`, auth),
      ]);
      for (const response of responses) {
        await response.arrayBuffer();
        expect(response.status).toBeLessThan(500);
      }
    }),
    { numRuns: RUNS },
  );
  // A random owner may be valid for this onboarding; nothing else may change.
  const after = await rowCounts();
  expect({ ...after, accounts: 0, invitations: 0, emails: 0 }).toEqual({
    ...before,
    accounts: 0,
    invitations: 0,
    emails: 0,
  });
});

it('portal pages never fail with 500 on hostile tokens and forms, and sign no one in', async () => {
  const before = await settledRowCounts();
  await fc.assert(
    fc.asyncProperty(
      hostileString,
      fc.dictionary(hostileString, hostileString, { maxKeys: 6 }),
      async (token, form) => {
        const encoded = encode(token);
        const formBody = new URLSearchParams(form).toString();
        const responses = await Promise.all([
          fetch(`${service.api.url}/portal/register/${encoded}`),
          fetch(`${service.api.url}/portal/register/${encoded}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: formBody,
          }),
          fetch(`${service.api.url}/portal/${encoded}/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: formBody,
          }),
          fetch(`${service.api.url}/portal/${org.slug}`, { headers: { cookie: `${PORTAL_SESSION}=${encoded}` } }),
          fetch(`${service.api.url}/portal/${org.slug}/documents/${encoded}`, { headers: { cookie: portal.cookie } }),
          fetch(`${service.api.url}/portal/${org.slug}/documents/${encoded}/pdf`, {
            headers: { cookie: portal.cookie },
          }),
          fetch(`${service.api.url}${portal.formPath}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${PORTAL_SESSION}=${encoded}` },
            body: formBody,
          }),
        ]);
        for (const response of responses) {
          await response.arrayBuffer();
          expect(response.status).toBeLessThan(500);
        }
      },
    ),
    { numRuns: RUNS },
  );
  expect(await rowCounts()).toEqual(before);
});

it('a signed-in client posting hostile answers to a form gets no 500 and signs nothing', async () => {
  // A real page first: its CSRF field (bound to the session), so the posts reach the form's own checks.
  const page = await fetch(`${service.api.url}${portal.formPath}`, { headers: { cookie: portal.cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  expect(csrf).toBeDefined();
  const before = await settledRowCounts();
  const statuses = new Set<number>();
  const field = fc.oneof(
    hostileString,
    fc.constantFrom('q.reason', 'q.previous_therapy', 'q.concerns', 'q.concerns_since', 'q.__proto__', 'signerName'),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(field, hostileString), { maxLength: 12 }),
      fc.constantFrom('save', 'submit', 'other'),
      async (pairs, action) => {
        const body = new URLSearchParams([['_csrf', csrf!], ['_action', action], ...pairs]);
        const response = await fetch(`${service.api.url}${portal.formPath}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: portal.cookie },
          body,
          redirect: 'manual',
        });
        await response.arrayBuffer();
        statuses.add(response.status);
        expect(response.status).toBeLessThan(500);
      },
    ),
    { numRuns: RUNS },
  );
  // The posts got past CSRF to the form's own checks: drafts saved (303) or answers refused (422).
  expect([...statuses].filter((status) => status === 303 || status === 422).length).toBeGreaterThan(0);
  expect(statuses.has(403)).toBe(false);
  // Drafts may be saved; nothing can be signed without a name and every required answer.
  expect((await rowCounts()).submissions).toBe(before.submissions);
});

/** Invoice events for the fixture client's chart with any one part replaced by something hostile. */
const hostileInvoiceEvent = fc
  .tuple(
    fc.constantFrom(
      'type',
      'data',
      'externalChartId',
      'invoice',
      'externalInvoiceId',
      'lines',
      'line',
      'amountCents',
      'balanceCents',
      'issuedOn',
      'superbill',
      'appliedReceiptNumbers',
    ),
    hostileValue,
  )
  .map(([part, value]) => {
    const invoice: Record<string, unknown> = {
      externalInvoiceId: `INV-HOSTILE-${Math.random().toString(36).slice(2, 10)}`,
      issuedOn: '2026-11-02',
      lines: [{ serviceDate: '2026-11-02', description: 'Session', serviceCode: '90837', amountCents: 15000 }],
      balanceCents: 5000,
    };
    const data: Record<string, unknown> = { externalChartId: chartId, invoice, appliedReceiptNumbers: [] };
    const event: Record<string, unknown> = { type: 'invoice.upserted', data };
    if (part === 'type' || part === 'data') event[part] = value;
    else if (part === 'externalChartId' || part === 'invoice' || part === 'appliedReceiptNumbers') data[part] = value;
    else if (part === 'line') (invoice.lines as unknown[])[0] = value;
    else if (part === 'amountCents') (invoice.lines as Record<string, unknown>[])[0]!.amountCents = value;
    else invoice[part] = value;
    return event;
  });

let chartId = '';

it('the EHR’s invoice events never fail with 500, and an invalid one writes no invoice', async () => {
  chartId = (await service.database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).externalChartId;
  await fc.assert(
    fc.asyncProperty(fc.oneof(hostileInvoiceEvent, hostileValue), async (payload) => {
      const body = JSON.stringify(payload) ?? 'null';
      const invoicesBefore = await service.database.db.invoice.count();
      const response = await service.post(
        `/v1/webhooks/ehr/${org.integrationId}`,
        body,
        signedWebhookHeaders(org.webhookSecret, body),
      );
      await response.arrayBuffer();
      // A random event may happen to be a valid invoice (200); everything else must be a clear 4xx.
      expect(response.status === 200 || (response.status >= 400 && response.status < 500)).toBe(true);
      if (response.status !== 200) expect(await service.database.db.invoice.count()).toBe(invoicesBefore);
    }),
    { numRuns: RUNS },
  );
});

it('My Account pages never fail with 500 on hostile ids, queries and forms, and start no payment', async () => {
  const { db } = service.database;
  await db.organization.update({ where: { id: org.organizationId }, data: { paymentsEnabled: true } });
  // The signed-in fixture client owes something, so Pay Now and its review are reachable.
  const account = await db.portalSession.findFirstOrThrow({
    where: { tokenHash: hashToken(portal.cookie.split('=')[1]!) },
    select: { portalAccount: { select: { clientId: true } } },
  });
  const client = await db.client.findUniqueOrThrow({ where: { id: account.portalAccount.clientId } });
  await db.invoice.create({
    data: {
      organizationId: org.organizationId,
      clientId: client.id,
      externalInvoiceId: `INV-FUZZ-${client.id.slice(0, 8)}`,
      issuedOn: new Date('2026-11-02T00:00:00Z'),
      totalCents: 15000,
      balanceCents: 5000,
      document: {
        externalInvoiceId: `INV-FUZZ-${client.id.slice(0, 8)}`,
        issuedOn: '2026-11-02',
        currency: 'usd',
        status: 'OPEN',
        balanceCents: 5000,
        lines: [{ serviceDate: '2026-11-02', description: 'Session', units: 1, amountCents: 15000 }],
      },
    },
  });
  const page = await fetch(`${service.api.url}/portal/${org.slug}/account/pay`, { headers: { cookie: portal.cookie } });
  expect(page.status).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const { cookie } = portal;
  const requestsBefore = await db.paymentRequest.count();
  const statuses = new Set<number>();
  await fc.assert(
    fc.asyncProperty(
      hostileString,
      fc.dictionary(
        fc.oneof(hostileString, fc.constantFrom('amount', 'card', 'saveCard', 'submissionKey')),
        hostileString,
        {
          maxKeys: 6,
        },
      ),
      async (text, form) => {
        const encoded = encode(text);
        const post = (path: string) =>
          fetch(`${service.api.url}/portal/${org.slug}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
            body: new URLSearchParams({ ...form, _csrf: csrf }).toString(),
            redirect: 'manual',
          });
        const get = (path: string) =>
          fetch(`${service.api.url}/portal/${org.slug}${path}`, { headers: { cookie }, redirect: 'manual' });
        const responses = await Promise.all([
          get(`/account?sort=${encoded}&order=${encoded}&from=${encoded}&to=${encoded}&kind=${encoded}`),
          get(`/account/payments/${encoded}`),
          get(`/account/payments/${encoded}/receipt.pdf`),
          get(`/account/payments/${encoded}/cancel`),
          get(`/account/invoices/${encoded}/invoice.pdf`),
          get(`/account/invoices/${encoded}/${encoded}`),
          post('/account/pay/review'),
          post('/account/pay'),
          post('/account/cards/add'),
          post(`/account/cards/${encoded}/remove`),
          post(`/account/cards/${encoded}/default`),
          post('/account/onboarding-step'),
        ]);
        for (const response of responses) {
          await response.arrayBuffer();
          statuses.add(response.status);
          expect(response.status).toBeLessThan(500);
        }
      },
    ),
    { numRuns: RUNS },
  );
  // The forms reached their own checks (a review page, or field errors), not a CSRF refusal.
  expect(statuses.has(400)).toBe(true);
  expect(await db.paymentRequest.count()).toBe(requestsBefore);
});
