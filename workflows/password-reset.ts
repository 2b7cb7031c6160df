/**
 * One password-reset email, durably: the API answers the client at once and
 * the email is retried until the mail provider takes it. The workflow id
 * (password-reset-<account>-<window>) lets one email per account through per
 * window, however often the form is posted.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityProfiles } from '../temporal.config';

export interface PasswordResetInput {
  portalAccountId: string;
  expiresAtMs: number;
}

const { sendPasswordResetEmail } = proxyActivities<Activities>(activityProfiles.database);

export async function passwordResetEmail(input: PasswordResetInput): Promise<{ sent: boolean }> {
  return sendPasswordResetEmail(input);
}
