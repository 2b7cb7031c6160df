/**
 * `Idempotency-Key` on the staff actions of the JSON API (issue 21): a caller
 * that lost an answer (a dropped connection, a 5xx) retries with the same key
 * and gets the first answer again, with the action done once.
 *
 * Two layers, because the answer can be lost after the action took effect and
 * before it was stored (the API process killed mid-request): the stored answer
 * replays a finished action without touching the workflow, and the action's
 * workflow update carries an id derived from the key, so Temporal itself runs
 * it once however often it is sent. Only a success is stored: a refusal (409)
 * or an outage (503) may be retried under the same key and still acts at most
 * once. The same key with another request (method, path or body) is a 422.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import { AppError } from '../use-cases/app-error';
import { staffOf } from './staff-auth';
import { fieldErrors } from './error-handler';
import { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER, ZIdempotencyKey } from '../schemas/idempotency-key';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function keyOf(req: Request): string | undefined {
  const raw = req.get(IDEMPOTENCY_KEY_HEADER);
  if (raw === undefined) return undefined;
  const parsed = ZIdempotencyKey.safeParse(raw);
  if (!parsed.success) throw fieldErrors(parsed.error, ['headers', IDEMPOTENCY_KEY_HEADER]);
  return parsed.data;
}

/**
 * Answers a staff action at most once per key. `act` gets the id its
 * workflow update must carry (undefined without a key) and returns the body
 * of a 200.
 */
export async function idempotent(
  db: Db,
  req: Request,
  res: Response,
  act: (actionId: string | undefined) => Promise<object>,
): Promise<void> {
  const key = keyOf(req);
  if (key === undefined) {
    res.json(await act(undefined));
    return;
  }
  const staff = staffOf(req);
  const keyHash = sha256(`${staff.organizationId}\n${key}`);
  const fingerprint = sha256(`${req.method} ${req.baseUrl}${req.path}\n${JSON.stringify(req.body ?? null)}`);
  const where = { organizationId_keyHash: { organizationId: staff.organizationId, keyHash } };
  // Concurrent first uses of one key both land here; one row wins and both go on (the update id dedups).
  await db.staffIdempotencyKey.createMany({
    data: [{ organizationId: staff.organizationId, keyHash, staffUserId: staff.staffUserId, fingerprint }],
    skipDuplicates: true,
  });
  const row = await db.staffIdempotencyKey.findUniqueOrThrow({ where });
  if (row.fingerprint !== fingerprint) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'idempotency key reused with another request');
  }
  if (row.responseStatus !== null) {
    res
      .status(row.responseStatus)
      .set(REPLAYED_HEADER, 'true')
      .json(row.responseBody ?? {});
    return;
  }
  let body: object;
  try {
    body = await act(`staff-action-${keyHash}`);
  } catch (error) {
    // A refusal did nothing, so it leaves nothing behind either (an outage might have acted: the row stays).
    if (error instanceof AppError && !['UNAVAILABLE', 'INTERNAL'].includes(error.code)) {
      await db.staffIdempotencyKey.deleteMany({ where: { ...where.organizationId_keyHash, responseStatus: null } });
    }
    throw error;
  }
  const answer = { responseStatus: 200, responseBody: body as Prisma.InputJsonObject };
  // An upsert: a concurrent refusal under the same key may have deleted the row meanwhile.
  await db.staffIdempotencyKey.upsert({
    where,
    create: { ...where.organizationId_keyHash, staffUserId: staff.staffUserId, fingerprint, ...answer },
    update: answer,
  });
  res.json(body);
}
