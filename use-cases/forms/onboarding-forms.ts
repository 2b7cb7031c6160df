/**
 * Staff and an onboarding's forms: send new ones to an existing portal user
 * (seed 003), see each form's status at any moment, and read what was signed.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { openFormRequest } from '../../activities/form-requests';
import { refreshFormsStatus } from '../../activities/onboarding-progress';
import { formRequest, formRequestWorkflowId } from '../../workflows/form-request';
import { AppError } from '../app-error';
import { accessibleOnboarding } from '../client-access-policy';
import type { TOnboardingFormsResponse, TSendFormsRequest, TSendFormsResponse } from '../../schemas/forms';
import { assertMayReadAnswers, type StaffPrincipal } from '../staff-principal';
import { latestVersionsOf } from './form-catalog';
import { planFormSending } from './form-sending-plan';
import { loadSignedForm } from './signed-forms';

export interface OnboardingFormsDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/** Seed 003: only organisation admins, and therapists given the permission, send intake forms. */
function assertMaySendForms(staff: StaffPrincipal): void {
  if (staff.role !== 'ADMIN' && !staff.canInvite) {
    throw new AppError('FORBIDDEN', 'staff member may not send forms', {
      publicMessage: 'Only organisation administrators and therapists with permission can send intake forms.',
    });
  }
}

/** The onboarding if the caller may reach it (use-cases/client-access-policy.ts); a 404 like a missing one otherwise. */
function onboardingOf(db: Db, staff: StaffPrincipal, onboardingId: string) {
  return accessibleOnboarding(db, staff, onboardingId, {
    id: true,
    status: true,
    client: { select: { portalAccount: { select: { status: true } } } },
  });
}

export async function listOnboardingForms(
  db: Db,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<TOnboardingFormsResponse> {
  await onboardingOf(db, staff, onboardingId);
  const requests = await db.formRequest.findMany({
    where: { onboardingId },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      workflowId: true,
      status: true,
      requestedBy: true,
      createdAt: true,
      completedAt: true,
      package: { select: { key: true } },
      assignments: {
        orderBy: { position: 'asc' },
        select: {
          id: true,
          status: true,
          draftSavedAt: true,
          submittedAt: true,
          formDefinition: { select: { key: true, version: true, title: true } },
        },
      },
    },
  });
  const live = requests.flatMap((request) => request.assignments).filter((form) => form.status !== 'CANCELLED');
  const submitted = live.filter((form) => form.status === 'SUBMITTED').length;
  return {
    onboardingId,
    total: live.length,
    submitted,
    outstanding: live.length - submitted,
    requests: requests.map((request) => ({
      requestId: request.id,
      workflowId: request.workflowId,
      status: request.status,
      packageKey: request.package?.key ?? null,
      requestedBy: request.requestedBy,
      createdAt: request.createdAt.toISOString(),
      completedAt: request.completedAt?.toISOString() ?? null,
      forms: request.assignments.map((form) => ({
        assignmentId: form.id,
        formKey: form.formDefinition.key,
        version: form.formDefinition.version,
        title: form.formDefinition.title,
        status: form.status,
        draftSavedAt: form.draftSavedAt?.toISOString() ?? null,
        submittedAt: form.submittedAt?.toISOString() ?? null,
      })),
    })),
  };
}

/**
 * Sends a package, or single forms, to a client with a portal account, minus
 * what the client already has (form-sending-plan.ts): a form still waiting is
 * never assigned twice, a signed one only when named in `sendAgain`. The
 * request and its assignments are written first, so the client's list and the
 * staff view show them at once; then its workflow emails and reminds. With
 * nothing new, nothing is written and no email goes out.
 */
