/**
 * The organisation's forms and packages, managed by its admins. A form is
 * never edited: publishing under an existing key creates the next version,
 * and packages move to it, so clients sent forms from now on get the new
 * text while every signed form keeps pointing at the version its client saw.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import { definitionSha256 } from '../../domain/signature-record';
import { AppError } from '../app-error';
import type { TPublishFormRequest, TPutFormPackageRequest } from '../../schemas/forms';
import type { StaffPrincipal } from '../staff-principal';

export function assertAdmin(staff: StaffPrincipal): void {
  if (staff.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'only admins manage forms and packages', {
      publicMessage: 'Only organisation administrators can manage forms and packages.',
    });
  }
}

const formSelect = { id: true, key: true, version: true, title: true, createdAt: true } as const;

/** The newest version of each form. */
export async function listForms(db: Db, organizationId: string) {
  const rows = await db.formDefinition.findMany({
    where: { organizationId },
    orderBy: [{ key: 'asc' }, { version: 'desc' }],
    distinct: ['key'],
    select: formSelect,
  });
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}

export async function getForm(db: Db, organizationId: string, key: string, version?: number) {
  const row = await db.formDefinition.findFirst({
    where: { organizationId, key, ...(version ? { version } : {}) },
    orderBy: { version: 'desc' },
    select: { ...formSelect, definition: true },
  });
  if (!row) throw new AppError('NOT_FOUND', 'no such form');
  return { ...row, createdAt: row.createdAt.toISOString() };
}

/**
 * Publishes a form: version 1 of a new key, or the next version of an
 * existing one. Publishing the same content again changes nothing.
 */
export async function publishForm(db: Db, organizationId: string, request: TPublishFormRequest) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await db.$transaction(async (tx) => {
        const latest = await tx.formDefinition.findFirst({
          where: { organizationId, key: request.key },
          orderBy: { version: 'desc' },
          select: { ...formSelect, definition: true },
        });
        if (
          latest &&
          latest.title === request.title &&
          definitionSha256(latest.definition) === definitionSha256(request.definition)
        ) {
          return { form: { ...latest, createdAt: latest.createdAt.toISOString() }, created: false };
        }
        const created = await tx.formDefinition.create({
          data: {
            organizationId,
            key: request.key,
            version: (latest?.version ?? 0) + 1,
            title: request.title,
            definition: request.definition,
          },
          select: { ...formSelect, definition: true },
        });
        if (latest) {
          // Packages follow the newest version; assignments already made keep theirs.
          await tx.formPackageItem.updateMany({
            where: { formDefinitionId: { in: await versionIdsOf(tx, organizationId, request.key) } },
            data: { formDefinitionId: created.id },
          });
        }
        return { form: { ...created, createdAt: created.createdAt.toISOString() }, created: true };
      });
    } catch (error) {
      // Two admins publishing the same key at once: the loser takes the next number.
      const raced = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
      if (!raced || attempt >= 2) throw error;
    }
  }
}

async function versionIdsOf(tx: Prisma.TransactionClient, organizationId: string, key: string) {
  const rows = await tx.formDefinition.findMany({ where: { organizationId, key }, select: { id: true } });
  return rows.map((row) => row.id);
}

const packageSelect = {
  id: true,
  key: true,
  name: true,
  isDefault: true,
  items: {
    orderBy: { position: 'asc' },
    select: { formDefinition: { select: { id: true, key: true, version: true, title: true } } },
  },
} as const satisfies Prisma.FormPackageSelect;

function packageResponse(row: Prisma.FormPackageGetPayload<{ select: typeof packageSelect }>) {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    isDefault: row.isDefault,
    forms: row.items.map(({ formDefinition }) => ({
      formDefinitionId: formDefinition.id,
      key: formDefinition.key,
      version: formDefinition.version,
      title: formDefinition.title,
    })),
  };
}

export async function listPackages(db: Db, organizationId: string) {
  const rows = await db.formPackage.findMany({
    where: { organizationId },
    orderBy: { key: 'asc' },
    select: packageSelect,
  });
  return rows.map(packageResponse);
}

/** The newest version of each form key, in the order given; unknown keys are a 400 naming them. */
export async function latestVersionsOf(
  db: Db | Prisma.TransactionClient,
  organizationId: string,
  keys: string[],
  path: string,
) {
  const rows = await db.formDefinition.findMany({
    where: { organizationId, key: { in: keys } },
    orderBy: [{ key: 'asc' }, { version: 'desc' }],
    distinct: ['key'],
    select: { id: true, key: true },
  });
  const byKey = new Map(rows.map((row) => [row.key, row.id]));
  const unknown = keys.map((key, index) => ({ key, index })).filter(({ key }) => !byKey.has(key));
  if (unknown.length) {
    throw new AppError('VALIDATION_FAILED', 'unknown form keys', {
      fields: unknown.map(({ index }) => ({ path: `${path}.${index}`, message: 'is not a form of this organisation' })),
    });
  }
  if (new Set(keys).size !== keys.length) {
    throw new AppError('VALIDATION_FAILED', 'repeated form keys', {
      fields: [{ path, message: 'must not name a form twice' }],
    });
  }
  return keys.map((key) => byKey.get(key)!);
}

/** Creates or replaces a package ("Form & Assessment Package", seed 000) with the newest version of each form. */
export async function putPackage(db: Db, organizationId: string, key: string, request: TPutFormPackageRequest) {
  const definitionIds = await latestVersionsOf(db, organizationId, request.forms, 'forms');
  const row = await db.$transaction(async (tx) => {
    if (request.isDefault) {
      // Two admins making different packages the default at once would each clear only the
      // other defaults already committed, leaving two: saves of a default take turns.
      await tx.$queryRaw`SELECT id FROM organization WHERE id = ${organizationId}::uuid FOR NO KEY UPDATE`;
      await tx.formPackage.updateMany({
        where: { organizationId, isDefault: true, key: { not: key } },
        data: { isDefault: false },
      });
    }
    const saved = await tx.formPackage.upsert({
      where: { organizationId_key: { organizationId, key } },
      create: { organizationId, key, name: request.name, isDefault: request.isDefault },
      update: { name: request.name, isDefault: request.isDefault },
      select: { id: true },
    });
    await tx.formPackageItem.deleteMany({ where: { packageId: saved.id } });
    await tx.formPackageItem.createMany({
      data: definitionIds.map((formDefinitionId, position) => ({ packageId: saved.id, formDefinitionId, position })),
    });
    return tx.formPackage.findUniqueOrThrow({ where: { id: saved.id }, select: packageSelect });
  });
  return packageResponse(row);
}
