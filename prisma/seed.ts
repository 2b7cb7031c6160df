/**
 * Demo data for `npm start`: one organisation, one admin, one EHR integration
 * and the three standard forms in a default package. Fixed ids so the
 * README's curl examples work; idempotent, so every start may run it.
 */
import type { Db } from '../db/client';
import { newWebhookSecret } from '../security/standard-webhooks';
import { hashToken } from '../security/tokens';
import { STANDARD_FORMS } from './seed-data/standard-forms';

export const DEMO = {
  organizationId: '5eed0000-0000-4000-8000-000000000001',
  adminId: '5eed0000-0000-4000-8000-000000000002',
  integrationId: '5eed0000-0000-4000-8000-000000000003',
  organizationSlug: 'demo-practice',
  defaultPackageKey: 'default-intake',
} as const;

/**
 * @param options.adminApiKey when given, the demo admin's API key (stored as
 *   its hash), so a local `npm start` can print a key that works.
 * @param options.webhookSecret the demo EHR integration's signing secret
 *   (set on every call, so a local start's printed secret always works).
 */
export async function seedDemo(db: Db, options: { adminApiKey?: string; webhookSecret?: string } = {}): Promise<void> {
  const webhookSecret = options.webhookSecret ?? newWebhookSecret();
  await db.$transaction(async (tx) => {
    await tx.organization.upsert({
      where: { id: DEMO.organizationId },
      create: {
        id: DEMO.organizationId,
        slug: DEMO.organizationSlug,
        name: 'Riverside Counselling (demo)',
        invitationIntroText:
          'Welcome to Riverside Counselling. Our client portal is where you will complete your intake forms before your first session.',
      },
      update: {},
    });
    await tx.staffUser.upsert({
      where: { id: DEMO.adminId },
      create: {
        id: DEMO.adminId,
        organizationId: DEMO.organizationId,
        email: 'admin@demo-practice.test',
        displayName: 'Demo Admin',
        role: 'ADMIN',
        canInvite: true,
      },
      update: {},
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
      update: options.webhookSecret ? { signingSecret: options.webhookSecret } : {},
    });
    const forms = [];
    for (const form of STANDARD_FORMS) {
      forms.push(
        await tx.formDefinition.upsert({
          where: {
            organizationId_key_version: { organizationId: DEMO.organizationId, key: form.key, version: 1 },
          },
          create: {
            organizationId: DEMO.organizationId,
            key: form.key,
            version: 1,
            title: form.title,
            definition: form.definition,
          },
          update: {},
        }),
      );
    }
    const defaultPackage = await tx.formPackage.upsert({
      where: { organizationId_key: { organizationId: DEMO.organizationId, key: DEMO.defaultPackageKey } },
      create: {
        organizationId: DEMO.organizationId,
        key: DEMO.defaultPackageKey,
        name: 'New client intake',
        isDefault: true,
      },
      update: {},
    });
    await tx.formPackageItem.createMany({
      data: forms.map((form, position) => ({ packageId: defaultPackage.id, formDefinitionId: form.id, position })),
      skipDuplicates: true,
    });
  });
}