export async function sendForms(
  deps: OnboardingFormsDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  request: TSendFormsRequest,
): Promise<TSendFormsResponse> {
  assertMaySendForms(staff);
  const { db } = deps;
  const onboarding = await onboardingOf(db, staff, onboardingId);
  if (onboarding.status === 'CANCELLED' || onboarding.status === 'FAILED') {
    throw new AppError('CONFLICT', 'onboarding is closed', {
      publicMessage: `This onboarding is ${onboarding.status.toLowerCase()}; forms cannot be sent.`,
    });
  }
  const account = onboarding.client?.portalAccount;
  if (!account || account.status === 'REVOKED') {
    throw new AppError('CONFLICT', 'no usable portal account', {
      publicMessage: account
        ? 'Portal access is revoked. Send a new invitation before sending forms.'
        : 'The client has no portal account yet. Send a portal invitation first, or assign a package at chart creation.',
    });
  }

  let packageId: string | null = null;
  let formDefinitionIds: string[];
  if (request.packageKey) {
    const formPackage = await db.formPackage.findUnique({
      where: { organizationId_key: { organizationId: staff.organizationId, key: request.packageKey } },
      select: { id: true, items: { orderBy: { position: 'asc' }, select: { formDefinitionId: true } } },
    });
    if (!formPackage) {
      throw new AppError('UNKNOWN_FORM_PACKAGE', 'form package not configured', {
        fields: [{ path: 'packageKey', message: 'is not a form package of this organisation' }],
      });
    }
    packageId = formPackage.id;
    formDefinitionIds = formPackage.items.map((item) => item.formDefinitionId);
  } else {
    formDefinitionIds = await latestVersionsOf(db, staff.organizationId, request.formKeys ?? [], 'formKeys');
  }

  const requestId = randomUUID();
  const workflowId = formRequestWorkflowId(requestId);
  const plan = await db.$transaction(async (tx) => {
    // Two sends at once (a double click, two colleagues) take turns, so the second sees the first's forms.
    await tx.$queryRaw`SELECT id FROM onboarding WHERE id = ${onboardingId}::uuid FOR NO KEY UPDATE`;
    const planned = await planFormSending(tx, {
      onboardingId,
      formDefinitionIds,
      sendAgain: request.sendAgain ?? [],
    });
    if (planned.send.length > 0) {
      await openFormRequest(tx, {
        requestId,
        workflowId,
        onboardingId,
        packageId,
        formDefinitionIds: planned.send.map((form) => form.formDefinitionId),
        requestedBy: staff.staffUserId,
      });
    }
    return planned;
  });
  const outcome = {
    sent: plan.send.map(({ formKey, version, title }) => ({ formKey, version, title })),
    skipped: plan.skipped.map(({ formDefinitionId: _id, since, ...skipped }) => ({
      ...skipped,
      since: since.toISOString(),
    })),
    emailed: plan.send.length > 0,
    clientRegistered: account.status === 'ACTIVE',
  };
  if (plan.send.length === 0) return { request: null, ...outcome };

  const input = {
    requestId,
    onboardingId,
    organizationId: staff.organizationId,
    packageId,
    formDefinitionIds: plan.send.map((form) => form.formDefinitionId),
    requestedBy: staff.staffUserId,
  };
  try {
    await deps.temporal.workflow.start(formRequest, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    // Without its workflow nobody would email or remind: take the forms back and let staff retry.
    await db.$transaction(async (tx) => {
      await tx.formAssignment.updateMany({ where: { requestId }, data: { status: 'CANCELLED' } });
      await tx.formRequest.update({ where: { id: requestId }, data: { status: 'CANCELLED' } });
      await refreshFormsStatus(tx, onboardingId);
    });
    throw new AppError('UNAVAILABLE', 'could not start form request workflow', { cause: error });
  }
  const forms = await listOnboardingForms(db, staff, onboardingId);
  return { request: forms.requests.find((summary) => summary.requestId === requestId)!, ...outcome };
}

/** A signed form with answers, scores and the signature check, or 404 outside the caller's reach. */
export async function readSignedForm(db: Db, staff: StaffPrincipal, onboardingId: string, assignmentId: string) {
  assertMayReadAnswers(staff);
  await onboardingOf(db, staff, onboardingId);
  const form = await loadSignedForm(db, { organizationId: staff.organizationId, onboardingId, assignmentId });
  if (!form) throw new AppError('NOT_FOUND', 'no signed form with this id in this onboarding');
  return form;
}
