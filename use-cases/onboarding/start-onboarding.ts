import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { temporalConfig } from '../../temporal.config';
import { clientOnboarding, type ClientOnboardingInput } from '../../workflows/client-onboarding';
import { AppError } from '../app-error';
import type { TChartCreatedWebhook } from '../../schemas/chart-created-webhook';
import type { VerifiedIntegration } from '../integrations/ehr-webhook-auth';

export interface StartOnboardingDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export interface StartOnboardingResult {
  onboardingId: string;
  status: OnboardingStatus;
  duplicate: boolean;
}

export function onboardingWorkflowId(onboardingId: string): string {
  return `${temporalConfig.workflowIdPrefix.onboarding}${onboardingId}`;
}

/**
 * Starts a client's onboarding for an EHR "chart created" event, exactly once.
 *
 * The onboarding row is keyed by (organisation, EHR chart id): a redelivered
 * or duplicated webhook, even one racing the first, finds the same row and so
 * the same workflow id, and Temporal refuses to start that id twice. The row
 * and the workflow id carry only our random UUID, never PHI. The webhook's
 * PHI reaches the database only through the workflow's createChart activity,
 * inside the encrypted workflow input.
 *
 * If Temporal is down after the row is written, the caller gets 503 and the
 * EHR's retry starts the workflow for the row that is already there.
 */
export async function startOnboarding(
  deps: StartOnboardingDeps,
  integration: VerifiedIntegration,
  event: TChartCreatedWebhook,
): Promise<StartOnboardingResult> {
  const { db, temporal, taskQueue } = deps;
  if (!integration.active) throw new AppError('INTEGRATION_DISABLED', 'integration is disabled');
  const { organizationId } = integration;
  const integrationId = integration.id;

  let formPackageId: string | null = null;
  if (event.data.formPackageKey) {
    const formPackage = await db.formPackage.findUnique({
      where: { organizationId_key: { organizationId, key: event.data.formPackageKey } },
      select: { id: true },
    });
    if (!formPackage) {
      throw new AppError('UNKNOWN_FORM_PACKAGE', 'form package not configured', {
        fields: [{ path: 'data.formPackageKey', message: 'is not a form package of this organisation' }],
      });
    }
    formPackageId = formPackage.id;
  }

  let assignedStaffId: string | null = null;
  if (event.data.clinicianEmail) {
    const clinician = await db.staffUser.findUnique({
      where: { organizationId_email: { organizationId, email: event.data.clinicianEmail } },
      select: { id: true, deactivatedAt: true },
    });
    // A deactivated clinician is no longer on staff: their new clients need someone who is.
    if (!clinician || clinician.deactivatedAt) {
      throw new AppError('UNKNOWN_CLINICIAN', 'clinician not on staff', {
        fields: [{ path: 'data.clinicianEmail', message: 'is not a staff member of this organisation' }],
      });
    }
    assignedStaffId = clinician.id;
  }

  const email = event.data.client.email;
  if (event.data.portal.invite && email) await assertEmailFree(db, organizationId, email, event.data.externalChartId);

  const { onboarding, created } = await findOrCreateOnboarding(db, {
    organizationId,
    integrationId,
    externalChartId: event.data.externalChartId,
    inviteRequested: event.data.portal.invite,
    formPackageId,
    assignedStaffId,
  });

  const input: ClientOnboardingInput = {
    onboardingId: onboarding.id,
    organizationId,
    chart: { externalChartId: event.data.externalChartId, client: event.data.client },
    inviteRequested: onboarding.inviteRequested,
    formPackageId: onboarding.formPackageId,
    ...(event.data.contacts?.length ? { contacts: event.data.contacts } : {}),
  };
  try {
    await temporal.workflow.start(clientOnboarding, {
      workflowId: onboarding.workflowId,
      taskQueue,
      args: [input],
      // A running flow for this id is the one we want; a finished one must not run again.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
      throw new AppError('UNAVAILABLE', 'could not start onboarding workflow', { cause: error });
    }
  }

  // A row made just now is PENDING (the answer says "accepted"; the flow moves it on); only a
  // redelivery for an existing chart needs to read where that onboarding stands.
  const status = created
    ? onboarding.status
    : (await db.onboarding.findUniqueOrThrow({ where: { id: onboarding.id }, select: { status: true } })).status;
  return { onboardingId: onboarding.id, status, duplicate: !created };
}

/**
 * Seed 003: one portal per email address within a practice. Refuse, before
 * anything is written, a chart whose email already belongs to another
 * client's portal or pending invitation. (The invitation activity checks again
 * under a unique constraint; this check gives the EHR a clear answer now.)
 */
async function assertEmailFree(db: Db, organizationId: string, email: string, externalChartId: string) {
  const holder = await db.client.findFirst({
    where: {
      organizationId,
      externalChartId: { not: externalChartId },
      OR: [
        { portalAccount: { email } },
        { email, onboarding: { inviteRequested: true, status: { notIn: ['CANCELLED', 'FAILED'] } } },
      ],
    },
    select: { id: true },
  });
  // One query: a portal account is its client's, in the client's practice, so the first branch
  // above already finds an account with this email held by another chart.
  if (holder) {
    throw new AppError('EMAIL_IN_USE', 'email belongs to another client portal', {
      fields: [{ path: 'data.client.email', message: 'already belongs to another client portal account' }],
    });
  }
}

interface NewOnboarding {
  organizationId: string;
  integrationId: string;
  externalChartId: string;
  inviteRequested: boolean;
  formPackageId: string | null;
  assignedStaffId: string | null;
}

async function findOrCreateOnboarding(db: Db, data: NewOnboarding) {
  const select = { id: true, workflowId: true, inviteRequested: true, formPackageId: true, status: true } as const;
  const id = randomUUID();
  try {
    const onboarding = await db.onboarding.create({
      data: { id, workflowId: onboardingWorkflowId(id), ...data },
      select,
    });
    return { onboarding, created: true };
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') throw error;
  }
  const onboarding = await db.onboarding.findUniqueOrThrow({
    where: {
      organizationId_externalChartId: { organizationId: data.organizationId, externalChartId: data.externalChartId },
    },
    select,
  });
  return { onboarding, created: false };
}
