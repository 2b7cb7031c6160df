/**
 * A staff client page over HTTP (issue 13): the confirmation steps promise
 * the invitation lifetime the practice really has; the timeline says in words
 * what happened and who did it, payments included; the invitation line tells
 * its true state; and "Updated" moves with the latest activity.
 */
import { randomUUID } from 'node:crypto';
import { createPaymentActivities } from '../../activities/payments';
import type { Db } from '../../db/client';
import { createOutboxMailer } from '../../emails/mailer';
import type { PaymentProvider } from '../../payments/payment-provider';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { createPayingClient, submissionKey } from '../support/payments';
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

async function signedIn(): Promise<StaffPages> {
  const pages = new StaffPages(service.api.url);
  expect((await pages.signIn(org.slug, adminEmail)).status).toBe(303);
  return pages;
}

/** An invited onboarding as the projection holds it: enough for its pages. */
async function invitedOnboarding(db: Db, organizationId: string): Promise<string> {
  const id = randomUUID();
  const chart = `PAGE-${id.slice(0, 8)}`;
  const client = await db.client.create({
    data: {
      organizationId,
      externalChartId: chart,
      firstName: 'Ada',
      lastName: 'Page',
      email: `ada-${id.slice(0, 8)}@client.test`,
      dateOfBirth: new Date('1990-01-01'),
    },
  });
  await db.onboarding.create({
    data: {
      id,
      organizationId,
      externalChartId: chart,
      workflowId: `onboarding-${id}`,
      clientId: client.id,
      inviteRequested: true,
      status: 'INVITED',
    },
  });
  return id;
}

describe('the resend confirmation', () => {
  it.each([
    [{ invitationTtlHours: null, invitationTtlMinutes: null }, 'valid for 7 days'],
    [{ invitationTtlHours: 48, invitationTtlMinutes: null }, 'valid for 48 hours'],
    [{ invitationTtlHours: 48, invitationTtlMinutes: 30 }, 'valid for 30 minutes'],
  ])('states the practice’s invitation lifetime (%j)', async (ttl, words) => {
    const { db } = service.database;
    await db.organization.update({ where: { id: org.organizationId }, data: ttl });
    const onboardingId = await invitedOnboarding(db, org.organizationId);
    const admin = await signedIn();
    const confirm = await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}/resend`);
    expect(confirm.response.status).toBe(200);
    expect(confirm.html).toContain(words);
    expect(confirm.html).not.toContain('{lifetime}');
  });
});

describe('destructive actions', () => {
  it('look dangerous on the client page and on their confirmation step', async () => {
    const onboardingId = await invitedOnboarding(service.database.db, org.organizationId);
    const admin = await signedIn();
    const page = (await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}`)).html;
    const classOf = (action: string) =>
      new RegExp(`class="([^"]*)"\\s+href="/staff/${org.slug}/onboardings/${onboardingId}/${action}"`).exec(page)?.[1];
    expect(classOf('revoke')).toContain('danger');
    expect(classOf('cancel')).toContain('danger');
    expect(classOf('resend')).not.toContain('danger');
    for (const [action, danger] of [
      ['revoke', true],
      ['cancel', true],
      ['resend', false],
    ] as const) {
      const confirm = (await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}/${action}`)).html;
      expect(/<button type="submit" name="confirm" value="yes" class="danger">/.test(confirm)).toBe(danger);
    }
  });
});

describe('the confirmation steps', () => {
  it('name the client, and the email the invitation or forms go to', async () => {
    const onboardingId = await invitedOnboarding(service.database.db, org.organizationId);
    const email = `ada-${onboardingId.slice(0, 8)}@client.test`;
    const admin = await signedIn();
    for (const action of ['resend', 'owner', 'forms', 'revoke', 'cancel']) {
      const confirm = (await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}/${action}`)).html;
      expect(confirm).toContain('Ada Page');
      if (action === 'resend' || action === 'owner') expect(confirm).toContain(email);
    }
  });
});

