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
 * that adds it), or, at <api>/staff/codec, with the staff dashboard's session
 * cookie, which the Web UI's browser sends when the UI includes credentials
 * and is same-site with the API (npm start: localhost:8233 and :3000). Every
 * call is audited, refusals included; a decode also on the trail of each
 * practice whose client the payloads belong to (audit/codec-decode-audit.ts).
 *
 * Protocol: POST /codec/decode (and /codec/encode) with
 * {"payloads":[{"metadata":{"k":"<base64>"},"data":"<base64>"}]}, answered
 * in the same shape.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { Payload } from '@temporalio/common';
import type { Db } from '../../db/client';
import { recordAudit } from '../../audit/audit-log';
import { recordCodecDecode } from '../../audit/codec-decode-audit';
import { AesGcmPayloadCodec, PayloadDecryptionError, type PayloadKey } from '../../temporal/payload-codec';
import { AppError } from '../../use-cases/app-error';
import { originOf } from '../../http/audit-context';
import { readCookie } from '../../http/cookies';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { type StaffPrincipal } from '../../use-cases/staff-principal';
import { currentStaff } from '../../use-cases/accounts/staff-sessions';
import { validate } from '../../http/validate';
import { ZCodecRequest } from '../../schemas/codec';
import { CODEC_BODY_LIMIT } from '../../http/body-limits';

export interface TemporalCodecDeps {
  db: Db;
  payloadKeys: PayloadKey[];
  /** The Web UI's origin (TEMPORAL_UI_URL), allowed to call from the browser. */
  temporalUiUrl?: string | undefined;
  /** Whether PUBLIC_BASE_URL is https, so the dashboard's session cookie has its `__Host-` name (http/cookies.ts). */
  secureCookies?: boolean;
  /** Slugs of the organisations that operate the deployment (CODEC_OPERATOR_ORGANIZATIONS); empty: nobody may. */
  operatorOrganizations: readonly string[];
}

// The schema lives in schemas/ so the API document reads it without importing this route (no import cycle).
export { ZCodecRequest };

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

const LOOPBACK_NAMES = ['localhost', '127.0.0.1'];

/**
 * The browser origins the Web UI at `temporalUiUrl` calls the codec from: its
 * own, and for a local UI its loopback twin too (the dev server prints
 * 127.0.0.1, the README says localhost: both are the same UI).
 */
export function codecUiOrigins(temporalUiUrl: string | undefined): Set<string> {
  if (!temporalUiUrl) return new Set();
  const url = new URL(temporalUiUrl);
  const origins = new Set([url.origin]);
  if (LOOPBACK_NAMES.includes(url.hostname)) {
    for (const hostname of LOOPBACK_NAMES) {
      const twin = new URL(url.origin);
      twin.hostname = hostname;
      origins.add(twin.origin);
    }
  }
  return origins;
}

/**
 * /codec takes a staff API key as a bearer token; /staff/codec also takes the
 * staff dashboard's session cookie (path /staff), which the browser sends
 * when the Web UI includes credentials (same-site: localhost:8233 and :3000).
 */
export const CODEC_PATHS = ['/codec', '/staff/codec'];

/** A refused caller's refusals are audited at most once in this window. */
export const DENIAL_AUDIT_WINDOW_MS = 60_000;
const DENIAL_AUDIT_CALLERS_MAX = 10_000;

/**
 * Whether to audit this caller's refusal now: the first in each window only.
 * Temporal's clients retry a refused codec call (the CLI until its timeout:
 * 138 rows from 27 calls), and the trail needs the fact, not each retry. In
 * process, not in the database: a refusal then costs no write, the map is
 * bounded (oldest caller forgotten first), and with several API instances
 * the trail gets at most one row per caller per instance per window.
 */
export function denialAuditThrottle(now: () => number = Date.now): (caller: string) => boolean {
  const last = new Map<string, number>();
  return (caller) => {
    const at = now();
    const previous = last.get(caller);
    if (previous !== undefined && at - previous < DENIAL_AUDIT_WINDOW_MS) return false;
    last.delete(caller);
    last.set(caller, at);
    if (last.size > DENIAL_AUDIT_CALLERS_MAX) last.delete(last.keys().next().value!);
    return true;
  };
}

export function temporalCodecRoutes(deps: TemporalCodecDeps): Router {
  const router = Router();
  // Shows histories to operators: a plain payload someone slipped in is shown as it is, not hidden.
  const codec = new AesGcmPayloadCodec(deps.payloadKeys, { plaintext: 'pass' });
  const uiOrigins = codecUiOrigins(deps.temporalUiUrl);
  const bearer = requireStaff(deps.db);
  const operators = new Set(deps.operatorOrganizations);
  const auditDenial = denialAuditThrottle();

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

  router.use(CODEC_PATHS, (req: Request, res: Response, next: NextFunction) => {
    // The UI calls from the browser: allow exactly its origin(s), with credentials, nothing else.
    res.setHeader('Vary', 'Origin');
    const origin = req.get('origin');
    if (origin && uiOrigins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Namespace');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
  router.use(CODEC_PATHS, async (req: Request, res: Response, next: NextFunction) => {
    // A bearer key (CLI, proxy) wins; else, under /staff, the dashboard's session cookie (the Web UI).
    if (!req.get('authorization') && req.baseUrl.startsWith('/staff')) {
      const user = await currentStaff(deps.db, readCookie(req, 'staff', 'session', deps.secureCookies ?? false));
      if (!user) throw new AppError('UNAUTHENTICATED', 'no staff dashboard session');
      req.staff = user;
    }
    await bearer(req, res, next);
  });
  router.use(CODEC_PATHS, async (req: Request, _res: Response, next: NextFunction) => {
    const staff = staffOf(req);
    const refusal = await refusalFor(staff);
    const direction = /^\/(decode|encode)$/.exec(req.path)?.[1] ?? 'codec';
    // Per caller and direction: a client retrying a refused decode is one row a minute, and an encode is its own question.
    if (refusal && auditDenial(`${staff.staffUserId}:${direction}`)) {
      await recordAudit(deps.db, {
        organizationId: staff.organizationId,
        actor: { type: 'staff', id: staff.staffUserId },
        action: `temporal.${direction}`,
        outcome: 'denied',
        origin: originOf(req),
        detail: { code: refusal.error.code, reason: refusal.reason },
      });
    }
    if (refusal) throw refusal.error;
    next();
  });
  // Only now, with the caller known and allowed: nobody else can make us parse 8 MB.
  router.use(CODEC_PATHS, express.json({ limit: CODEC_BODY_LIMIT, strict: true }));

  for (const direction of ['decode', 'encode'] as const) {
    router.post(
      CODEC_PATHS.map((base) => `${base}/${direction}`),
      async (req, res) => {
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
        const namespace = req.get('x-namespace')?.slice(0, 100) ?? null;
        if (direction === 'decode') {
          await recordCodecDecode(deps.db, payloads, {
            operator: staff,
            origin: originOf(req),
            namespace,
          });
          res.json({ payloads: payloads.map(toJson) });
          return;
        }
        await recordAudit(deps.db, {
          organizationId: staff.organizationId,
          actor: { type: 'staff', id: staff.staffUserId },
          action: `temporal.${direction}`,
          outcome: 'success',
          origin: originOf(req),
          detail: { payloads: payloads.length, namespace },
        });
        res.json({ payloads: payloads.map(toJson) });
      },
    );
  }
  return router;
}
