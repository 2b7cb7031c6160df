/**
 * Demo data for `npm start`: one organisation, an admin, a therapist, one EHR
 * integration, the three standard forms in a default package and PHQ-9/GAD-7. Fixed ids so the
 * README's curl examples work; idempotent, so every start may run it.
 */
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import { ZFormDefinition } from '../domain/form-definition';
import { hashPassword } from '../security/passwords';
import type { SecretBox } from '../security/secret-box';
import { assertStrongWebhookSecret, newWebhookSecret } from '../security/standard-webhooks';
import { hashToken } from '../security/tokens';
import { definitionSha256 } from '../domain/signature-record';
import { EARLIER_STANDARD_DEFINITIONS } from './seed-data/earlier-standard-forms';
import { STANDARD_ASSESSMENTS, standardForms } from './seed-data/standard-forms';

export const DEMO = {
  organizationId: '5eed0000-0000-4000-8000-000000000001',
  adminId: '5eed0000-0000-4000-8000-000000000002',
  integrationId: '5eed0000-0000-4000-8000-000000000003',
  organizationSlug: 'demo-practice',
  adminEmail: 'admin@demo-practice.test',
  therapistId: '5eed0000-0000-4000-8000-000000000004',
  therapistEmail: 'therapist@demo-practice.test',
  defaultPackageKey: 'default-intake',
  assessmentsPackageKey: 'intake-with-assessments',
  contactPhone: '(555) 010-0199',
  contactEmail: 'frontdesk@demo-practice.test',
} as const;

/**
 * The standard forms (seed 003) and the PHQ-9/GAD-7 assessments, with two
 * packages: the default intake (the three standard forms) and the same plus
 * both assessments. Idempotent. A new practice gets the current text as
 * version 1; a practice whose newest version is an earlier standard text gets
 * the current one as the next version, and its packages move to it (as
 * publishing does), while forms already sent or signed keep their version.
 */
export async function seedStandardForms(tx: Prisma.TransactionClient, organizationId: string): Promise<void> {
  const org = await tx.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { name: true } });
  const standard = standardForms(org.name);
  const ids = new Map<string, string>();
  for (const form of [...standard, ...STANDARD_ASSESSMENTS]) {
    // Parsed, so the stored JSON carries every default and is exactly what the portal renders.
    const definition = ZFormDefinition.parse(form.definition);
    const latest = await tx.formDefinition.findFirst({
      where: { organizationId, key: form.key },
      orderBy: { version: 'desc' },
      select: { id: true, version: true, definition: true },
    });
    const superseded = (EARLIER_STANDARD_DEFINITIONS[form.key] ?? []).map((earlier) =>
      definitionSha256(ZFormDefinition.parse(earlier)),
    );
    if (latest && !superseded.includes(definitionSha256(latest.definition))) {
      ids.set(form.key, latest.id);
      continue;
    }
    const created = await tx.formDefinition.create({
      data: { organizationId, key: form.key, version: (latest?.version ?? 0) + 1, title: form.title, definition },
      select: { id: true },
    });
    if (latest) {
      await tx.formPackageItem.updateMany({
        where: { formDefinition: { organizationId, key: form.key } },
        data: { formDefinitionId: created.id },
      });
    }
    ids.set(form.key, created.id);
  }
  const packages = [
    { key: DEMO.defaultPackageKey, name: 'New client intake', isDefault: true, forms: standard },
    {
      key: DEMO.assessmentsPackageKey,
      name: 'New client intake with PHQ-9 and GAD-7',
      isDefault: false,
      forms: [...standard, ...STANDARD_ASSESSMENTS],
    },
  ];
  for (const pkg of packages) {
    const saved = await tx.formPackage.upsert({
      where: { organizationId_key: { organizationId, key: pkg.key } },
      create: { organizationId, key: pkg.key, name: pkg.name, isDefault: pkg.isDefault },
      update: {},
      select: { id: true, _count: { select: { items: true } } },
    });
    if (saved._count.items > 0) continue;
    await tx.formPackageItem.createMany({
      data: pkg.forms.map((form, position) => ({
        packageId: saved.id,
        formDefinitionId: ids.get(form.key)!,
        position,
      })),
    });
  }
}

/**
 * @param options.adminApiKey when given, the demo admin's API key (stored as
 *   its hash), so a local `npm start` can print a key that works.
 * @param options.webhookSecret the demo EHR integration's signing secret
 *   (set on every call, so a local start's printed secret always works).
 * @param options.secretBox seals the signing secret before it is stored
 *   (security/secret-box.ts).
 */
export async function seedDemo(
  db: Db,
  options: { secretBox: SecretBox; adminApiKey?: string; webhookSecret?: string; adminPassword?: string },
): Promise<void> {
  if (options.webhookSecret) assertStrongWebhookSecret(options.webhookSecret);
  const webhookSecret = options.secretBox.seal(options.webhookSecret ?? newWebhookSecret());
  // Hashed outside the transaction: argon2id takes a moment on purpose.
  const adminPasswordHash = options.adminPassword ? await hashPassword(options.adminPassword) : undefined;
  await db.$transaction(async (tx) => {
    await tx.organization.upsert({
      where: { id: DEMO.organizationId },
      create: {
        id: DEMO.organizationId,
        slug: DEMO.organizationSlug,
        name: 'Riverside Counselling (demo)',
        // The demo shows My Account's Pay Now (seed 002); a real practice turns payments on itself.
        paymentsEnabled: true,
        invitationIntroText:
          'Welcome to Riverside Counselling. Our client portal is where you will complete your intake forms before your first session.',
      },
      update: {},
    });
    // How the demo's clients reach the practice (footer, expired links). Filled where empty, so a demo
    // database from before these settings gets them too, and details an admin typed are kept.
    await tx.$executeRaw`
      UPDATE organization SET contact_phone = COALESCE(contact_phone, ${DEMO.contactPhone}),
        contact_email = COALESCE(contact_email, ${DEMO.contactEmail})
      WHERE id = ${DEMO.organizationId}::uuid`;
    await tx.staffUser.upsert({
      where: { id: DEMO.adminId },
      create: {
        id: DEMO.adminId,
        organizationId: DEMO.organizationId,
        email: DEMO.adminEmail,
        displayName: 'Demo Admin',
        role: 'ADMIN',
        canInvite: true,
        passwordHash: adminPasswordHash ?? null,
      },
      update: adminPasswordHash ? { passwordHash: adminPasswordHash } : {},
    });
    if (options.adminApiKey) {
      const keyHash = hashToken(options.adminApiKey);
      await tx.staffApiKey.upsert({
        where: { keyHash },
        create: { organizationId: DEMO.organizationId, staffUserId: DEMO.adminId, name: 'local demo', keyHash },
        update: {},
      });
    }
    await tx.ehrIntegration.upsert({
      where: { id: DEMO.integrationId },
      create: {
        id: DEMO.integrationId,
        organizationId: DEMO.organizationId,
        name: 'Demo EHR',
        signingSecret: webhookSecret,
      },
      update: options.webhookSecret ? { signingSecret: webhookSecret } : {},
    });
    await seedStandardForms(tx, DEMO.organizationId);
    await tx.staffUser.upsert({
      where: { id: DEMO.therapistId },
      create: {
        id: DEMO.therapistId,
        organizationId: DEMO.organizationId,
        email: 'therapist@demo-practice.test',
        displayName: 'Dr. Demo Therapist',
        role: 'THERAPIST',
        canInvite: false,
      },
      update: {},
    });
  });
}
