/**
 * My Account for a signed-in client (seed 002): balance, account history,
 * Pay Now, cards on file. Nothing here knows HTTP; the pages are in
 * web/portal/my-account.ts.
 *
 * A payment is a payment_request row plus its workflow (workflows/payment.ts).
 * The row is keyed by the review page's submission key, so the same page
 * posted twice (a double click, a retried request) is one request, and a
 * client has at most one payment open at a time, so a second tab finds the
 * first one's payment instead of starting another.
 */
import { WorkflowExecutionAlreadyStartedError, type Client as TemporalClient } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { MAX_PAYMENT_CENTS } from '../../domain/money';
import { ZInvoice, type TInvoice } from '../../domain/billing';
import type { PaymentProvider } from '../../payments/payment-provider';
import {
  cancelPaymentSignal,
  checkoutLinkUpdate,
  paymentRequest,
  paymentWorkflowId,
  type CheckoutLink,
} from '../../workflows/payment';
import { AppError } from '../app-error';
import { clientPaymentStep } from './onboarding-payment-step';
import type { PortalUser } from '../accounts/portal-sessions';

/** How long the Pay button waits for the provider's page before showing a "one moment" page that refreshes. */
const CHECKOUT_LINK_WAIT_MS = 10_000;

export const OPEN_PAYMENT_STATUSES = ['PENDING', 'AWAITING_PAYMENT', 'PROCESSING'] as const;

export interface PaymentDeps {
  db: Db;
  temporal: TemporalClient;
  taskQueue: string;
  /** Null where this deployment takes no payments (PAYMENTS_PROVIDER=none). */
  payments: PaymentProvider | null;
}

export interface AccountHolder {
  organizationId: string;
  clientId: string;
  portalAccountId: string;
}

export async function accountHolder(db: Db, user: PortalUser): Promise<AccountHolder> {
  const account = await db.portalAccount.findUniqueOrThrow({
    where: { id: user.portalAccountId },
    select: { clientId: true },
  });
  return { organizationId: user.organizationId, clientId: account.clientId, portalAccountId: user.portalAccountId };
}

/** Payments are taken only where the deployment has a provider and the practice has switched them on (seed 003). */
export async function paymentsOpen(deps: Pick<PaymentDeps, 'db' | 'payments'>, organizationId: string) {
  if (!deps.payments) return false;
  const org = await deps.db.organization.findUniqueOrThrow({
    where: { id: organizationId },
    select: { paymentsEnabled: true },
  });
  return org.paymentsEnabled;
}

export type HistoryKind = 'invoice' | 'payment';

export interface HistoryEntry {
  kind: HistoryKind;
  id: string;
  date: Date;
  description: string;
  /** Charges are positive, payments negative, as on a statement. */
  amountCents: number;
  /** Invoices: what is still owed on it. */
  balanceCents: number | null;
  status: string;
  hasSuperbill: boolean;
  /** Payments: the request, for its receipt page. */
  paymentRequestId: string | null;
}

export interface HistoryQuery {
  kind?: HistoryKind;
  from?: string;
  to?: string;
  sort: 'date' | 'amount';
  order: 'asc' | 'desc';
}

export interface AccountOverview {
  balanceCents: number;
  history: HistoryEntry[];
  cards: { id: string; brand: string; last4: string; expMonth: number; expYear: number; isDefault: boolean }[];
  openPayment: { id: string; status: string } | null;
  paymentsOpen: boolean;
}

