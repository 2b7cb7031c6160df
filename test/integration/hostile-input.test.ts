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
import { startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let onboardingId: string;

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
  const accepted = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, chartCreatedWebhook({ invite: false }));
  onboardingId = ((await accepted.json()) as { onboardingId: string }).onboardingId;
});

afterAll(async () => {
  await service?.stop();
});

async function rowCounts() {
  const { db } = service.database;
  const [onboardings, clients, invitations, accounts, emails, sessions] = await Promise.all([
    db.onboarding.count(),
    db.client.count(),
    db.invitation.count(),
    db.portalAccount.count(),
    db.emailMessage.count(),
    db.portalSession.count(),
  ]);
  return { onboardings, clients, invitations, accounts, emails, sessions };
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
  const before = await rowCounts();
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
  const before = await rowCounts();
  await fc.assert(
    fc.asyncProperty(hostileValue, hostileString, async (body, id) => {
      const encodedId = encode(id);
      const responses = await Promise.all([
        service.post(`/v1/onboardings/${onboardingId}/portal-owner`, JSON.stringify(body) ?? 'null', auth),
        service.post(`/v1/onboardings/${encodedId}/cancel`, {}, auth),
        service.get(`/v1/onboardings/${encodedId}`, auth),
        service.get(`/v1/clients/${encodedId}/audit?limit=${encodedId}&action=${encodedId}`, auth),
        service.post(`/v1/webhooks/ehr/${encodedId}`, JSON.stringify(body) ?? 'null'),
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
  const before = await rowCounts();
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
          fetch(`${service.api.url}/portal/${org.slug}`, { headers: { cookie: `portal_session=${encoded}` } }),
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
