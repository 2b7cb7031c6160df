/**
 * Resend's delivery events through the real stack: our webhook verifies the
 * Svix signature with the official library (fixtures signed by it too),
 * takes each event id once, and records the event on the email it names.
 * The outbox plays Resend: an invitation to an address at bounce.test comes
 * back as a hard bounce through the same route.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signDeliveryEvent } from '../../emails/delivery-events';
import { listOutbox } from '../../emails/mailer';
import { newWebhookSecret } from '../../security/standard-webhooks';
import {
  chartCreatedWebhook,
  createTestOrganization,
  testSecretBox,
  type TestOrganization,
} from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';

const PATH = '/v1/webhooks/email/resend';

let service: TestService;
let stopWorker: () => Promise<void>;
let org: TestOrganization;

beforeAll(async () => {
  service = await startTestService({ emailEvents: true, simulateDeliveryEvents: true });
  stopWorker = (await service.startWorker()).stop;
  org = await createTestOrganization(service.database.db);
  // The EHR's callback endpoint: nothing listens there, but every callback is logged before it is tried.
  await service.database.db.ehrIntegration.update({
    where: { id: org.integrationId },
    data: { callbackUrl: 'http://127.0.0.1:9/callbacks', callbackSecret: testSecretBox.seal(newWebhookSecret()) },
  });
}, 60_000);

afterAll(async () => {
  await stopWorker?.();
  await service?.stop();
});

/** An email of ours as the send activity leaves it: sent, with the provider's id. */
async function sentEmail(): Promise<{ id: string; providerMessageId: string }> {
  const providerMessageId = randomUUID();
  const row = await service.database.db.emailMessage.create({
    data: {
      organizationId: org.organizationId,
      idempotencyKey: `delivery-test:${randomUUID()}`,
      template: 'portal-invitation',
      transport: 'resend',
      status: 'SENT',
      providerMessageId,
      sentAt: new Date(),
    },
    select: { id: true },
  });
  return { id: row.id, providerMessageId };
}

function resendEvent(type: string, emailId: string, extra: Record<string, unknown> = {}): string {
  const at = new Date().toISOString();
  return JSON.stringify({
    type,
    created_at: at,
    data: { created_at: at, email_id: emailId, from: 'portal@practice.test', to: ['someone@example.test'], ...extra },
  });
}

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${service.api.url}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: await response.json() };
}

const newId = () => `msg_${randomBytes(12).toString('hex')}`;

async function trail(emailMessageId: string) {
  const db = service.database.db;
  const [email, events] = await Promise.all([
    db.emailMessage.findUniqueOrThrow({
      where: { id: emailMessageId },
      select: { deliveryStatus: true, bounceType: true },
    }),
    db.emailDeliveryEvent.findMany({
      where: { emailMessageId },
      select: { kind: true, bounceType: true, reason: true },
      orderBy: { occurredAt: 'asc' },
    }),
  ]);
  return { ...email, events };
}

