import { ApplicationFailure } from '@temporalio/common';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import type { Mailer } from '../emails/mailer';
import type { AppMetrics } from '../observability/metrics';
import { recordAudit } from '../audit/audit-log';
import { sendTemplatedEmail } from './emails';
import { staffToNotify } from './staff-recipients';
import { applyOnboardingProgress, refreshFormsStatus } from './onboarding-progress';

export interface FormRequestDependencies {
  db: Db;
  mailer: Mailer;
  /** Public URL of the API, without a trailing slash (config/env.ts). */
  publicBaseUrl: string;
  /** Counts the emails sent (sendTemplatedEmail). */
  metrics?: AppMetrics;
}

export interface OpenFormRequestInput {
  requestId: string;
  workflowId: string;
  onboardingId: string;
  /** The package whose forms to send; ignored when formDefinitionIds is given. */
  packageId: string | null;
  /** Exact form versions to send, in order (staff picking single forms). */
  formDefinitionIds?: string[];
  /** Staff user who sent the forms; null for the package assigned at chart creation. */
  requestedBy: string | null;
}

export interface FormRequestProgress {
  status: 'OPEN' | 'COMPLETED' | 'CANCELLED';
  assignmentIds: string[];
  /** Assignments not yet signed. */
  outstanding: string[];
  /** From sendFormsReminder: false when no reminder went out because the client has not registered yet. */
  reminded?: boolean;
}

/** The portal page where the client finds their forms. */
export function documentsUrl(publicBaseUrl: string, organizationSlug: string): string {
  return `${publicBaseUrl}/portal/${organizationSlug}/documents`;
}

/**
 * Creates the request and one assignment per form, pinned to the exact form
 * version, inside the caller's transaction. Idempotent by request id: the API
 * creates it (so staff see the forms at once) and the workflow's first
 * activity finds it already there.
 */
export async function openFormRequest(tx: Prisma.TransactionClient, input: OpenFormRequestInput) {
  const existing = await tx.formRequest.findUnique({
    where: { id: input.requestId },
    select: { assignments: { select: { id: true }, orderBy: { position: 'asc' } } },
  });
  if (existing) return { assignmentIds: existing.assignments.map((assignment) => assignment.id), created: false };

  const onboarding = await tx.onboarding.findUniqueOrThrow({
    where: { id: input.onboardingId },
    select: { organizationId: true, clientId: true },
  });
  let definitionIds = input.formDefinitionIds;
  if (!definitionIds) {
    if (!input.packageId) throw new Error('a form request needs a package or a list of forms');
    const items = await tx.formPackageItem.findMany({
      where: { packageId: input.packageId, package: { organizationId: onboarding.organizationId } },
      orderBy: { position: 'asc' },
      select: { formDefinitionId: true },
    });
    definitionIds = items.map((item) => item.formDefinitionId);
  }
  if (definitionIds.length === 0) {
    throw ApplicationFailure.nonRetryable('The form package has no forms.', 'EmptyFormPackage');
  }
  await tx.formRequest.create({
    data: {
      id: input.requestId,
      organizationId: onboarding.organizationId,
      onboardingId: input.onboardingId,
      // Kept even when staff's sending left some of the package's forms out, so staff see where they came from.
      packageId: input.packageId,
      workflowId: input.workflowId,
      requestedBy: input.requestedBy,
    },
  });
  const assignments = await tx.formAssignment.createManyAndReturn({
    data: definitionIds.map((formDefinitionId, position) => ({
      organizationId: onboarding.organizationId,
      requestId: input.requestId,
      onboardingId: input.onboardingId,
      formDefinitionId,
      position,
    })),
    select: { id: true, position: true },
  });
  await applyOnboardingProgress(tx, {
    onboardingId: input.onboardingId,
    event: {
      key: `forms-assigned:${input.requestId}`,
      type: 'forms.assigned',
      detail: { requestId: input.requestId, forms: definitionIds.length, requestedBy: input.requestedBy },
    },
  });
  await recordAudit(tx, {
    organizationId: onboarding.organizationId,
    actor: input.requestedBy ? { type: 'staff', id: input.requestedBy } : { type: 'system' },
    action: 'forms.assign',
    clientId: onboarding.clientId,
    onboardingId: input.onboardingId,
    outcome: 'success',
    detail: { requestId: input.requestId, forms: definitionIds.length },
  });
  await refreshFormsStatus(tx, input.onboardingId);
  return {
    assignmentIds: assignments.sort((a, b) => a.position - b.position).map((assignment) => assignment.id),
    created: true,
  };
}

