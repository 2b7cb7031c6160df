import type { Request } from 'express';
import type { AuditEntry } from '../audit/audit-log';

/** Where an audited request came from. */
export function originOf(req: Request): NonNullable<AuditEntry['origin']> {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null, requestId: req.id };
}
