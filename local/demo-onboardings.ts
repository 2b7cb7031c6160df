/**
 * The demo practice's clients on the first `npm start`, so the staff
 * dashboard has something to show: one at each stage, all made the real way
 * (webhook use case → workflow → portal registration → signed forms). One
 * client's invitation lives only a minute, so a newcomer sees it turn Expired
 * and can resend it from the dashboard.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { listPortalDocuments, loadPortalDocument, submitForm } from '../use-cases/forms/portal-documents';
import { currentUser, signIn, type PortalUser } from '../use-cases/accounts/portal-sessions';
import { registerPortalAccount } from '../use-cases/accounts/register-portal-account';
import { receiveInvoice } from '../use-cases/billing/receive-invoice';
import type { TInvoice } from '../domain/billing';
import { startOnboarding } from '../use-cases/onboarding/start-onboarding';
import type { Logger } from '../observability/logger';
import { DEMO } from '../prisma/seed';
import { VALID_ANSWERS } from '../prisma/seed-data/demo-answers';
import { invitationToken } from '../security/tokens';

export interface DemoDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  tokenSigningKey: Buffer;
}

interface DemoClient {
  chart: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  invite: boolean;
  formPackage: boolean;
  /** How far to take them: registered, and how many forms to sign. */
  register?: boolean;
  sign?: number;
  /** Their invitation expires a minute after it is sent. */
  expiresSoon?: boolean;
  /** Invoices the demo EHR sends for them (a balance for My Account). */
  invoices?: TInvoice[];
}

const DEMO_CLIENTS: DemoClient[] = [
  {
    chart: 'DEMO-1001',
    firstName: 'Alan',
    lastName: 'Turing',
    dateOfBirth: '1982-06-23',
    invite: false,
    formPackage: false,
  },
  {
    chart: 'DEMO-1002',
    firstName: 'Grace',
    lastName: 'Hopper',
    dateOfBirth: '1986-12-09',
    invite: true,
    formPackage: true,
    expiresSoon: true,
  },
  {
    chart: 'DEMO-1003',
    firstName: 'Edsger',
    lastName: 'Dijkstra',
    dateOfBirth: '1990-05-11',
    invite: true,
    formPackage: true,
  },
  {
    chart: 'DEMO-1004',
    firstName: 'Katherine',
    lastName: 'Johnson',
    dateOfBirth: '1978-08-26',
    invite: true,
    formPackage: true,
    register: true,
    sign: 1,
  },
  {
    chart: 'DEMO-1005',
    firstName: 'Mary',
    lastName: 'Jackson',
    dateOfBirth: '1991-04-09',
    invite: true,
    formPackage: true,
    register: true,
    sign: 3,
    invoices: [
      {
        externalInvoiceId: 'INV-DEMO-2001',
        issuedOn: '2026-11-10',
        dueOn: '2026-12-10',
        currency: 'usd',
        status: 'OPEN',
        lines: [
          {
            serviceDate: '2026-11-03',
            description: 'Intake assessment, 60 min',
            serviceCode: '90791',
            units: 1,
            amountCents: 18000,
          },
          {
            serviceDate: '2026-11-10',
            description: 'Psychotherapy, 53 min',
            serviceCode: '90837',
            units: 1,
            amountCents: 15000,
          },
        ],
        // Insurance paid part and the plan's contracted rate wrote some off; the client's share is left.
        credits: [
          { kind: 'INSURANCE_PAYMENT', description: 'Insurance payment', postedOn: '2026-11-20', amountCents: 20000 },
          { kind: 'ADJUSTMENT', description: 'Contractual adjustment', postedOn: '2026-11-20', amountCents: 3500 },
        ],
        // Printed on the superbill only if the practice turns superbillDiagnosisCodes on.
        diagnosisCodes: ['F41.1'],
        balanceCents: 9500,
        superbill: {
          providerName: 'Dr. Demo Therapist, PhD',
          npi: '1234567893',
          taxId: '12-3456789',
          placeOfService: '11',
        },
      },
      {
        externalInvoiceId: 'INV-DEMO-2002',
        issuedOn: '2026-11-24',
        currency: 'usd',
        status: 'OPEN',
        lines: [
          {
            serviceDate: '2026-11-24',
            description: 'Psychotherapy, 45 min',
            serviceCode: '90834',
            units: 1,
            amountCents: 12000,
          },
        ],
        credits: [{ kind: 'INSURANCE_PAYMENT', description: 'Insurance payment', amountCents: 8000 }],
        diagnosisCodes: [],
        balanceCents: 4000,
      },
    ],
  },
];