describe('the signature', () => {
  it('takes a correctly signed event and records it on its email', async () => {
    const email = await sentEmail();
    const body = resendEvent('email.delivered', email.providerMessageId);
    const answer = await post(body, await signDeliveryEvent(service.emailEventsSecret, body, { id: newId() }));
    expect(answer).toEqual({ status: 200, json: { received: true, matched: true, duplicate: false } });
    expect(await trail(email.id)).toEqual({
      deliveryStatus: 'delivered',
      bounceType: null,
      events: [{ kind: 'delivered', bounceType: null, reason: null }],
    });
  });

  it.each([
    [
      'a wrong secret',
      async (body: string) => signDeliveryEvent(`whsec_${randomBytes(32).toString('base64')}`, body, { id: newId() }),
      (body: string) => body,
    ],
    [
      'a tampered body',
      async (body: string) => signDeliveryEvent(service.emailEventsSecret, body, { id: newId() }),
      (body: string) => body.replace('email.bounced', 'email.delivered'),
    ],
    [
      'a stale timestamp',
      async (body: string) =>
        signDeliveryEvent(service.emailEventsSecret, body, { id: newId(), timestamp: new Date(Date.now() - 3600_000) }),
      (body: string) => body,
    ],
    ['no signature at all', async () => ({}), (body: string) => body],
  ])('refuses %s with 401 and writes nothing', async (_what, sign, tamper) => {
    const email = await sentEmail();
    const body = resendEvent('email.bounced', email.providerMessageId, {
      bounce: { type: 'Permanent', message: 'gone' },
    });
    const headers = await sign(body);
    const answer = await post(tamper(body), headers);
    expect(answer.status).toBe(401);
    expect((answer.json as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect(await trail(email.id)).toEqual({ deliveryStatus: null, bounceType: null, events: [] });
  });

  it('takes a replayed event (same svix-id) once', async () => {
    const email = await sentEmail();
    const body = resendEvent('email.bounced', email.providerMessageId, {
      bounce: { type: 'Transient', subType: 'MailboxFull', message: 'Mailbox of someone@example.test is full' },
    });
    const headers = await signDeliveryEvent(service.emailEventsSecret, body, { id: newId() });
    const first = await post(body, headers);
    const again = await post(body, headers);
    expect(first.json).toEqual({ received: true, matched: true, duplicate: false });
    expect(again).toEqual({ status: 200, json: { received: true, matched: true, duplicate: true } });
    // A soft bounce, and the provider's reason without the address in it.
    expect(await trail(email.id)).toEqual({
      deliveryStatus: 'bounced',
      bounceType: 'soft',
      events: [{ kind: 'bounced', bounceType: 'soft', reason: 'MailboxFull: Mailbox of [address] is full' }],
    });
  });

  it('takes an event about an email that is not ours and writes nothing', async () => {
    const before = await service.database.db.emailDeliveryEvent.count();
    const body = resendEvent('email.complained', randomUUID());
    const answer = await post(body, await signDeliveryEvent(service.emailEventsSecret, body, { id: newId() }));
    expect(answer).toEqual({ status: 200, json: { received: true, matched: false, duplicate: false } });
    expect(await service.database.db.emailDeliveryEvent.count()).toBe(before);
  });

  it('answers 400 to a signed body that is not an email event, and writes nothing', async () => {
    const before = await service.database.db.emailDeliveryEvent.count();
    for (const body of ['{"type":"email.bounced"}', 'not json', '[]']) {
      const answer = await post(body, await signDeliveryEvent(service.emailEventsSecret, body, { id: newId() }));
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    }
    expect(await service.database.db.emailDeliveryEvent.count()).toBe(before);
  });

  it('keeps the newest status when events arrive out of order', async () => {
    const email = await sentEmail();
    const later = JSON.stringify({
      type: 'email.delivered',
      created_at: new Date(Date.now()).toISOString(),
      data: { email_id: email.providerMessageId },
    });
    const earlier = JSON.stringify({
      type: 'email.delivery_delayed',
      created_at: new Date(Date.now() - 60_000).toISOString(),
      data: { email_id: email.providerMessageId },
    });
    for (const body of [later, earlier]) {
      await post(body, await signDeliveryEvent(service.emailEventsSecret, body, { id: newId() }));
    }
    expect(await trail(email.id)).toEqual({
      deliveryStatus: 'delivered',
      bounceType: null,
      events: [
        { kind: 'delivery_delayed', bounceType: null, reason: null },
        { kind: 'delivered', bounceType: null, reason: null },
      ],
    });
  });
});

describe('the outbox simulation', () => {
  it.each([
    ['bounce.test', { deliveryStatus: 'bounced', bounceType: 'hard' }],
    ['complaint.test', { deliveryStatus: 'complained', bounceType: null }],
    ['delayed.test', { deliveryStatus: 'delivery_delayed', bounceType: null }],
    ['example.test', { deliveryStatus: 'delivered', bounceType: null }],
  ])('an invitation to an address at %s comes back as Resend would report it', async (domain, expected) => {
    const email = `client-${randomBytes(4).toString('hex')}@${domain}`;
    const created = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, chartCreatedWebhook({ email }));
    expect(created.status).toBe(202);
    const { onboardingId } = (await created.json()) as { onboardingId: string };
    const status = await eventually(
      async () => {
        const row = await service.database.db.emailMessage.findFirst({
          where: { onboardingId, template: 'portal-invitation', deliveryStatus: expected.deliveryStatus },
          select: { deliveryStatus: true, bounceType: true },
        });
        return row ?? undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(status).toEqual(expected);
  });
});

describe('a hard bounce on an invitation', () => {
  async function outboxTo(address: string) {
    return (await listOutbox(service.outboxDir)).filter((message) => message.to === address);
  }

  it('goes on the onboarding’s timeline, stops mail to that address, and a corrected address gets the link once', async () => {
    const { db } = service.database;
    const address = `client-${randomBytes(4).toString('hex')}@bounce.test`;
    const created = await service.post(
      `/v1/webhooks/ehr/${org.integrationId}`,
      chartCreatedWebhook({ email: address }),
    );
    const { onboardingId } = (await created.json()) as { onboardingId: string };
    const bounced = await eventually(
      async () =>
        (await db.onboardingEvent.findFirst({
          where: { onboardingId, type: 'invitation.bounced' },
          select: { detail: true },
        })) ?? undefined,
      { timeoutMs: 30_000, what: 'the bounce on the timeline' },
    );
    expect(bounced.detail).toEqual({ template: 'portal-invitation', bounceType: 'hard' });
    // The onboarding waits, visibly, for a corrected address.
    const status = async () =>
      (await db.onboarding.findUniqueOrThrow({ where: { id: onboardingId }, select: { status: true } })).status;
    await eventually(async () => ((await status()) === 'INVITATION_BOUNCED' ? true : undefined), {
      what: 'the onboarding marked bounced',
    });
    // The EHR hears of it: ids and the status only.
    const callback = await eventually(
      async () =>
        (await db.outboundWebhook.findFirst({
          where: { onboardingId, eventType: 'invitation.bounced' },
          select: { payload: true },
        })) ?? undefined,
      { what: 'the invitation.bounced callback' },
    );
    expect(callback.payload).toMatchObject({
      type: 'invitation.bounced',
      data: { onboardingId, status: 'INVITATION_BOUNCED', invitationSequence: 1 },
    });
    expect(JSON.stringify(callback.payload)).not.toContain(address);
    // The admins hear of it, without the client's name or address.
    const notice = await eventually(async () => {
      const sent = (await listOutbox(service.outboxDir)).filter(
        (message) =>
          message.tags.template === 'invitation-bounced-staff' && message.html.includes(onboardingId.slice(0, 8)),
      );
      return sent.length > 0 ? sent : undefined;
    });
    const admin = await db.staffUser.findUniqueOrThrow({ where: { id: org.adminId }, select: { email: true } });
    expect(notice.map((message) => message.to)).toContain(admin.email);
    for (const message of notice) {
      expect(message.text).not.toContain(address);
      expect(message.text).not.toContain('Florence');
    }
    expect(await db.emailSuppression.count({ where: { organizationId: org.organizationId } })).toBeGreaterThan(0);
    // The table names nobody: only a keyed hash of the address.
    const rows = await db.emailSuppression.findMany({ where: { organizationId: org.organizationId } });
    expect(JSON.stringify(rows)).not.toContain(address);

    // Resending to the same address sends nothing: the email is kept, marked suppressed.
    const staff = { authorization: `Bearer ${org.keys.admin}` };
    const resend = await service.post(`/v1/onboardings/${onboardingId}/invitation/resend`, {}, staff);
    expect(resend.status).toBe(200);
    const suppressed = await eventually(
      async () =>
        (await db.emailMessage.findFirst({
          where: { onboardingId, template: 'invitation-resent', deliveryStatus: 'suppressed' },
          select: { status: true },
        })) ?? undefined,
      { what: 'the resend marked suppressed' },
    );
    expect(suppressed.status).toBe('PENDING');
    expect(await outboxTo(address)).toHaveLength(1);

    // Staff correct the address (the owner update re-validates that no other client's portal has it).
    const corrected = `client-${randomBytes(4).toString('hex')}@example.test`;
    const change = await service.post(
      `/v1/onboardings/${onboardingId}/portal-owner`,
      { name: 'Corrected Address', email: corrected },
      staff,
    );
    expect(change.status).toBe(200);
    const delivered = await eventually(async () => {
      const sent = await outboxTo(corrected);
      return sent.length > 0 ? sent : undefined;
    });
    expect(delivered).toHaveLength(1);
    expect(await outboxTo(address)).toHaveLength(1);
    expect(await status()).toBe('INVITED');
  });

  it('a complaint suppresses the address too; a soft bounce does not', async () => {
    const { db } = service.database;
    const suppressedBefore = await db.emailSuppression.count();
    for (const domain of ['complaint.test', 'softbounce.test']) {
      const address = `client-${randomBytes(4).toString('hex')}@${domain}`;
      const created = await service.post(
        `/v1/webhooks/ehr/${org.integrationId}`,
        chartCreatedWebhook({ email: address }),
      );
      const { onboardingId } = (await created.json()) as { onboardingId: string };
      const type = domain === 'complaint.test' ? 'invitation.complained' : 'invitation.bounced';
      await eventually(
        async () => (await db.onboardingEvent.findFirst({ where: { onboardingId, type } })) ?? undefined,
        { timeoutMs: 30_000, what: type },
      );
    }
    expect(await db.emailSuppression.count()).toBe(suppressedBefore + 1);
  });
});
