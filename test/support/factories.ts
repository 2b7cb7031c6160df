import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import type { TChartCreatedWebhook } from '../../schemas/chart-created-webhook';
import { onboardingWorkflowId } from '../../use-cases/onboarding/start-onboarding';
import { createSecretBox } from '../../security/secret-box';
import { newWebhookSecret, signWebhook } from '../../security/standard-webhooks';
import type { ClientOnboardingInput } from '../../workflows/client-onboarding';
import { hashToken, randomToken } from '../../security/tokens';
import { DEMO, seedStandardForms } from '../../prisma/seed';
import { testPayloadKeys } from './temporal';

/** Signing secrets of the test integrations, so the test service signs webhooks to them like their EHR would. */
export const WEBHOOK_SECRETS = new Map<string, string>();

/**
 * Seals the integration secrets the factories store, as production does, with
 * a fresh key per test file (not the service's payload keys, as with
 * SECRETS_ENCRYPTION_KEYS set). The test service's API, activities and
 * processes open them with it (test/support/service.ts, activity-deps.ts);
 * WEBHOOK_SECRETS keeps the plaintext for signing.
 */
export const testSecretKeys = testPayloadKeys();
export const testSecretBox = createSecretBox(testSecretKeys);

/** Standard Webhooks headers for a body, signed with `secret`. */
export function signedWebhookHeaders(
  secret: string,
  body: string,
  options: { id?: string; timestamp?: number } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}

export interface TestOrganization {
  organizationId: string;
  slug: string;
  integrationId: string;
  formPackageKey: string;
  /** The standard forms plus PHQ-9 and GAD-7. */
  assessmentsPackageKey: string;
  webhookSecret: string;
  /** Bearer API keys of staff with each kind of permission (seed 003), and of an ops engineer (issue 6). */
  keys: { admin: string; permittedTherapist: string; therapist: string; ops: string };
  adminId: string;
  /** The therapist without invite permission (keys.therapist). */
  therapistId: string;
  /** The therapist with it (keys.permittedTherapist). */
  permittedTherapistId: string;
}

/** A unique organisation slug, for a test that must name its organisation before creating it. */
export function testOrganizationSlug(): string {
  return `practice-${randomBytes(4).toString('hex')}`;
}

/**
 * An organisation of its own for each test, with an EHR integration and a
 * one-form package. `slug`: one chosen beforehand (testOrganizationSlug), e.g.
 * to list it in the service's configuration.
 */
export async function createTestOrganization(db: Db, options: { slug?: string } = {}): Promise<TestOrganization> {
  const suffix = randomBytes(4).toString('hex');
  const organization = await db.organization.create({
    data: { slug: options.slug ?? `practice-${suffix}`, name: `Practice ${suffix}` },
  });
  const webhookSecret = newWebhookSecret();
  const integration = await db.ehrIntegration.create({
    data: { organizationId: organization.id, name: 'Test EHR', signingSecret: testSecretBox.seal(webhookSecret) },
  });
  WEBHOOK_SECRETS.set(integration.id, webhookSecret);
  await db.$transaction((tx) => seedStandardForms(tx, organization.id));
  const staffKey = async (role: 'ADMIN' | 'THERAPIST' | 'OPS', canInvite: boolean) => {
    const staff = await db.staffUser.create({
      data: {
        organizationId: organization.id,
        email: `${role.toLowerCase()}-${randomBytes(3).toString('hex')}@practice.test`,
        displayName: `${role} ${suffix}`,
        role,
        canInvite,
      },
    });
    const key = randomToken();
    await db.staffApiKey.create({
      data: { organizationId: organization.id, staffUserId: staff.id, name: 'test', keyHash: hashToken(key) },
    });
    return { key, id: staff.id };
  };
  const admin = await staffKey('ADMIN', false);
  const permittedTherapist = await staffKey('THERAPIST', true);
  const therapist = await staffKey('THERAPIST', false);
  const ops = await staffKey('OPS', false);
  return {
    organizationId: organization.id,
    slug: organization.slug,
    integrationId: integration.id,
    webhookSecret,
    formPackageKey: DEMO.defaultPackageKey,
    assessmentsPackageKey: DEMO.assessmentsPackageKey,
    keys: { admin: admin.key, permittedTherapist: permittedTherapist.key, therapist: therapist.key, ops: ops.key },
    adminId: admin.id,
    therapistId: therapist.id,
    permittedTherapistId: permittedTherapist.id,
  };
}

/** Settings a test organisation can be given (seed 001 timings, reminders, automatic re-invites). */
export async function setInvitationPolicy(
  db: Db,
  organizationId: string,
  policy: { invitationTtlHours?: number | null; invitationReminderDays?: number[]; autoReinviteMax?: number },
): Promise<void> {
  await db.organization.update({ where: { id: organizationId }, data: policy });
}

export interface ChartOverrides {
  externalChartId?: string;
  firstName?: string;
  lastName?: string;
  dateOfBirth?: string;
  email?: string;
  invite?: boolean;
  formPackageKey?: string | null;
}

/** A chart-created webhook with unique, recognisable PHI (so tests can search for leaks of it). */
export function chartCreatedWebhook(overrides: ChartOverrides = {}): TChartCreatedWebhook {
  const unique = randomUUID().slice(0, 8);
  return {
    type: 'chart.created',
    data: {
      externalChartId: overrides.externalChartId ?? `CHART-${unique}`,
      client: {
        firstName: overrides.firstName ?? `Florence${unique}`,
        lastName: overrides.lastName ?? `Nightingale${unique}`,
        dateOfBirth: overrides.dateOfBirth ?? '1987-05-12',
        email: overrides.email ?? `client-${unique}@example.test`,
      },
      portal: { invite: overrides.invite ?? true },
      formPackageKey: overrides.formPackageKey ?? null,
    },
  };
}

/**
 * An onboarding row as the webhook would have written it, and the workflow
 * input that goes with it: for tests that start the workflow themselves.
 */
export async function newOnboarding(
  db: Db,
  organizationId: string,
  options: { invite?: boolean; formPackageKey?: string; assignedStaffId?: string; integrationId?: string } = {},
): Promise<{ input: ClientOnboardingInput; workflowId: string }> {
  const { data } = chartCreatedWebhook({ invite: options.invite ?? false });
  const id = randomUUID();
  const workflowId = onboardingWorkflowId(id);
  const formPackageId = options.formPackageKey
    ? (
        await db.formPackage.findUniqueOrThrow({
          where: { organizationId_key: { organizationId, key: options.formPackageKey } },
          select: { id: true },
        })
      ).id
    : null;
  await db.onboarding.create({
    data: {
      id,
      organizationId,
      externalChartId: data.externalChartId,
      workflowId,
      inviteRequested: data.portal.invite,
      formPackageId,
      assignedStaffId: options.assignedStaffId ?? null,
      integrationId: options.integrationId ?? null,
    },
  });
  return {
    workflowId,
    input: {
      onboardingId: id,
      organizationId,
      chart: { externalChartId: data.externalChartId, client: data.client },
      inviteRequested: data.portal.invite,
      formPackageId,
    },
  };
}
