import type { Db } from '../db/client';
import type { TChartDetails } from '../domain/chart';
import { recordAudit } from '../audit/audit-log';
import { applyOnboardingProgress } from './onboarding-progress';

export interface CreateChartInput {
  onboardingId: string;
  organizationId: string;
  chart: TChartDetails;
}

export interface CreateChartResult {
  clientId: string;
}

export function createChartActivities({ db }: { db: Db }) {
  return {
    /**
     * Creates the client's chart and links it to the onboarding, in one
     * transaction. Idempotent: a retry after a crash (even one that happened
     * after the commit) finds the chart by the EHR's chart id and creates no
     * second client.
     */
    async createChart({ onboardingId, organizationId, chart }: CreateChartInput): Promise<CreateChartResult> {
      return db.$transaction(async (tx) => {
        const { client: person } = chart;
        const client = await tx.client.upsert({
          where: { organizationId_externalChartId: { organizationId, externalChartId: chart.externalChartId } },
          create: {
            organizationId,
            externalChartId: chart.externalChartId,
            firstName: person.firstName,
            lastName: person.lastName,
            dateOfBirth: new Date(`${person.dateOfBirth}T00:00:00Z`),
            email: person.email ?? null,
            phone: person.phone ?? null,
          },
          update: { externalChartId: chart.externalChartId },
          select: { id: true },
        });
        const linked = await tx.onboarding.updateMany({
          where: { id: onboardingId, chartCreatedAt: null },
          data: { clientId: client.id, chartCreatedAt: new Date() },
        });
        await recordAudit(tx, {
          organizationId,
          actor: { type: 'system' },
          action: 'chart.create',
          clientId: client.id,
          onboardingId,
          outcome: 'success',
        });
        await applyOnboardingProgress(tx, {
          onboardingId,
          // Only when this call linked the chart: run again (a retry after the commit, or an ops
          // reset to the first workflow task) it must not move an invited client back to CHART_CREATED.
          ...(linked.count > 0 ? { status: 'CHART_CREATED' as const } : {}),
          event: { key: 'chart-created', type: 'chart.created', detail: { clientId: client.id } },
        });
        return { clientId: client.id };
      });
    },
  };
}
