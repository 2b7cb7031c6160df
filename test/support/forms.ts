import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { PortalUser } from '../../use-cases/accounts/portal-sessions';
import { VALID_ANSWERS } from '../../prisma/seed-data/demo-answers';
import { signWaitingForms } from '../../local/demo-onboardings';
import { createLogger } from '../../observability/logger';

export { VALID_ANSWERS };

/** Signs every form waiting for the portal user, as the portal would. */
export async function signAllForms(db: Db, temporal: Client, user: PortalUser, signerName = 'Florence Nightingale') {
  await signWaitingForms({ db, temporal, logger: createLogger({ level: 'silent' }) }, user, signerName);
}