export function createFormRequestActivities(deps: FormRequestDependencies) {
  const { db } = deps;

  /** Who the client-facing emails of a request go to, and what they need to say. */
  const recipientOf = async (requestId: string) => {
    const request = await db.formRequest.findUniqueOrThrow({
      where: { id: requestId },
      select: {
        organizationId: true,
        onboardingId: true,
        status: true,
        organization: { select: { name: true, slug: true, timeZone: true, brandColor: true } },
        onboarding: {
          select: {
            client: {
              select: { firstName: true, portalAccount: { select: { email: true, ownerName: true, status: true } } },
            },
          },
        },
        assignments: {
          orderBy: { position: 'asc' },
          select: { id: true, status: true, formDefinition: { select: { title: true } } },
        },
      },
    });
    const account = request.onboarding.client?.portalAccount ?? null;
    return { request, account, recipientName: account?.ownerName ?? request.onboarding.client?.firstName ?? '' };
  };

  const outstandingOf = <T extends { status: string }>(assignments: T[]) =>
    assignments.filter((assignment) => assignment.status === 'PENDING' || assignment.status === 'IN_PROGRESS');

  return {
    async openFormRequest(input: OpenFormRequestInput): Promise<{ assignmentIds: string[] }> {
      const { assignmentIds } = await db.$transaction((tx) => openFormRequest(tx, input));
      return { assignmentIds };
    },

    async getFormReminderPolicy({ organizationId }: { organizationId: string }): Promise<{ reminderDays: number[] }> {
      const org = await db.organization.findUniqueOrThrow({
        where: { id: organizationId },
        select: { formReminderDays: true },
      });
      return { reminderDays: [...new Set(org.formReminderDays)].filter((day) => day > 0).sort((a, b) => a - b) };
    },

    /**
     * The "forms are waiting" email, separate from the invitation (seed 000).
     * Deferred while the client has no portal account to sign in with (or it
     * is revoked): the workflow sends it once an invitation goes out.
     */
    async sendFormsAssignedEmail({ requestId }: { requestId: string }): Promise<{ sent: boolean; deferred: boolean }> {
      const { request, account, recipientName } = await recipientOf(requestId);
      if (request.status !== 'OPEN') return { sent: false, deferred: false };
      if (!account || account.status === 'REVOKED') return { sent: false, deferred: true };
      // Every form waiting for the client, not only this request's: the email's count is then the one
      // My Documents and the portal's home page show, whatever was sent before.
      const waiting = await db.formAssignment.findMany({
        where: { onboardingId: request.onboardingId, status: { in: ['PENDING', 'IN_PROGRESS'] } },
        orderBy: [{ createdAt: 'asc' }, { position: 'asc' }],
        select: { formDefinition: { select: { title: true } } },
      });
      const idempotencyKey = `forms-assigned:${requestId}`;
      if (waiting.length === 0) {
        // A retry of a step whose email went out before the client signed: finish it (the send dedupes).
        // Otherwise everything was signed before the email was due: nothing to announce.
        const recorded = await db.emailMessage.findUnique({ where: { idempotencyKey }, select: { id: true } });
        if (!recorded) return { sent: false, deferred: false };
      }
      const titles = waiting.length ? waiting : request.assignments;
      await sendTemplatedEmail(deps, {
        organizationId: request.organizationId,
        onboardingId: request.onboardingId,
        idempotencyKey,
        template: 'forms-assigned',
        to: account.email,
        props: {
          practiceName: request.organization.name,
          brandColor: request.organization.brandColor ?? undefined,
          timeZone: request.organization.timeZone,
          recipientName,
          // The template lists at most 50; a longer list is cut rather than the email never sent.
          formTitles: titles.slice(0, 50).map((assignment) => assignment.formDefinition.title),
          documentsUrl: documentsUrl(deps.publicBaseUrl, request.organization.slug),
          accountReady: account.status === 'ACTIVE',
        },
      });
      await db.$transaction((tx) =>
        applyOnboardingProgress(tx, {
          onboardingId: request.onboardingId,
          event: { key: `forms-email:${requestId}`, type: 'forms.email_sent', detail: { requestId } },
        }),
      );
      return { sent: true, deferred: false };
    },

    /**
     * Reminds a registered client of the forms still waiting. Before
     * registration the invitation's own reminders speak for both.
     */
    async sendFormsReminder({
      requestId,
      day,
      reminderNumber,
    }: {
      requestId: string;
      /** Days after the forms were sent: with the request, the reminder's identity. */
      day: number;
      reminderNumber: number;
    }): Promise<FormRequestProgress> {
      const { request, account, recipientName } = await recipientOf(requestId);
      const outstanding = outstandingOf(request.assignments);
      const progress: FormRequestProgress = {
        status: request.status,
        assignmentIds: request.assignments.map((assignment) => assignment.id),
        outstanding: outstanding.map((assignment) => assignment.id),
      };
      if (request.status !== 'OPEN' || outstanding.length === 0) return progress;
      if (account?.status !== 'ACTIVE') return { ...progress, reminded: false };
      await sendTemplatedEmail(deps, {
        organizationId: request.organizationId,
        onboardingId: request.onboardingId,
        idempotencyKey: `forms-reminder:${requestId}:${day}`,
        template: 'forms-reminder',
        to: account.email,
        props: {
          practiceName: request.organization.name,
          brandColor: request.organization.brandColor ?? undefined,
          timeZone: request.organization.timeZone,
          recipientName,
          outstandingTitles: outstanding.map((assignment) => assignment.formDefinition.title),
          documentsUrl: documentsUrl(deps.publicBaseUrl, request.organization.slug),
          reminderNumber,
        },
      });
      await db.$transaction((tx) =>
        applyOnboardingProgress(tx, {
          onboardingId: request.onboardingId,
          event: {
            key: `forms-reminder:${requestId}:${day}`,
            type: 'forms.reminder_sent',
            detail: { requestId, day, outstanding: outstanding.length },
          },
        }),
      );
      return { ...progress, reminded: true };
    },

    /** Which forms are still waiting; the workflow's safety net for a lost "form signed" signal. */
    async getFormRequestProgress({ requestId }: { requestId: string }): Promise<FormRequestProgress> {
      const { request } = await recipientOf(requestId);
      return {
        status: request.status,
        assignmentIds: request.assignments.map((assignment) => assignment.id),
        outstanding: outstandingOf(request.assignments).map((assignment) => assignment.id),
      };
    },

    /** Every form is signed: close the request, and mark the onboarding Complete if nothing else is open. */
    async completeFormRequest({ requestId }: { requestId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const request = await tx.formRequest.findUniqueOrThrow({
          where: { id: requestId },
          select: { onboardingId: true, status: true, _count: { select: { assignments: true } } },
        });
        if (request.status === 'OPEN') {
          await tx.formRequest.update({
            where: { id: requestId },
            data: { status: 'COMPLETED', completedAt: new Date() },
          });
        }
        await applyOnboardingProgress(tx, {
          onboardingId: request.onboardingId,
          event: {
            key: `forms-completed:${requestId}`,
            type: 'forms.completed',
            detail: { requestId, forms: request._count.assignments },
          },
        });
        await refreshFormsStatus(tx, request.onboardingId);
      });
    },

    /**
     * Emails the assigned clinician and the organisation's admins that the
     * forms are signed. One email per person, each with its own idempotency key.
     * The email names the EHR chart id only: no client PHI leaves by email.
     */
    async notifyStaffFormsCompleted({ requestId }: { requestId: string }): Promise<{ notified: number }> {
      const request = await db.formRequest.findUniqueOrThrow({
        where: { id: requestId },
        select: {
          organizationId: true,
          onboardingId: true,
          completedAt: true,
          organization: { select: { name: true, timeZone: true, brandColor: true } },
          onboarding: { select: { externalChartId: true, assignedStaffId: true } },
          assignments: { orderBy: { position: 'asc' }, select: { formDefinition: { select: { title: true } } } },
        },
      });
      const staff = await staffToNotify(db, request.organizationId, request.onboarding.assignedStaffId);
      for (const member of staff) {
        await sendTemplatedEmail(deps, {
          organizationId: request.organizationId,
          onboardingId: request.onboardingId,
          idempotencyKey: `forms-completed:${requestId}:${member.id}`,
          template: 'forms-completed-staff',
          to: member.email,
          props: {
            practiceName: request.organization.name,
            brandColor: request.organization.brandColor ?? undefined,
            timeZone: request.organization.timeZone,
            recipientName: member.displayName,
            externalChartId: request.onboarding.externalChartId,
            formTitles: request.assignments.map((assignment) => assignment.formDefinition.title),
            completedAt: (request.completedAt ?? new Date()).toISOString(),
            reviewUrl: `${deps.publicBaseUrl}/v1/onboardings/${request.onboardingId}/documents`,
          },
        });
      }
      await db.$transaction((tx) =>
        applyOnboardingProgress(tx, {
          onboardingId: request.onboardingId,
          event: {
            key: `forms-staff-notified:${requestId}`,
            type: 'forms.staff_notified',
            detail: { requestId, recipients: staff.length },
          },
        }),
      );
      return { notified: staff.length };
    },

    /** Staff cancelled the onboarding or the request: the unsigned forms leave the client's list. */
    async cancelFormRequest({ requestId }: { requestId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const request = await tx.formRequest.findUniqueOrThrow({
          where: { id: requestId },
          select: { onboardingId: true, status: true },
        });
        if (request.status !== 'OPEN') return;
        await tx.formRequest.update({ where: { id: requestId }, data: { status: 'CANCELLED' } });
        await tx.formAssignment.updateMany({
          where: { requestId, status: { in: ['PENDING', 'IN_PROGRESS'] } },
          // Drafts are PHI nobody will submit now: do not keep them.
          data: { status: 'CANCELLED', draftAnswers: Prisma.DbNull, draftSavedAt: null },
        });
        await applyOnboardingProgress(tx, {
          onboardingId: request.onboardingId,
          event: { key: `forms-cancelled:${requestId}`, type: 'forms.cancelled', detail: { requestId } },
        });
        await refreshFormsStatus(tx, request.onboardingId);
      });
    },
  };
}
