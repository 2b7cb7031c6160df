import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActivityDependencies } from '../../activities';
import type { Db } from '../../db/client';
import { createOutboxMailer, type Mailer } from '../../emails/mailer';
import type { DeliveryEventSink } from '../../emails/delivery-simulation';
import { testSecretBox } from './factories';

export const TEST_PUBLIC_BASE_URL = 'http://portal.test';

/**
 * Real-but-local activity dependencies: the test database, an outbox mailer
 * writing to a fresh folder (or the mailer given), a fresh signing key, and
 * the factories' secret box, which opens the secrets they store.
 */
export function testActivityDeps(
  db: Db,
  options: { mailer?: Mailer; publicBaseUrl?: string; deliveryEvents?: DeliveryEventSink } = {},
): ActivityDependencies & { outboxDir: string } {
  const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
  return {
    db,
    mailer:
      options.mailer ??
      createOutboxMailer({
        dir: outboxDir,
        from: 'Test Practice <portal@practice.test>',
        ...(options.deliveryEvents ? { deliveryEvents: options.deliveryEvents } : {}),
      }),
    tokenSigningKey: randomBytes(32),
    publicBaseUrl: options.publicBaseUrl ?? TEST_PUBLIC_BASE_URL,
    secretBox: testSecretBox,
    // The tests' EHR stand-ins listen on 127.0.0.1 over plain http.
    allowPrivateCallbackTargets: true,
    outboxDir,
  };
}