const PASSWORD = 'demo client password 1';

/** The demo client with invoices from the demo EHR, who can sign in and pay them (npm start prints this). */
export const DEMO_PAYER = { email: 'mary.jackson@example.com', password: PASSWORD } as const;

async function until<T>(what: string, check: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo data: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Signs the first `count` forms waiting for the portal user, with valid answers, as the portal would. */
export async function signWaitingForms(
  deps: { db: Db; temporal: Client; logger: Logger },
  user: PortalUser,
  signerName: string,
  count = Number.POSITIVE_INFINITY,
): Promise<number> {
  const { db } = deps;
  const waiting = (await listPortalDocuments(db, user)).filter((document) => document.status !== 'SUBMITTED');
  let signed = 0;
  for (const summary of waiting.slice(0, count)) {
    const document = await loadPortalDocument(db, user, summary.assignmentId);
    const { formDefinition } = await db.formAssignment.findUniqueOrThrow({
      where: { id: summary.assignmentId },
      select: { formDefinition: { select: { key: true } } },
    });
    const answers = VALID_ANSWERS[formDefinition.key] ?? {};
    const result = await submitForm(
      deps,
      user,
      document!,
      { answers, signerName, agreed: true },
      {
        ip: '127.0.0.1',
        userAgent: 'demo data',
      },
    );
    if (result.outcome !== 'submitted') throw new Error(`demo data: could not sign "${summary.title}"`);
    signed += 1;
  }
  return signed;
}

/** Creates the demo clients once: does nothing when the demo practice already has onboardings. */
export async function seedDemoOnboardings(deps: DemoDeps): Promise<boolean> {
  const { db } = deps;
  if ((await db.onboarding.count({ where: { organizationId: DEMO.organizationId } })) > 0) return false;
  const integration = { id: DEMO.integrationId, organizationId: DEMO.organizationId, active: true };

  for (const client of DEMO_CLIENTS) {
    const email = `${client.firstName}.${client.lastName}@example.com`.toLowerCase();
    if (client.expiresSoon) {
      await db.organization.update({ where: { id: DEMO.organizationId }, data: { invitationTtlMinutes: 1 } });
    }
    try {
      const { onboardingId } = await startOnboarding(deps, integration, {
        type: 'chart.created',
        data: {
          externalChartId: client.chart,
          client: { firstName: client.firstName, lastName: client.lastName, dateOfBirth: client.dateOfBirth, email },
          portal: { invite: client.invite },
          formPackageKey: client.formPackage ? DEMO.defaultPackageKey : null,
          clinicianEmail: DEMO.therapistEmail,
        },
      });
      const invitation = client.invite
        ? await until(`${client.chart}'s invitation`, () =>
            db.invitation.findFirst({ where: { onboardingId }, select: { id: true } }),
          )
        : null;
      if (client.formPackage && client.invite) {
        await until(`${client.chart}'s forms`, async () =>
          (await db.formAssignment.count({ where: { onboardingId } })) > 0 ? true : null,
        );
      }
      if (client.register && invitation) {
        const token = invitationToken(deps.tokenSigningKey, invitation.id);
        const registered = await registerPortalAccount(deps, token, {
          lastName: client.lastName,
          dateOfBirth: client.dateOfBirth,
          password: PASSWORD,
          passwordConfirmation: PASSWORD,
        });
        if (registered.outcome !== 'registered') throw new Error(`demo data: ${client.chart} ${registered.outcome}`);
        const session = await signIn(db, DEMO.organizationId, email, PASSWORD);
        const user = await currentUser(db, session!);
        await signWaitingForms(deps, user!, `${client.firstName} ${client.lastName}`, client.sign ?? 0);
      }
      for (const [index, invoice] of (client.invoices ?? []).entries()) {
        await until(`${client.chart}'s chart`, () =>
          db.client.findUnique({
            where: {
              organizationId_externalChartId: { organizationId: DEMO.organizationId, externalChartId: client.chart },
            },
            select: { id: true },
          }),
        );
        await receiveInvoice(db, integration, `demo-invoice-${client.chart}-${index}`, {
          type: 'invoice.upserted',
          data: { externalChartId: client.chart, invoice, appliedReceiptNumbers: [] },
        });
      }
    } finally {
      // The short lifetime was read by this client's first invitation only; everyone else gets 7 days.
      if (client.expiresSoon) {
        await db.organization.update({ where: { id: DEMO.organizationId }, data: { invitationTtlMinutes: null } });
      }
    }
  }
  deps.logger.info({ clients: DEMO_CLIENTS.length }, 'demo clients created');
  return true;
}
