import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import type { TInvoice } from '../../domain/billing';
import type { AccountHolder } from '../../use-cases/billing/portal-payments';
import { receiveInvoice } from '../../use-cases/billing/receive-invoice';
import { hashPassword } from '../../security/passwords';
import { onboardingWorkflowId } from '../../use-cases/onboarding/start-onboarding';
import type { TestOrganization } from './factories';

export const CLIENT_PASSWORD = 'violet harbour tuesday kite';

export interface PayingClient {
  holder: AccountHolder;
  onboardingId: string;
  externalChartId: string;
  email: string;
  firstName: string;
  lastName: string;
}

/**
 * A registered client with an active portal account, as onboarding leaves
 * one (chart, onboarding row assigned to a clinician, portal account with a
 * password), written directly: payment tests need the end state, not the flow.
 */
export async function createPayingClient(
  db: Db,
  org: TestOrganization,
  options: { assignedStaffId?: string; password?: boolean } = {},
): Promise<PayingClient> {
  const unique = randomBytes(4).toString('hex');
  const externalChartId = `CHART-PAY-${unique}`;
  const email = `payer-${unique}@example.test`;
  const firstName = `Ottilie${unique}`;
  const lastName = `Payne${unique}`;
  const client = await db.client.create({
    data: {
      organizationId: org.organizationId,
      externalChartId,
      firstName,
      lastName,
      dateOfBirth: new Date('1984-03-02T00:00:00Z'),
      email,
    },
  });
  const onboardingId = randomUUID();
  await db.onboarding.create({
    data: {
      id: onboardingId,
      organizationId: org.organizationId,
      integrationId: org.integrationId,
      externalChartId,
      workflowId: onboardingWorkflowId(onboardingId),
      clientId: client.id,
      inviteRequested: true,
      status: 'COMPLETE',
      assignedStaffId: options.assignedStaffId ?? null,
    },
  });
  const account = await db.portalAccount.create({
    data: {
      organizationId: org.organizationId,
      clientId: client.id,
      email,
      status: 'ACTIVE',
      registeredAt: new Date(),
      passwordHash: options.password === false ? null : await hashPassword(CLIENT_PASSWORD),
    },
  });
  return {
    holder: { organizationId: org.organizationId, clientId: client.id, portalAccountId: account.id },
    onboardingId,
    externalChartId,
    email,
    firstName,
    lastName,
  };
}

export function testInvoice(overrides: Partial<TInvoice> = {}): TInvoice {
  return {
    externalInvoiceId: `INV-${randomBytes(4).toString('hex')}`,
    issuedOn: '2026-11-02',
    dueOn: null,
    currency: 'usd',
    status: 'OPEN',
    lines: [
      {
        serviceDate: '2026-11-02',
        description: 'Psychotherapy, 53 min',
        serviceCode: '90837',
        units: 1,
        amountCents: 15000,
      },
    ],
    balanceCents: 6000,
    superbill: { providerName: 'Dr. Test', npi: '1234567893', taxId: '12-3456789', placeOfService: '11' },
    credits: [],
    diagnosisCodes: [],
    ...overrides,
  };
}

/** An invoice as the EHR's invoice.upserted webhook would deliver it. */
export async function giveInvoice(db: Db, org: TestOrganization, client: PayingClient, invoice: TInvoice) {
  return receiveInvoice(
    db,
    { id: org.integrationId, organizationId: org.organizationId, active: true },
    `msg_${randomUUID()}`,
    { type: 'invoice.upserted', data: { externalChartId: client.externalChartId, invoice, appliedReceiptNumbers: [] } },
  );
}

export async function enablePayments(db: Db, organizationId: string): Promise<void> {
  await db.organization.update({ where: { id: organizationId }, data: { paymentsEnabled: true } });
}

export function submissionKey(): string {
  return randomBytes(24).toString('base64url');
}