/** The page's text without tags, spaces collapsed, to read it as staff do. */
const textOf = (page: string) =>
  page
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ');

describe('the timeline and the invitation line', () => {
  it('say in words what happened and who did it, never the raw codes', async () => {
    const { db } = service.database;
    const onboardingId = await invitedOnboarding(db, org.organizationId);
    const admin = await db.staffUser.findUniqueOrThrow({ where: { id: org.adminId } });
    const at = (minutes: number) => new Date(Date.UTC(2026, 11, 3, 15, minutes));
    const events: [string, Record<string, string | number | null>][] = [
      ['chart.created', {}],
      ['invitation.sent', { sequence: 1, reason: 'initial', requestedBy: null }],
      ['forms.assigned', { forms: 3, requestedBy: null }],
      ['forms.email_sent', {}],
      ['invitation.sent', { sequence: 2, reason: 'resend', requestedBy: org.adminId }],
      ['portal.registered', { sequence: 2 }],
      ['payment.received', { amountCents: 9500 }],
      ['something.brand_new', {}],
    ];
    await db.onboardingEvent.createMany({
      data: events.map(([type, detail], index) => ({
        onboardingId,
        key: `${type}:${index}`,
        type,
        detail,
        occurredAt: at(index),
      })),
    });
    const client = await db.onboarding.findUniqueOrThrow({ where: { id: onboardingId }, include: { client: true } });
    const account = await db.portalAccount.create({
      data: { organizationId: org.organizationId, clientId: client.clientId!, email: client.client!.email! },
    });
    await db.invitation.create({
      data: {
        organizationId: org.organizationId,
        onboardingId,
        portalAccountId: account.id,
        sequence: 2,
        tokenHash: randomUUID(),
        status: 'USED',
        createdAt: at(4),
        usedAt: new Date(Date.UTC(2026, 11, 4, 15)),
        expiresAt: new Date(Date.UTC(2026, 11, 10, 15)),
      },
    });

    const page = textOf((await (await signedIn()).get(`/staff/${org.slug}/onboardings/${onboardingId}`)).html);
    for (const line of [
      'Chart received — EHR',
      'Invitation sent — System',
      '3 forms sent to complete — System',
      'Intake forms emailed — System',
      `Invitation resent — ${admin.displayName} (admin)`,
      'Registered for the portal — Client',
      'Payment of $95.00 received — Client',
      'Something brand new — System',
    ]) {
      expect(page).toContain(line);
    }
    for (const [code] of events) expect(page).not.toContain(code);
    expect(page).toContain('Invitation 2 — sent Dec 3, used on Dec 4');
    expect(page).not.toMatch(/#2|used\/revoked|expires Dec 10/);
  });

  it('tells an invitation’s true state: past its time it is expired, revoked says by whom', async () => {
    const { db } = service.database;
    const admin = await db.staffUser.findUniqueOrThrow({ where: { id: org.adminId } });
    const staff = await signedIn();
    const withInvitation = async (status: 'PENDING' | 'REVOKED', expiresAt: Date) => {
      const onboardingId = await invitedOnboarding(db, org.organizationId);
      const { client } = await db.onboarding.findUniqueOrThrow({
        where: { id: onboardingId },
        include: { client: true },
      });
      const account = await db.portalAccount.create({
        data: { organizationId: org.organizationId, clientId: client!.id, email: client!.email! },
      });
      await db.invitation.create({
        data: {
          organizationId: org.organizationId,
          onboardingId,
          portalAccountId: account.id,
          sequence: 1,
          tokenHash: randomUUID(),
          status,
          createdAt: new Date(Date.UTC(2026, 10, 1, 15)),
          expiresAt,
        },
      });
      return onboardingId;
    };
    const lapsed = await withInvitation('PENDING', new Date(Date.UTC(2026, 10, 8, 12)));
    expect(textOf((await staff.get(`/staff/${org.slug}/onboardings/${lapsed}`)).html)).toContain(
      'Invitation 1 — sent Nov 1, expired on Nov 8',
    );

    const revoked = await withInvitation('REVOKED', new Date(Date.UTC(2026, 10, 8, 12)));
    await db.onboardingEvent.create({
      data: {
        onboardingId: revoked,
        key: 'access-revoked:1',
        type: 'portal.access_revoked',
        detail: { staffUserId: org.adminId },
        occurredAt: new Date(Date.UTC(2026, 10, 2, 12)),
      },
    });
    const page = textOf((await staff.get(`/staff/${org.slug}/onboardings/${revoked}`)).html);
    expect(page).toContain(`Invitation 1 — sent Nov 1, revoked by ${admin.displayName} (admin) on Nov 2`);
    expect(page).toContain(`Portal access revoked — ${admin.displayName} (admin)`);
  });

  it('shows payments that went through and that failed, and moves "Updated" with them', async () => {
    const { db } = service.database;
    const client = await createPayingClient(db, org);
    const before = new Date(Date.now() - 60 * 60 * 1000);
    await db.onboarding.update({ where: { id: client.onboardingId }, data: { updatedAt: before } });
    const customerId = `cus_${randomUUID().slice(0, 8)}`;
    await db.client.update({ where: { id: client.holder.clientId }, data: { paymentCustomerId: customerId } });
    // The provider confirms what recordPayment checks: this request's id (pi_<request id>), amount, currency, customer.
    const provider = {
      getPayment: (paymentIntentId: string) =>
        Promise.resolve({
          paymentIntentId,
          status: 'succeeded' as const,
          amountReceivedCents: 6400,
          currency: 'usd',
          customerId,
          metadata: { paymentRequestId: paymentIntentId.slice('pi_'.length) },
          card: { paymentMethodId: 'pm_1', brand: 'visa', last4: '4242', expMonth: 1, expYear: 2030 },
        }),
    } as unknown as PaymentProvider;
    const activities = createPaymentActivities({
      db,
      mailer: createOutboxMailer({ dir: '/tmp', from: 'Test <t@practice.test>' }),
      publicBaseUrl: 'http://portal.test',
      payments: provider,
    });
    const request = (amountCents: number) =>
      db.paymentRequest.create({
        data: {
          organizationId: org.organizationId,
          clientId: client.holder.clientId,
          portalAccountId: client.holder.portalAccountId,
          kind: 'BALANCE',
          status: 'PROCESSING',
          amountCents,
          submissionKey: submissionKey(),
          workflowId: `payment-${randomUUID()}`,
        },
      });
    const paid = await request(6400);
    await activities.recordPayment({ paymentRequestId: paid.id, paymentIntentId: `pi_${paid.id}`, amountCents: 6400 });
    const declined = await request(1200);
    await activities.closeUnpaidPayment({ paymentRequestId: declined.id, status: 'FAILED', reason: 'declined' });

    const { updatedAt } = await db.onboarding.findUniqueOrThrow({ where: { id: client.onboardingId } });
    expect(updatedAt.getTime()).toBeGreaterThan(before.getTime() + 30 * 60 * 1000);
    const staff = await signedIn();
    const page = textOf((await staff.get(`/staff/${org.slug}/onboardings/${client.onboardingId}`)).html);
    expect(page).toContain('Payment of $64.00 received — Client');
    expect(page).toContain('Payment of $12.00 did not go through — Client');
    // The list's "Updated" is the same moment, so sorting by it puts this client first.
    const list = (await staff.get(`/staff/${org.slug}?sort=updated&dir=desc`)).html;
    expect(list.indexOf(client.externalChartId)).toBeGreaterThan(-1);
    expect(list.indexOf(client.externalChartId)).toBeLessThan(list.indexOf('PAGE-'));
  });
});
