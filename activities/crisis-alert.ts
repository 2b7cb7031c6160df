import type { Db } from '../db/client';
import { ZFormDefinition } from '../domain/form-definition';
import type { FormAnswers } from '../domain/form-answers';
import { crisisAnswers } from '../domain/crisis-answers';
import type { Mailer } from '../emails/mailer';
import type { AppMetrics } from '../observability/metrics';
import { recordAudit } from '../audit/audit-log';
import { sendTemplatedEmail } from './emails';
import { applyOnboardingProgress } from './onboarding-progress';
import { staffToNotify } from './staff-recipients';

export interface CrisisAlertDependencies {
  db: Db;
  mailer: Mailer;
  /** Public URL of the API and pages, without a trailing slash. */
  publicBaseUrl: string;
  metrics?: AppMetrics;
}

export function createCrisisAlertActivities(deps: CrisisAlertDependencies) {
  const { db } = deps;
  return {
    /**
     * Run by the form-request workflow for each form signed: when an answer
     * suggests a crisis (PHQ-9 item 9 above "Not at all"), emails the
     * practice's admins and the assigned clinician to review it today. One
     * email per person under the key `form-needs-review:<assignment>:<staff>`,
     * recorded before the send, so a retried activity or a replayed workflow
     * sends none twice. The email carries a short reference and a link to
     * the staff client page, no PHI (emails/form-needs-review-staff.tsx).
     */
    async alertStaffToCrisisAnswers({ assignmentId }: { assignmentId: string }): Promise<{ alerted: number }> {
      const assignment = await db.formAssignment.findUnique({
        where: { id: assignmentId },
        select: {
          organizationId: true,
          onboardingId: true,
          submission: { select: { answers: true } },
          formDefinition: { select: { definition: true } },
          request: {
            select: {
              organization: { select: { name: true, slug: true, timeZone: true, brandColor: true } },
              onboarding: { select: { assignedStaffId: true, clientId: true } },
            },
          },
        },
      });
      if (!assignment?.submission) return { alerted: 0 };
      const definition = ZFormDefinition.parse(assignment.formDefinition.definition);
      if (crisisAnswers(definition, assignment.submission.answers as FormAnswers).length === 0) return { alerted: 0 };

      const { organizationId, onboardingId } = assignment;
      const { organization, onboarding } = assignment.request;
      const staff = await staffToNotify(db, organizationId, onboarding.assignedStaffId);
      for (const member of staff) {
        await sendTemplatedEmail(deps, {
          organizationId: organizationId,
          onboardingId,
          idempotencyKey: `form-needs-review:${assignmentId}:${member.id}`,
          template: 'form-needs-review-staff',
          to: member.email,
          props: {
            practiceName: organization.name,
            brandColor: organization.brandColor ?? undefined,
            timeZone: organization.timeZone,
            recipientName: member.displayName,
            onboardingReference: onboardingId.slice(0, 8),
            reviewUrl: `${deps.publicBaseUrl}/staff/${organization.slug}/onboardings/${onboardingId}`,
          },
        });
      }
      await db.$transaction(async (tx) => {
        await applyOnboardingProgress(tx, {
          onboardingId,
          event: {
            key: `form-review-alert:${assignmentId}`,
            type: 'form.review_alert_sent',
            detail: { assignmentId, recipients: staff.length },
          },
        });
        await recordAudit(tx, {
          organizationId: organizationId,
          actor: { type: 'system' },
          action: 'form.review_alert_sent',
          clientId: onboarding.clientId,
          onboardingId,
          outcome: 'success',
          detail: { assignmentId, recipients: staff.length },
        });
      });
      return { alerted: staff.length };
    },
  };
}
