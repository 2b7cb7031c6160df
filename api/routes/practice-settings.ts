import { Router } from 'express';
import type { Db } from '../../db/client';
import { originOf } from '../../http/audit-context';
import { ZPracticeSettingsPatch } from '../../schemas/practice-settings';
import { requireStaff, staffOf } from '../../http/staff-auth';
import {
  assertMayManagePractice,
  getPracticeSettings,
  updatePracticeSettings,
} from '../../use-cases/practice/practice-settings';
import { validate } from '../../http/validate';

/** The practice's own settings, for its admins (seed 003's per-organisation switches). */
export function practiceSettingsRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.use('/v1/practice', requireStaff(deps.db));

  router.get('/v1/practice/settings', async (req, res) => {
    res.json(await getPracticeSettings(deps.db, staffOf(req)));
  });

  router.patch('/v1/practice/settings', async (req, res) => {
    const staff = staffOf(req);
    assertMayManagePractice(staff);
    const patch = validate(ZPracticeSettingsPatch, req.body);
    res.json(await updatePracticeSettings(deps.db, staff, patch, originOf(req)));
  });

  return router;
}