export async function accountOverview(
  deps: Pick<PaymentDeps, 'db' | 'payments'>,
  holder: AccountHolder,
  query: HistoryQuery,
): Promise<AccountOverview> {
  const { db } = deps;
  const [invoices, payments, cards, open, enabled] = await Promise.all([
    db.invoice.findMany({ where: { clientId: holder.clientId, status: { not: 'VOID' } } }),
    db.payment.findMany({ where: { clientId: holder.clientId } }),
    listCards(db, holder),
    db.paymentRequest.findFirst({
      where: { clientId: holder.clientId, status: { in: [...OPEN_PAYMENT_STATUSES] } },
      orderBy: { createdAt: 'desc' },
      select: { id: true, status: true },
    }),
    paymentsOpen(deps, holder.organizationId),
  ]);
  const balanceCents = invoices
    .filter((invoice) => invoice.status === 'OPEN')
    .reduce((sum, invoice) => sum + invoice.balanceCents, 0);
  const entries: HistoryEntry[] = [
    ...invoices.map((invoice) => {
      const document = invoice.document as TInvoice;
      return {
        kind: 'invoice' as const,
        id: invoice.id,
        date: invoice.issuedOn,
        description: `Invoice ${invoice.externalInvoiceId}: ${document.lines.map((line) => line.description).join(', ')}`,
        amountCents: invoice.totalCents,
        balanceCents: invoice.balanceCents,
        status: invoice.status,
        hasSuperbill: Boolean(document.superbill),
        paymentRequestId: null,
      };
    }),
    ...payments.map((payment) => ({
      kind: 'payment' as const,
      id: payment.id,
      date: payment.paidAt,
      description: `Payment ${payment.receiptNumber}${payment.cardLast4 ? ` (card ending ${payment.cardLast4})` : ''}`,
      amountCents: -payment.amountCents,
      balanceCents: null,
      status: 'PAID',
      hasSuperbill: false,
      paymentRequestId: payment.paymentRequestId,
    })),
  ];
  const from = query.from ? new Date(`${query.from}T00:00:00Z`) : null;
  const to = query.to ? new Date(`${query.to}T23:59:59.999Z`) : null;
  const history = entries
    .filter((entry) => !query.kind || entry.kind === query.kind)
    .filter((entry) => (!from || entry.date >= from) && (!to || entry.date <= to))
    .sort((a, b) => {
      const by =
        query.sort === 'amount'
          ? Math.abs(a.amountCents) - Math.abs(b.amountCents)
          : a.date.getTime() - b.date.getTime();
      return query.order === 'asc' ? by : -by;
    });
  return { balanceCents, history, cards, openPayment: open, paymentsOpen: enabled };
}

export function listCards(db: Db, holder: AccountHolder) {
  return db.paymentCard.findMany({
    where: { clientId: holder.clientId, removedAt: null },
    orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }],
    select: { id: true, brand: true, last4: true, expMonth: true, expYear: true, isDefault: true },
  });
}

export interface PayNowInput {
  /** DEPOSIT: the onboarding's intake deposit, of the amount the practice set (amountCents is ignored). */
  kind: 'BALANCE' | 'CARD_SETUP' | 'DEPOSIT';
  amountCents: number;
  saveCard: boolean;
  /** A card on file to pay with; null for a new card on the provider's page. */
  paymentCardId: string | null;
  /** From the review page: the same page posted twice is the same payment. */
  submissionKey: string;
  /** The onboarding's payment step (a deposit, or a card on file): the timeline and the step's status show it. */
  onboardingStep?: boolean;
}

export interface StartedPayment {
  paymentRequestId: string;
  link: CheckoutLink;
  /** A different payment was already open: the client is shown that one instead. */
  alreadyOpen: boolean;
}

/**
 * Pay Now's confirm step (and "Add a card"): creates the payment request
 * once, starts its workflow once, and returns where the client goes next.
 */
