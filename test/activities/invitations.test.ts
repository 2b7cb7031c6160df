/**
 * The invitation activity through the real Resend SDK against a local
 * stand-in of Resend's API: one email per invitation, however often the
 * activity is retried, and always the same link.
 */
import { randomUUID } from 'node:crypto';
import { createActivities } from '../../activities';
import { createResendMailer } from '../../emails/mailer';
import { testActivityDeps } from '../support/activity-deps';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { startResendStandIn, type ResendStandIn } from '../support/resend-stand-in';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let resend: ResendStandIn;
let org: TestOrganization;

beforeAll(async () => {
  [database, resend] = await Promise.all([createTestDatabase(), startResendStandIn()]);
  org = await createTestOrganization(database.db);
});

afterAll(async () => {
  await resend?.stop();
  await database?.drop();
});

async function chartedOnboarding() {
  const deps = testActivityDeps(database.db, {
    mailer: createResendMailer({ apiKey: 're_test_key', from: 'Practice <portal@practice.test>', baseUrl: resend.url }),
  });
  const activities = createActivities(deps);
  const { data } = chartCreatedWebhook();
  const onboarding = await database.db.onboarding.create({
    data: {
      organizationId: org.organizationId,
      externalChartId: data.externalChartId,
      workflowId: `onboarding-${randomUUID()}`,
      inviteRequested: true,
    },
  });
  await activities.createChart({
    onboardingId: onboarding.id,
    organizationId: org.organizationId,
    chart: { externalChartId: data.externalChartId, client: data.client },
  });
  return { activities, onboardingId: onboarding.id, email: data.client.email! };
}

const week = 7 * 24 * 60 * 60 * 1000;

describe('issueInvitation with Resend', () => {
  it('sends one email with our idempotency key, however often it is retried', async () => {
    const { activities, onboardingId, email } = await chartedOnboarding();
    const input = { onboardingId, sequence: 1, ttlMs: week, reason: 'initial' as const, requestedBy: null };

    const first = await activities.issueInvitation(input);
    const again = await activities.issueInvitation(input);
    expect(again.invitationId).toBe(first.invitationId);

    const sent = resend.deliveries().filter((request) => (request.body as { to: string[] }).to.includes(email));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers['idempotency-key']).toBe(`invitation:${first.invitationId}`);
    expect(sent[0]!.headers.authorization).toBe('Bearer re_test_key');
    const body = sent[0]!.body as { subject: string; html: string; text: string; from: string };
    expect(body.from).toBe('Practice <portal@practice.test>');
    expect(body.text).toMatch(/\/portal\/register\/[A-Za-z0-9_-]{43}/);
    expect(await database.db.invitation.count({ where: { onboardingId } })).toBe(1);
    expect(
      await database.db.emailMessage.findMany({ where: { onboardingId }, select: { status: true, attempts: true } }),
    ).toEqual([{ status: 'SENT', attempts: 2 }]);
  });

  it('retries after Resend fails, and the retry carries the same link and key', async () => {
    const { activities, onboardingId, email } = await chartedOnboarding();
    const input = { onboardingId, sequence: 1, ttlMs: week, reason: 'initial' as const, requestedBy: null };

    resend.failNext(500);
    await expect(activities.issueInvitation(input)).rejects.toThrow();
    const { invitationId } = await activities.issueInvitation(input);

    const attempts = resend.requests.filter((request) => (request.body as { to?: string[] }).to?.includes(email));
    expect(attempts.map((request) => request.status)).toEqual([500, 200]);
    expect(new Set(attempts.map((request) => request.headers['idempotency-key']))).toEqual(
      new Set([`invitation:${invitationId}`]),
    );
    const links = attempts.map(
      (request) => /\/portal\/register\/([A-Za-z0-9_-]{43})/.exec((request.body as { text: string }).text)?.[1],
    );
    expect(links[0]).toBe(links[1]);
  });

  it('gives up at once on an address Resend rejects, without retrying forever', async () => {
    const { activities, onboardingId } = await chartedOnboarding();
    resend.failNext(422);
    await expect(
      activities.issueInvitation({ onboardingId, sequence: 1, ttlMs: week, reason: 'initial', requestedBy: null }),
    ).rejects.toMatchObject({ type: 'EmailRejected', nonRetryable: true });
  });

  it('once the client has registered: no new invitation, an earlier attempt finished under its key, no failure', async () => {
    const { activities, onboardingId, email } = await chartedOnboarding();
    const input = { onboardingId, sequence: 1, ttlMs: week, reason: 'initial' as const, requestedBy: null };
    // The first attempt hands the email over and loses the answer: the record stays PENDING.
    resend.faultNext({ kind: 'drop-after-accept' });
    await expect(activities.issueInvitation(input)).rejects.toThrow();
    expect(await database.db.emailMessage.findMany({ where: { onboardingId }, select: { status: true } })).toEqual([
      { status: 'PENDING' },
    ]);
    // What registering through the link leaves behind: the account active, the link used.
    await database.db.portalAccount.updateMany({ where: { email }, data: { status: 'ACTIVE' } });
    await database.db.invitation.updateMany({ where: { onboardingId }, data: { status: 'USED' } });

    expect(await activities.issueInvitation(input)).toEqual({ alreadyRegistered: true });
    expect(await activities.issueInvitation({ ...input, sequence: 2, reason: 'resend' })).toEqual({
      alreadyRegistered: true,
    });
    expect(await database.db.invitation.findMany({ where: { onboardingId }, select: { status: true } })).toEqual([
      { status: 'USED' },
    ]);
    const sent = resend.deliveries().filter((request) => (request.body as { to: string[] }).to.includes(email));
    expect(sent).toHaveLength(1);
    expect(await database.db.emailMessage.findMany({ where: { onboardingId }, select: { status: true } })).toEqual([
      { status: 'SENT' },
    ]);
  });
});
