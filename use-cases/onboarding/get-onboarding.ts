import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { AppError } from '../app-error';
import { onboardingsVisibleTo } from '../client-access-policy';
import type { StaffPrincipal } from '../staff-principal';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { onboardingPaymentStep } from '../billing/onboarding-payment-step';

/** The step as the response documents it (the onboarding's id is the response's own). */
async function paymentStepOf(
  db: Db,
  onboarding: { organizationId: string; id: string; clientId: string | null },
): Promise<TOnboardingResponse['paymentStep']> {
  const step = await onboardingPaymentStep(db, onboarding);
  if (!step) return null;
  const { onboardingId: _same, ...documented } = step;
  return documented;
}

export interface GetOnboardingDeps {
  db: Db;
  temporal: Client;
}

/**
 * Reads an onboarding from its database projection (fast, and available even
 * while no worker runs) and adds Temporal's view of the execution when the
 * server answers.
 */
export async function getOnboarding(
  deps: GetOnboardingDeps,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<TOnboardingResponse> {
  // Another practice's onboarding, or a colleague's client for a therapist, answers exactly like a missing one.
  const onboarding = await deps.db.onboarding.findFirst({
    where: { id: onboardingId, ...onboardingsVisibleTo(staff) },
    include: {
      events: { orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] },
      invitations: { orderBy: { sequence: 'desc' }, take: 1 },
      client: { select: { portalAccount: { select: { status: true, ownerKind: true } } } },
    },
  });
  if (!onboarding) throw new AppError('NOT_FOUND', 'unknown onboarding');
  const formCounts = await deps.db.formAssignment.groupBy({
    by: ['status'],
    where: { onboardingId, status: { not: 'CANCELLED' } },
    _count: true,
  });
  const formsTotal = formCounts.reduce((sum, group) => sum + group._count, 0);
  const formsSubmitted = formCounts.find((group) => group.status === 'SUBMITTED')?._count ?? 0;
  const [invitation] = onboarding.invitations;
  const portalAccount = onboarding.client?.portalAccount ?? null;

  let executionStatus: string | null = null;
  try {
    const description = await deps.temporal.workflow.getHandle(onboarding.workflowId).describe();
    executionStatus = description.status.name;
  } catch {
    // Temporal unreachable or the workflow not started yet: the projection still answers.
  }

  return {
    id: onboarding.id,
    organizationId: onboarding.organizationId,
    externalChartId: onboarding.externalChartId,
    clientId: onboarding.clientId,
    status: onboarding.status,
    inviteRequested: onboarding.inviteRequested,
    formPackageId: onboarding.formPackageId,
    assignedStaffId: onboarding.assignedStaffId,
    forms: { total: formsTotal, submitted: formsSubmitted, outstanding: formsTotal - formsSubmitted },
    createdAt: onboarding.createdAt.toISOString(),
    updatedAt: onboarding.updatedAt.toISOString(),
    chartCreatedAt: onboarding.chartCreatedAt?.toISOString() ?? null,
    timeline: onboarding.events.map((event) => ({
      type: event.type,
      occurredAt: event.occurredAt.toISOString(),
      detail: event.detail as Record<string, string | number | boolean | null>,
    })),
    invitation: invitation
      ? {
          sequence: invitation.sequence,
          status: invitation.status,
          expiresAt: invitation.expiresAt.toISOString(),
          failedAttempts: invitation.failedAttempts,
        }
      : null,
    portalAccount,
    paymentStep: await paymentStepOf(deps.db, onboarding),
    workflow: { workflowId: onboarding.workflowId, executionStatus },
  };
}
