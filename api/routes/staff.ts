import { Router } from 'express';
import type { Db } from '../../db/client';
import { originOf } from '../../http/audit-context';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { validate } from '../../http/validate';
import { ZReassignClients, ZStaffPatch, ZStaffUserId } from '../../schemas/staff';
import {
  assertMayManageStaff,
  deactivateStaffMember,
  getStaffMember,
  listStaff,
  reassignClients,
  updateStaffMember,
} from '../../use-cases/accounts/manage-staff';

/** Admins manage the practice's staff accounts without SQL (issue 19). */
export function staffRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.use('/v1/staff', requireStaff(deps.db));

  router.get('/v1/staff', async (req, res) => {
    res.json(await listStaff(deps.db, staffOf(req)));
  });

  router.get('/v1/staff/:staffUserId', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageStaff(staff);
    const { staffUserId } = validate(ZStaffUserId, req.params, ['params']);
    res.json(await getStaffMember(deps.db, staff, staffUserId));
  });

  router.patch('/v1/staff/:staffUserId', async (req, res) => {
    const staff = staffOf(req);
    // Who asks is checked before what is asked: a therapist learns nothing from a validation error.
    assertMayManageStaff(staff);
    const { staffUserId } = validate(ZStaffUserId, req.params, ['params']);
    const patch = validate(ZStaffPatch, req.body);
    res.json(await updateStaffMember(deps.db, staff, staffUserId, patch, originOf(req)));
  });

  router.post('/v1/staff/:staffUserId/deactivate', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageStaff(staff);
    const { staffUserId } = validate(ZStaffUserId, req.params, ['params']);
    res.json(await deactivateStaffMember(deps.db, staff, staffUserId, originOf(req)));
  });

  router.post('/v1/staff/:staffUserId/reassign-clients', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageStaff(staff);
    const { staffUserId } = validate(ZStaffUserId, req.params, ['params']);
    const input = validate(ZReassignClients, req.body);
    res.json(await reassignClients(deps.db, staff, staffUserId, input, originOf(req)));
  });

  return router;
}
