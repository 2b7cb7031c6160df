/**
 * Which clients a staff member may see and act on (issue 5): one rule, used
 * by the JSON API, the ops API and the staff dashboard alike.
 *
 * - Organisation admins: every client of their practice.
 * - Therapists: only the clients assigned to them (the clinician the EHR
 *   named, `onboarding.assigned_staff_id`). Seed 003's permission to invite
 *   and send forms (`canInvite`) lets a therapist act on those clients, never
 *   on a colleague's.
 * - Ops engineers: every onboarding of their practice, to operate its flow,
 *   but never a name or an answer (assertMayReadAnswers, the dashboard).
 * - Nobody reaches another practice's data.
 *
 * Anything outside the caller's reach answers exactly like an id that exists
 * nowhere (404, same message), so a therapist cannot learn who else is a
 * client of the practice. Routes record the denial in the audit trail
 * (http/staff-audit.ts), with `scope: 'not_assigned'` when the client is the
 * practice's but not the therapist's, so admins see who tried.
 *
 * What a role may do at all (invite, read answers, operate) is checked
 * before this, so a 403 never depends on whether an id exists.
 */
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import { AppError } from './app-error';
import type { StaffPrincipal } from './staff-principal';

/** The one place that says which onboardings (and so which clients) a staff member may reach. */
export function onboardingsVisibleTo(staff: StaffPrincipal): Prisma.OnboardingWhereInput {
  const clinician = assignedClinicianScope(staff);
  return { organizationId: staff.organizationId, ...(clinician ? { assignedStaffId: clinician } : {}) };
}

/**
 * The staff id a caller's view is limited to (its assigned clients), or null
 * for the whole practice. For raw SQL that cannot take onboardingsVisibleTo.
 */
export function assignedClinicianScope(staff: StaffPrincipal): string | null {
  return staff.role === 'THERAPIST' ? staff.staffUserId : null;
}

/** Why an existing onboarding is out of a caller's reach, or null when it is within it. Mirrors onboardingsVisibleTo. */
export function outOfScopeReason(
  staff: StaffPrincipal,
  onboarding: { organizationId: string; assignedStaffId: string | null },
): 'other_organization' | 'not_assigned' | null {
  if (onboarding.organizationId !== staff.organizationId) return 'other_organization';
  const clinician = assignedClinicianScope(staff);
  if (clinician !== null && onboarding.assignedStaffId !== clinician) return 'not_assigned';
  return null;
}

/**
 * The onboarding if the caller may reach it, with the fields asked for; a
 * 404 otherwise, whether it is another practice's, another therapist's or
 * no one's.
 */
export async function accessibleOnboarding<S extends Prisma.OnboardingSelect>(
  db: Db,
  staff: StaffPrincipal,
  onboardingId: string,
  select: S,
): Promise<Prisma.OnboardingGetPayload<{ select: S }>> {
  const onboarding = await db.onboarding.findFirst({
    where: { id: onboardingId, ...onboardingsVisibleTo(staff) },
    select,
  });
  if (!onboarding) throw new AppError('NOT_FOUND', 'onboarding not within the caller’s reach');
  return onboarding;
}
