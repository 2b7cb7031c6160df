/**
 * Issue 14, item 3: tells a practice's admins that repeated wrong tries
 * paused a colleague's staff sign-in. A workflow of its own so the sign-in
 * page answers at once and the email is retried until the mail provider
 * takes it. Its id names the pause (staff member and the pause's end), so
 * the admins hear of each pause once, however many requests saw it begin.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityProfiles } from '../temporal.config';

export interface StaffPauseAlertInput {
  staffUserId: string;
  /** When the pause ends (ISO 8601): with the staff id, what makes this pause this one. */
  pausedUntil: string;
  door: 'password' | 'second-factor';
}

const { sendStaffPauseAlert } = proxyActivities<Activities>(activityProfiles.database);

export async function staffPauseAlert(input: StaffPauseAlertInput): Promise<{ admins: number }> {
  return sendStaffPauseAlert(input);
}
