/**
 * A form signed with an answer that suggests a crisis (PHQ-9 item 9 above
 * "Not at all", domain/crisis-answers.ts) needs the practice's review today.
 * Flagged in the signing transaction itself, so the timeline, the audit trail
 * and the staff client page know it as soon as the signature exists, whatever
 * happens to the alert emails the form-request workflow then sends
 * (activities/crisis-alert.ts). The flag names the form, never the answers.
 */
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { applyOnboardingProgress } from '../../activities/onboarding-progress';
import type { FormAnswers } from '../../domain/form-answers';
import type { TFormDefinition } from '../../domain/form-definition';
import { crisisAnswers } from '../../domain/crisis-answers';

/** The timeline entry of a form that needs review today; its detail holds ids only. */
export const NEEDS_REVIEW_EVENT = 'form.needs_review';

export interface SignedFormForReview {
  organizationId: string;
  onboardingId: string;
  clientId: string | null;
  assignmentId: string;
  formKey: string;
  formVersion: number;
  definition: TFormDefinition;
  answers: FormAnswers;
  actor: AuditEntry['actor'];
  origin?: AuditEntry['origin'];
}

/** Returns whether the form was flagged. Idempotent: the timeline entry is keyed by the assignment. */
export async function flagCrisisAnswers(tx: Prisma.TransactionClient, form: SignedFormForReview): Promise<boolean> {
  const flagged = crisisAnswers(form.definition, form.answers);
  if (flagged.length === 0) return false;
  const detail = { assignmentId: form.assignmentId, formKey: form.formKey, formVersion: form.formVersion };
  await applyOnboardingProgress(tx, {
    onboardingId: form.onboardingId,
    event: { key: `form-needs-review:${form.assignmentId}`, type: NEEDS_REVIEW_EVENT, detail },
  });
  await recordAudit(tx, {
    organizationId: form.organizationId,
    actor: form.actor,
    action: NEEDS_REVIEW_EVENT,
    clientId: form.clientId,
    onboardingId: form.onboardingId,
    outcome: 'success',
    origin: form.origin,
    detail,
  });
  return true;
}
