import type { Request, Response } from 'express';
import type { Db } from '../db/client';
import { addressBucket } from '../security/address-bucket';
import { createRateLimiter, rateLimitKeySecret } from '../security/rate-limiter';
import { html, page } from './html';
import { howToReach, practiceOfPath } from './practice-contact';
import { send } from './send-page';

/** Sign-in, registration and password-reset posts allowed per client address per window. */
export const DOOR_ATTEMPTS_PER_WINDOW = 20;
export const DOOR_WINDOW_MS = 5 * 60 * 1000;

/**
 * Per client address, on every door a guesser would knock on (see
 * security/rate-limiter.ts): answers true, after sending a 429 page, when the
 * address has knocked too often.
 */
export function doorLimiter(db: Db, name: string, tokenSigningKey: Buffer) {
  const doors = createRateLimiter(db, {
    name,
    limit: DOOR_ATTEMPTS_PER_WINDOW,
    windowMs: DOOR_WINDOW_MS,
    keySecret: rateLimitKeySecret(tokenSigningKey),
  });
  return async (req: Request, res: Response): Promise<boolean> => {
    if (await doors.attempt(addressBucket(req.ip))) return false;
    res.setHeader('Retry-After', String(DOOR_WINDOW_MS / 1000));
    const practice = await practiceOfPath(db, req.path);
    send(
      res,
      429,
      page({
        title: 'Please wait a few minutes',
        practiceName: practice?.name,
        brandColor: practice?.brandColor,
        contact: practice?.contact,
        body: html`<div class="card">
          <p>There have been too many attempts from your network. Please wait a few minutes and try again.</p>
          ${
            practice
              ? html`<p>If you cannot wait:</p>
                  ${howToReach(practice)}`
              : ''
          }
        </div>`,
      }),
    );
    return true;
  };
}
