/**
 * The remote codec endpoint for the Temporal Web UI (and `temporal` CLI's
 * --codec-endpoint): payloads in Temporal's history are AES-256-GCM
 * ciphertext, so operators see `binary/encrypted` until the UI sends them
 * here to decode. Decoded payloads hold PHI, and one payload key seals every
 * practice's flows: a payload names no practice the codec could check the
 * caller against. So the codec is for the deployment's own operators only:
 * ops engineers and admins of the organisations in
 * CODEC_OPERATOR_ORGANIZATIONS (none by default: everyone gets 403), with
 * their staff API key as a bearer token (`temporal … --codec-endpoint
 * <api>/codec --codec-auth 'Bearer <key>'`, or a proxy in front of the Web UI
 * that adds it). Every call is audited, refusals included.
 *
 * Protocol: POST /codec/decode (and /codec/encode) with
 * {"payloads":[{"metadata":{"k":"<base64>"},"data":"<base64>"}]}, answered
 * in the same shape.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import type { Db } from '../../db/client';
import { recordAudit } from '../../audit/audit-log';
import { AesGcmPayloadCodec, PayloadDecryptionError, type PayloadKey } from '../../temporal/payload-codec';
import { AppError } from '../app-error';
import { originOf } from '../audit-context';
import { requireStaff, staffOf, type StaffPrincipal } from '../staff-auth';
import { validate } from '../validate';

export interface TemporalCodecDeps {
  db: Db;
  payloadKeys: PayloadKey[];
  /** The Web UI's origin (TEMPORAL_UI_URL), allowed to call from the browser. */
  temporalUiUrl?: string | undefined;
  /** Slugs of the organisations that operate the deployment (CODEC_OPERATOR_ORGANIZATIONS); empty: nobody may. */
  operatorOrganizations: readonly string[];
}

const ZBase64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** The codec's request, and its answer: Temporal's JSON payloads. */
export const ZCodecRequest = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string().max(200), ZBase64).default({}), data: ZBase64.default('') }))
    .max(1000),
});

function fromJson(payload: z.infer<typeof ZCodecRequest>['payloads'][number]): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(payload.data, 'base64'),
  };
}

function toJson(payload: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

export function temporalCodecRoutes(deps: TemporalCodecDeps): Router {
  const router = Router();
  const codec = new AesGcmPayloadCodec(deps.payloadKeys);
  const uiOrigin = deps.temporalUiUrl ? new URL(deps.temporalUiUrl).origin : null;
  const bearer = requireStaff(deps.db);
  const operators = new Set(deps.operatorOrganizations);

  /** Why this caller may not use the codec (for the audit trail, and the error), or null when they may. */
  const refusalFor = async (staff: StaffPrincipal): Promise<{ reason: string; error: AppError } | null> => {
    if (staff.role !== 'OPS' && staff.role !== 'ADMIN') {
      return {
        reason: 'role',
        error: new AppError('FORBIDDEN', 'codec is for ops and admins', {
          publicMessage: 'Only operations staff and administrators may decode workflow payloads.',
        }),
      };
    }
    const org = operators.size
      ? await deps.db.organization.findUnique({ where: { id: staff.organizationId }, select: { slug: true } })
      : null;
    if (!org || !operators.has(org.slug)) {
      return {
        reason: 'not_operator_organization',
        error: new AppError('FORBIDDEN', 'codec is for the deployment operators (CODEC_OPERATOR_ORGANIZATIONS)', {
          publicMessage: 'Only the operators of this deployment may decode workflow payloads.',
        }),
      };
    }
    return null;
  };

  router.use('/codec', (req: Request, res: Response, next: NextFunction) => {
    // The UI calls from the browser: allow exactly its origin, with credentials, nothing else.
    if (uiOrigin && req.get('origin') === uiOrigin) {
      res.setHeader('Access-Control-Allow-Origin', uiOrigin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Namespace');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
  router.use('/codec', bearer);
  router.use('/codec', async (req: Request, _res: Response, next: NextFunction) => {
    const staff = staffOf(req);
    const refusal = await refusalFor(staff);
    if (refusal) {
      const direction = /^\/(decode|encode)$/.exec(req.path)?.[1] ?? 'codec';
      await recordAudit(deps.db, {
        organizationId: staff.organizationId,
        actor: { type: 'staff', id: staff.staffUserId },
        action: `temporal.${direction}`,
        outcome: 'denied',
        origin: originOf(req),
        detail: { code: refusal.error.code, reason: refusal.reason },
      });
      throw refusal.error;
    }
    next();
  });

  for (const direction of ['decode', 'encode'] as const) {
    router.post(`/codec/${direction}`, async (req, res) => {
      const body = validate(ZCodecRequest, req.body);
      let payloads: Payload[];
      try {
        payloads = await codec[direction](body.payloads.map(fromJson));
      } catch (error) {
        if (error instanceof PayloadDecryptionError) {
          throw new AppError('VALIDATION_FAILED', 'payload could not be decoded', { publicMessage: error.message });
        }
        throw error;
      }
      const staff = req.staff!;
      await recordAudit(deps.db, {
        organizationId: staff.organizationId,
        actor: { type: 'staff', id: staff.staffUserId },
        action: `temporal.${direction}`,
        outcome: 'success',
        origin: originOf(req),
        detail: { payloads: payloads.length, namespace: req.get('x-namespace')?.slice(0, 100) ?? null },
      });
      res.json({ payloads: payloads.map(toJson) });
    });
  }
  return router;
}
