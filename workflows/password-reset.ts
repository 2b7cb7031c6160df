/**
 * "Forgot your password?", durably. The API starts passwordResetRequest for
 * every address it is given, known or not, and answers at once: it does
 * nothing that only a real account would cost, so its timing tells nobody
 * whether the address has an account. The workflow looks the address up and,
 * if it has an active account, emails the link, retried until the mail
 * provider takes it. Its id (password-reset-request-<keyed hash of the
 * address>-<window>) lets one email per address through per window, however
 * often the form is posted. passwordResetEmail is the earlier shape (started
 * with an account id by the API itself), kept for runs started before.
 */
import { getExternalWorkflowHandle, patched, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityProfiles } from '../temporal.config';
import { clientLinkRequestSignal } from './client-onboarding';

export interface PasswordResetInput {
  portalAccountId: string;
  expiresAtMs: number;
}

export interface PasswordResetRequestInput {
  organizationId: string;
  email: string;
  /** When the link made for this window stops working. */
  expiresAtMs: number;
  /** Where the request came from, for the audit trail. */
  origin: { ip?: string | null; userAgent?: string | null; requestId?: string | null };
}

const { sendPasswordResetEmail, findAccountForPasswordReset, findOnboardingForLinkRequest } =
  proxyActivities<Activities>(activityProfiles.database);

/**
 * A client who never registered (their invitation expired, or they lost it)
 * often tries "Forgot your password?" first: their onboarding is asked for a
 * new invitation, as from the dead link's "Email me a new link" (issue 20,
 * part 3). The page said the same either way, long before this runs.
 */
async function askForNewInvitation(input: PasswordResetRequestInput): Promise<void> {
  const asking = await findOnboardingForLinkRequest({ organizationId: input.organizationId, email: input.email });
  if (!asking) return;
  try {
    await getExternalWorkflowHandle(asking.workflowId).signal(clientLinkRequestSignal, {
      requestId: uuid4(),
      via: 'forgot-password',
      origin: input.origin,
    });
  } catch {
    // The onboarding ended in between (registered, cancelled): there is nothing to send.
  }
}

export async function passwordResetRequest(input: PasswordResetRequestInput): Promise<{ sent: boolean }> {
  const found = await findAccountForPasswordReset({
    organizationId: input.organizationId,
    email: input.email,
    origin: input.origin,
  });
  if (!found) {
    // Requests recorded before new invitation links existed replay as they ran.
    if (patched('invitation-link-by-email')) await askForNewInvitation(input);
    return { sent: false };
  }
  return sendPasswordResetEmail({ portalAccountId: found.portalAccountId, expiresAtMs: input.expiresAtMs });
}

export async function passwordResetEmail(input: PasswordResetInput): Promise<{ sent: boolean }> {
  return sendPasswordResetEmail(input);
}