export async function startPayment(
  deps: PaymentDeps,
  holder: AccountHolder,
  input: PayNowInput,
  origin: AuditEntry['origin'],
): Promise<StartedPayment> {
  const { db } = deps;
  if (!(await paymentsOpen(deps, holder.organizationId))) {
    throw new AppError('FORBIDDEN', 'payments are not enabled for this practice');
  }
  let onboardingId: string | null = null;
  let amountCents = input.kind === 'CARD_SETUP' ? 0 : input.amountCents;
  if (input.kind === 'DEPOSIT' || input.onboardingStep) {
    const step = await clientPaymentStep(db, holder);
    const expected = input.kind === 'DEPOSIT' ? 'DEPOSIT' : 'CARD_ON_FILE';
    if (!step || step.kind !== expected) {
      throw new AppError('CONFLICT', 'no such onboarding payment step', {
        publicMessage: 'Your practice does not ask for this.',
      });
    }
    onboardingId = step.onboardingId;
    if (input.kind === 'DEPOSIT') amountCents = step.amountCents ?? 0;
  }
  if (input.kind !== 'CARD_SETUP' && (amountCents < 50 || amountCents > MAX_PAYMENT_CENTS)) {
    throw new AppError('VALIDATION_FAILED', 'amount out of range', {
      fields: [{ path: 'amount', message: 'must be between $0.50 and $100,000.00' }],
    });
  }

  const { request, alreadyOpen } = await db.$transaction(async (tx) => {
    // One payment at a time per client: a second tab waits here for the first and then finds it.
    await tx.$queryRaw`SELECT id FROM client WHERE id = ${holder.clientId}::uuid FOR NO KEY UPDATE`;
    const same = await tx.paymentRequest.findUnique({ where: { submissionKey: input.submissionKey } });
    if (same) {
      if (same.clientId !== holder.clientId) throw new AppError('CONFLICT', 'submission key belongs to another client');
      return { request: same, alreadyOpen: false };
    }
    const open = await tx.paymentRequest.findFirst({
      where: { clientId: holder.clientId, status: { in: [...OPEN_PAYMENT_STATUSES] } },
      orderBy: { createdAt: 'desc' },
    });
    if (open) return { request: open, alreadyOpen: true };

    if (input.kind === 'BALANCE') {
      const balance = await tx.invoice.aggregate({
        where: { clientId: holder.clientId, status: 'OPEN' },
        _sum: { balanceCents: true },
      });
      if (input.amountCents > (balance._sum.balanceCents ?? 0)) {
        throw new AppError('VALIDATION_FAILED', 'amount above balance', {
          fields: [{ path: 'amount', message: 'cannot be more than your balance' }],
        });
      }
    }
    if (input.paymentCardId) {
      const card = await tx.paymentCard.findFirst({
        where: { id: input.paymentCardId, clientId: holder.clientId, removedAt: null },
        select: { id: true },
      });
      if (!card) {
        throw new AppError('VALIDATION_FAILED', 'unknown card', {
          fields: [{ path: 'card', message: 'is not one of your cards' }],
        });
      }
    }
    const id = crypto.randomUUID();
    const created = await tx.paymentRequest.create({
      data: {
        id,
        organizationId: holder.organizationId,
        clientId: holder.clientId,
        portalAccountId: holder.portalAccountId,
        onboardingId,
        kind: input.kind,
        amountCents,
        saveCard: input.kind === 'CARD_SETUP' ? true : input.saveCard && !input.paymentCardId,
        paymentCardId: input.paymentCardId,
        submissionKey: input.submissionKey,
        workflowId: paymentWorkflowId(id),
      },
    });
    await recordAudit(tx, {
      organizationId: holder.organizationId,
      actor: { type: 'portal_user', id: holder.portalAccountId },
      action: input.kind === 'CARD_SETUP' ? 'payment.card_setup_started' : 'payment.started',
      clientId: holder.clientId,
      outcome: 'success',
      origin,
      detail: { paymentRequestId: id, amountCents: created.amountCents, savedCard: Boolean(input.paymentCardId) },
    });
    return { request: created, alreadyOpen: false };
  });

  await ensureWorkflow(deps, request);
  return { paymentRequestId: request.id, link: await checkoutLink(deps, request.workflowId), alreadyOpen };
}

async function ensureWorkflow(
  deps: PaymentDeps,
  request: { id: string; kind: 'BALANCE' | 'DEPOSIT' | 'CARD_SETUP'; workflowId: string },
) {
  try {
    await deps.temporal.workflow.start(paymentRequest, {
      workflowId: request.workflowId,
      taskQueue: deps.taskQueue,
      args: [{ paymentRequestId: request.id, kind: request.kind }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
      throw new AppError('UNAVAILABLE', 'could not start the payment workflow', { cause: error });
    }
  }
}

/** Where the client goes next: the provider's page, or (slow provider, or finished) the payment's own page. */
export async function checkoutLink(deps: Pick<PaymentDeps, 'temporal'>, workflowId: string): Promise<CheckoutLink> {
  const handle = deps.temporal.workflow.getHandle(workflowId);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      handle.executeUpdate(checkoutLinkUpdate),
      new Promise<CheckoutLink>((resolve) => {
        timer = setTimeout(() => resolve({ next: 'status', outcome: null, reason: null }), CHECKOUT_LINK_WAIT_MS);
      }),
    ]);
  } catch {
    // A finished workflow takes no update: its page tells the client how it ended.
    return { next: 'status', outcome: null, reason: null };
  } finally {
    clearTimeout(timer);
  }
}

export async function loadPayment(db: Db, holder: AccountHolder, paymentRequestId: string) {
  const request = await db.paymentRequest.findFirst({
    where: { id: paymentRequestId, clientId: holder.clientId },
    include: { payment: true },
  });
  return request;
}

/** The payment a review page's submission key already started, if any: Back to that page must not offer to pay again. */
export function paymentOfSubmission(db: Db, holder: AccountHolder, submissionKey: string) {
  return db.paymentRequest.findFirst({
    where: { submissionKey, clientId: holder.clientId },
    select: { id: true, status: true },
  });
}

