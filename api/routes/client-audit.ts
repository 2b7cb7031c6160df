import { Router } from 'express';
import { recordAudit } from '../../audit/audit-log';
import type { Db } from '../../db/client';
import { AppError } from '../../use-cases/app-error';
import { originOf } from '../../http/audit-context';
import { ZClientAuditParams, ZClientAuditQuery, type TClientAuditResponse } from '../../schemas/audit';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { validate } from '../../http/validate';

/** Organisation admins read a client's audit trail: who saw or changed this client's record, when, from where. */
export function clientAuditRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.use('/v1/clients', requireStaff(deps.db));

  router.get('/v1/clients/:clientId/audit', async (req, res) => {
    const staff = staffOf(req);
    const { clientId } = validate(ZClientAuditParams, req.params, ['params']);
    const query = validate(ZClientAuditQuery, req.query, ['query']);
    if (staff.role !== 'ADMIN') {
      throw new AppError('FORBIDDEN', 'audit trail is for admins', {
        publicMessage: 'Only organisation administrators can read the audit trail.',
      });
    }
    const client = await deps.db.client.findUnique({ where: { id: clientId }, select: { organizationId: true } });
    if (!client || client.organizationId !== staff.organizationId) throw new AppError('NOT_FOUND', 'unknown client');

    const events = await deps.db.auditEvent.findMany({
      where: { organizationId: staff.organizationId, clientId, ...(query.action ? { action: query.action } : {}) },
      orderBy: { occurredAt: 'desc' },
      take: query.limit,
    });
    await recordAudit(deps.db, {
      organizationId: staff.organizationId,
      actor: { type: 'staff', id: staff.staffUserId },
      action: 'audit.read',
      clientId,
      outcome: 'success',
      origin: originOf(req),
    });
    const body: TClientAuditResponse = {
      clientId,
      events: events.map((event) => ({
        occurredAt: event.occurredAt.toISOString(),
        actor: { type: event.actorType, id: event.actorId },
        action: event.action,
        onboardingId: event.onboardingId,
        outcome: event.outcome,
        ip: event.ip,
        userAgent: event.userAgent,
        requestId: event.requestId,
        detail: event.detail as Record<string, unknown>,
      })),
    };
    res.json(body);
  });

  return router;
}
