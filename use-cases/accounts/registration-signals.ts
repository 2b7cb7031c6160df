/**
 * A registration is committed first and its workflow told after
 * (register-portal-account.ts). If the API process dies between the two, the
 * workflow learns of it only at its next expiry check, up to 7 days later,
 * and the client's confirmation email and the EHR's `onboarding.registered`
 * callback wait that long (`npm run chaos` found it). So every API process,
 * when it starts, tells again each workflow whose invitation was used in the
 * last 8 days and that has not confirmed the registration yet (no
 * registration-confirmed email). The workflow's handler only sets a flag, so
 * a second signal changes nothing.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import { clientRegisteredSignal } from '../../workflows/client-onboarding';

const LOOK_BACK_MS = 8 * 24 * 60 * 60 * 1000;
/** Enough for a crash's worth; the rest wait for the next start (or the expiry check). */
const MAX_PER_START = 1000;

export async function resignalUnconfirmedRegistrations(
  deps: { db: Db; temporal: Client; logger: Logger },
  now = new Date(),
): Promise<number> {
  const unconfirmed = await deps.db.invitation.findMany({
    where: {
      status: 'USED',
      usedAt: { gte: new Date(now.getTime() - LOOK_BACK_MS) },
      onboarding: {
        status: { notIn: ['CANCELLED', 'FAILED'] },
        emails: { none: { template: 'registration-confirmed' } },
      },
    },
    select: { id: true, onboarding: { select: { workflowId: true } } },
    orderBy: { usedAt: 'asc' },
    take: MAX_PER_START,
  });
  let signalled = 0;
  for (const invitation of unconfirmed) {
    try {
      await deps.temporal.workflow
        .getHandle(invitation.onboarding.workflowId)
        .signal(clientRegisteredSignal, { invitationId: invitation.id });
      signalled += 1;
    } catch (error) {
      // A flow that ended (cancelled, or finished in between) needs nothing.
      if (!(error instanceof WorkflowNotFoundError)) {
        deps.logger.warn(
          { err: error, workflowId: invitation.onboarding.workflowId },
          'could not re-signal registration',
        );
      }
    }
  }
  if (signalled > 0) deps.logger.info({ signalled }, 'registrations re-signalled at start');
  return signalled;
}
