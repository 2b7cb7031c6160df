import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/client';
import { EmailDeliveryError, type Mailer } from '../emails/mailer';
import { EmailPropsError, renderEmail, type EmailProps, type EmailTemplateId } from '../emails/registry';
import type { AppMetrics, EmailOutcome } from '../observability/metrics';
import { isSuppressed } from '../emails/suppression';

export interface TemplatedEmail<T extends EmailTemplateId> {
  organizationId: string;
  onboardingId: string | null;
  /** From the workflow's ids and the step, never from time or randomness. */
  idempotencyKey: string;
  template: T;
  to: string;
  props: EmailProps<T>;
}

/**
 * Sends an email at most once per idempotency key. The key is recorded before
 * sending; a retry after the send went out finds the row marked SENT and stops,
 * and a retry after a crash between send and mark sends again with the same
 * key, which Resend (and the outbox) deduplicate.
 *
 * @returns false when the email had already been sent, or its address is suppressed.
 */
export async function sendTemplatedEmail<T extends EmailTemplateId>(
  deps: { db: Db; mailer: Mailer; metrics?: AppMetrics; tokenSigningKey?: Buffer },
  email: TemplatedEmail<T>,
): Promise<boolean> {
  const { db, mailer } = deps;
  const count = (outcome: EmailOutcome) =>
    deps.metrics?.emailsSent.inc({ template: email.template, transport: mailer.kind, outcome });
  const record = await db.emailMessage.upsert({
    where: { idempotencyKey: email.idempotencyKey },
    create: {
      organizationId: email.organizationId,
      onboardingId: email.onboardingId,
      idempotencyKey: email.idempotencyKey,
      template: email.template,
      transport: mailer.kind,
      attempts: 1,
    },
    update: { attempts: { increment: 1 } },
    select: { status: true },
  });
  if (record.status === 'SENT') {
    count('duplicate');
    return false;
  }
  // An address that bounced for good or complained gets nothing more from this practice: the
  // email stays unsent, marked so its trail says why, and the flow goes on.
  if (deps.tokenSigningKey && (await isSuppressed(db, deps.tokenSigningKey, email.organizationId, email.to))) {
    count('rejected');
    await db.emailMessage.update({
      where: { idempotencyKey: email.idempotencyKey },
      data: { deliveryStatus: 'suppressed', deliveryUpdatedAt: new Date() },
    });
    return false;
  }

  let rendered;
  try {
    rendered = await renderEmail(email.template, email.props);
  } catch (error: unknown) {
    // Bad props stay bad on every retry.
    count('error');
    if (error instanceof EmailPropsError) throw ApplicationFailure.nonRetryable(error.message, 'EmailPropsInvalid');
    throw error;
  }
  let sent;
  try {
    sent = await mailer.send({
      to: email.to,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      idempotencyKey: email.idempotencyKey,
      tags: { template: email.template },
    });
  } catch (error: unknown) {
    if (error instanceof EmailDeliveryError && !error.retryable) {
      count('rejected');
      // A refused address or request will be refused again: stop retrying and let the workflow decide.
      throw ApplicationFailure.nonRetryable(error.message, 'EmailRejected');
    }
    count('error');
    throw error;
  }
  await db.emailMessage.update({
    where: { idempotencyKey: email.idempotencyKey },
    data: { status: 'SENT', providerMessageId: sent.providerMessageId, sentAt: new Date() },
  });
  // Counted after the mark, not the send: a retry after a failed mark re-sends under the same key
  // (deduplicated by the transport) and only then counts the email, once.
  count('sent');
  return true;
}
