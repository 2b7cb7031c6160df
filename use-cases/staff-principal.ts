import type { ApiKeyScope } from '../domain/api-key-scope';
import { AppError } from './app-error';

/** Who is calling, as every staff use case sees it: from an API key or a dashboard session. */
export interface StaffPrincipal {
  staffUserId: string;
  organizationId: string;
  role: 'ADMIN' | 'THERAPIST' | 'OPS';
  canInvite: boolean;
  /** Set when the caller came with an API key: its scope caps the role (domain/api-key-scope.ts). */
  keyScope?: ApiKeyScope;
}

/** Seed 003: only organisation admins, and therapists given the permission, send or manage portal invitations. */
export function assertMayManageInvitations(staff: StaffPrincipal): void {
  if (staff.role !== 'ADMIN' && !staff.canInvite) {
    throw new AppError('FORBIDDEN', 'staff member may not manage portal invitations', {
      publicMessage: 'Only organisation administrators and therapists with permission can manage portal invitations.',
    });
  }
}

/** Ops engineers operate flows; they never read what a client answered (issue: roles). */
export function assertMayReadAnswers(staff: StaffPrincipal): void {
  if (staff.role === 'OPS') {
    throw new AppError('FORBIDDEN', 'ops may not read client answers', {
      publicMessage: 'Operations staff cannot read client answers.',
    });
  }
}
