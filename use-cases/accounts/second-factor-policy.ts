import type { StaffRole } from '../../generated/prisma/client';

/**
 * The practice's "require a second factor" switch covers the people who read
 * clients' records: admins and therapists. Ops engineers never see PHI (and
 * API keys, a separate credential, are not affected by it at all).
 */
export function roleNeedsSecondFactor(role: StaffRole): boolean {
  return role === 'ADMIN' || role === 'THERAPIST';
}
