/**
 * How clients reach a practice, and its superbill switch: the settings added
 * with migration 20261205120000_practice_contact_superbill_codes. Read and
 * written with SQL because they were added while the Prisma client in use
 * across parallel branches was generated without them; once every checkout
 * has regenerated it, these can move into practice-settings.ts's SELECT.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import type { TPracticeContact } from '../../schemas/practice-settings';

export interface PracticeExtras extends TPracticeContact {
  superbillDiagnosisCodes: boolean;
}

type Queryable = Db | Prisma.TransactionClient;

export const NO_CONTACT: TPracticeContact = {
  contactPhone: null,
  contactEmail: null,
  contactAddress: null,
  contactWebsite: null,
};

export async function practiceExtrasOf(db: Queryable, organizationId: string): Promise<PracticeExtras> {
  const rows = await db.$queryRaw<PracticeExtras[]>`
    SELECT contact_phone AS "contactPhone", contact_email AS "contactEmail", contact_address AS "contactAddress",
           contact_website AS "contactWebsite", superbill_diagnosis_codes AS "superbillDiagnosisCodes"
    FROM organization WHERE id = ${organizationId}::uuid`;
  const row = rows[0];
  if (!row) throw new Error(`no organisation ${organizationId}`);
  return row;
}

/** The practice's contact details only, for the pages that name them. */
export async function practiceContactOf(db: Queryable, organizationId: string): Promise<TPracticeContact> {
  const { superbillDiagnosisCodes: _, ...contact } = await practiceExtrasOf(db, organizationId);
  return contact;
}

/** Writes those of the fields that `patch` carries (undefined: unchanged; null: cleared). */
export async function updatePracticeExtras(
  tx: Prisma.TransactionClient,
  organizationId: string,
  patch: Partial<PracticeExtras>,
): Promise<void> {
  if (Object.values(patch).every((value) => value === undefined)) return;
  const current = await practiceExtrasOf(tx, organizationId);
  const next = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) };
  await tx.$executeRaw`
    UPDATE organization SET contact_phone = ${next.contactPhone}, contact_email = ${next.contactEmail},
      contact_address = ${next.contactAddress}, contact_website = ${next.contactWebsite},
      superbill_diagnosis_codes = ${next.superbillDiagnosisCodes}
    WHERE id = ${organizationId}::uuid`;
}
