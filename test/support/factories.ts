import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import type { TChartCreatedWebhook } from '../../api/schemas/chart-created-webhook';

export interface TestOrganization {
  organizationId: string;
  integrationId: string;
  formPackageKey: string;
}

/** An organisation of its own for each test, with an EHR integration and a one-form package. */
export async function createTestOrganization(db: Db): Promise<TestOrganization> {
  const suffix = randomBytes(4).toString('hex');
  const organization = await db.organization.create({
    data: { slug: `practice-${suffix}`, name: `Practice ${suffix}` },
  });
  const integration = await db.ehrIntegration.create({
    data: { organizationId: organization.id, name: 'Test EHR' },
  });
  const form = await db.formDefinition.create({
    data: {
      organizationId: organization.id,
      key: 'notice-of-privacy-practices',
      version: 1,
      title: 'Notice of Privacy Practices',
      definition: { sections: [] },
    },
  });
  const formPackage = await db.formPackage.create({
    data: {
      organizationId: organization.id,
      key: 'intake',
      name: 'Intake',
      isDefault: true,
      items: { create: [{ formDefinitionId: form.id, position: 0 }] },
    },
  });
  return { organizationId: organization.id, integrationId: integration.id, formPackageKey: formPackage.key };
}

export interface ChartOverrides {
  externalChartId?: string;
  firstName?: string;
  lastName?: string;
  dateOfBirth?: string;
  email?: string;
  invite?: boolean;
  formPackageKey?: string | null;
}

/** A chart-created webhook with unique, recognisable PHI (so tests can search for leaks of it). */
export function chartCreatedWebhook(overrides: ChartOverrides = {}): TChartCreatedWebhook {
  const unique = randomUUID().slice(0, 8);
  return {
    type: 'chart.created',
    data: {
      externalChartId: overrides.externalChartId ?? `CHART-${unique}`,
      client: {
        firstName: overrides.firstName ?? `Florence${unique}`,
        lastName: overrides.lastName ?? `Nightingale${unique}`,
        dateOfBirth: overrides.dateOfBirth ?? '1987-05-12',
        email: overrides.email ?? `client-${unique}@example.test`,
      },
      portal: { invite: overrides.invite ?? true },
      formPackageKey: overrides.formPackageKey ?? null,
    },
  };
}
