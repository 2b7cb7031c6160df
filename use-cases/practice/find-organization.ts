import { z } from 'zod';
import type { Db } from '../../db/client';
import { AppError } from '../app-error';
import { practiceContactOf } from './practice-contact';

const ZOrgSlug = z.string().regex(/^[a-z0-9-]{1,64}$/);

/** The practice a portal or dashboard URL names, with how to reach it; an unknown or malformed slug is a 404. */
export async function findOrganizationBySlug(db: Db, slug: string) {
  const parsed = ZOrgSlug.safeParse(slug);
  const org = parsed.success
    ? await db.organization.findUnique({
        where: { slug: parsed.data },
        select: { id: true, name: true, slug: true, brandColor: true },
      })
    : null;
  if (!org) throw new AppError('NOT_FOUND', 'unknown organisation slug');
  return { ...org, contact: await practiceContactOf(db, org.id) };
}
