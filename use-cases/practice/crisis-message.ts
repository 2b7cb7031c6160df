/**
 * The practice's crisis message (schemas/practice-settings.ts). Read and
 * written with SQL of its own, so that it works whether or not the Prisma
 * client in use was generated from a schema that has the column yet.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';

export async function readCrisisMessage(
  db: Db | Prisma.TransactionClient,
  organizationId: string,
): Promise<string | null> {
  const rows = await db.$queryRaw<{ crisis_message: string | null }[]>`
    SELECT crisis_message FROM organization WHERE id = ${organizationId}::uuid`;
  return rows[0]?.crisis_message ?? null;
}

export async function writeCrisisMessage(
  tx: Prisma.TransactionClient,
  organizationId: string,
  crisisMessage: string | null,
): Promise<void> {
  await tx.$executeRaw`UPDATE organization SET crisis_message = ${crisisMessage} WHERE id = ${organizationId}::uuid`;
}