/** Cancel on the provider's page: the workflow ends the checkout (unless it was paid after all). */
export async function cancelPayment(deps: PaymentDeps, holder: AccountHolder, paymentRequestId: string) {
  const request = await loadPayment(deps.db, holder, paymentRequestId);
  if (!request || !(OPEN_PAYMENT_STATUSES as readonly string[]).includes(request.status)) return request;
  try {
    await deps.temporal.workflow.getHandle(request.workflowId).signal(cancelPaymentSignal);
  } catch {
    // Already finished: its page says how.
  }
  return request;
}

type PaymentCardRow = NonNullable<Awaited<ReturnType<Db['paymentCard']['findFirst']>>>;

/**
 * A change to one of the client's own cards: at the provider first (so the
 * card we show is never one the provider still charges by default when we
 * say otherwise), then here with the client's cards locked, so exactly one
 * default holds, and audited. Another client's card, or a removed one, is false.
 */
async function changeOwnCard(
  deps: PaymentDeps,
  holder: AccountHolder,
  cardId: string,
  origin: AuditEntry['origin'],
  change: {
    action: 'payment.card_removed' | 'payment.card_default';
    atProvider: (card: PaymentCardRow) => Promise<void>;
    here: (tx: Prisma.TransactionClient, card: PaymentCardRow) => Promise<void>;
  },
): Promise<boolean> {
  const card = await deps.db.paymentCard.findFirst({
    where: { id: cardId, clientId: holder.clientId, removedAt: null },
  });
  if (!card) return false;
  await change.atProvider(card);
  await deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM client WHERE id = ${holder.clientId}::uuid FOR NO KEY UPDATE`;
    await change.here(tx, card);
    await recordAudit(tx, {
      organizationId: holder.organizationId,
      actor: { type: 'portal_user', id: holder.portalAccountId },
      action: change.action,
      clientId: holder.clientId,
      outcome: 'success',
      origin,
      detail: { cardId },
    });
  });
  return true;
}

export function removeCard(deps: PaymentDeps, holder: AccountHolder, cardId: string, origin: AuditEntry['origin']) {
  return changeOwnCard(deps, holder, cardId, origin, {
    action: 'payment.card_removed',
    atProvider: async (card) => {
      if (deps.payments) await deps.payments.detachCard(card.providerPaymentMethodId);
    },
    here: async (tx, card) => {
      await tx.paymentCard.update({ where: { id: card.id }, data: { removedAt: new Date(), isDefault: false } });
      if (!card.isDefault) return;
      // The oldest remaining card becomes the default, as the first saved card was.
      const next = await tx.paymentCard.findFirst({
        where: { clientId: holder.clientId, removedAt: null },
        orderBy: { createdAt: 'asc' },
      });
      if (next) await tx.paymentCard.update({ where: { id: next.id }, data: { isDefault: true } });
    },
  });
}

export function makeDefaultCard(
  deps: PaymentDeps,
  holder: AccountHolder,
  cardId: string,
  origin: AuditEntry['origin'],
) {
  return changeOwnCard(deps, holder, cardId, origin, {
    action: 'payment.card_default',
    atProvider: async (card) => {
      const client = await deps.db.client.findUniqueOrThrow({
        where: { id: holder.clientId },
        select: { paymentCustomerId: true },
      });
      if (deps.payments && client.paymentCustomerId) {
        await deps.payments.setDefaultCard(client.paymentCustomerId, card.providerPaymentMethodId);
      }
    },
    here: async (tx, card) => {
      await tx.paymentCard.updateMany({ where: { clientId: holder.clientId }, data: { isDefault: false } });
      await tx.paymentCard.update({ where: { id: card.id }, data: { isDefault: true } });
    },
  });
}

/** An invoice of this client, parsed back into its schema, for the PDFs. */
export async function loadInvoice(db: Db, holder: AccountHolder, invoiceId: string) {
  const invoice = await db.invoice.findFirst({ where: { id: invoiceId, clientId: holder.clientId } });
  if (!invoice) return null;
  const payments = await db.payment.findMany({ where: { clientId: holder.clientId }, orderBy: { paidAt: 'asc' } });
  const applied = payments.flatMap((payment) =>
    (payment.allocations as { invoiceId: string; amountCents: number }[])
      .filter((entry) => entry.invoiceId === invoice.id)
      .map((entry) => ({ payment, amountCents: entry.amountCents })),
  );
  return { invoice, document: ZInvoice.parse(invoice.document), applied };
}
