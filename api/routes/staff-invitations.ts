import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { originOf } from '../../http/audit-context';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { validate } from '../../http/validate';
import { ZStaffInvitationId, ZStaffInvitationRequest } from '../../schemas/staff-invitations';
import { assertMayManageStaff } from '../../use-cases/accounts/manage-staff';
import {
  inviteStaffMember,
  listStaffInvitations,
  resendStaffInvitation,
  revokeStaffInvitation,
} from '../../use-cases/accounts/staff-invitations';

/**
 * Admins invite colleagues by email (issue 19). Mounted before staffRoutes:
 * /v1/staff/invitations would otherwise be read as a staff member's id.
 */
export function staffInvitationRoutes(deps: {
  db: Db;
  temporal: Client;
  taskQueue: string;
  tokenSigningKey: Buffer;
}): Router {
  const router = Router();
  router.use('/v1/staff/invitations', requireStaff(deps.db));

  router.get('/v1/staff/invitations', async (req, res) => {
    res.json(await listStaffInvitations(deps.db, staffOf(req)));
  });

  router.post('/v1/staff/invitations', async (req, res) => {
    const staff = staffOf(req);
    // Who asks is checked before what is asked: a therapist learns nothing from a validation error.
    assertMayManageStaff(staff);
    const request = validate(ZStaffInvitationRequest, req.body);
    res.status(201).json(await inviteStaffMember(deps, staff, request, originOf(req)));
  });

  router.post('/v1/staff/invitations/:invitationId/resend', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageStaff(staff);
    const { invitationId } = validate(ZStaffInvitationId, req.params, ['params']);
    res.json(await resendStaffInvitation(deps, staff, invitationId));
  });

  router.post('/v1/staff/invitations/:invitationId/revoke', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageStaff(staff);
    const { invitationId } = validate(ZStaffInvitationId, req.params, ['params']);
    res.json(await revokeStaffInvitation(deps, staff, invitationId));
  });

  return router;
}
