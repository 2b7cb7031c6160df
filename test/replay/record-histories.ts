/**
 * `npm run histories:record`: runs real onboardings down every path on the
 * time-skipping server and saves their histories in test/replay/histories/.
 * test/replay/replay.test.ts replays them through the current workflow code,
 * so a change that would break flows already in flight fails CI.
 *
 * Re-record only to add paths: `npm run histories:record -- <name>…` records
 * just those. Never re-record to make a failing replay pass: that failure is
 * the point (see README "Changing a workflow").
 *
 * Recorded without payload encryption, with synthetic clients only, so the
 * fixtures need no key.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { currentUser, signIn } from '../../use-cases/accounts/portal-sessions';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { temporalTestServerExecutable } from '../../local/temporal-binaries';
import { createLogger } from '../../observability/logger';
import { startPayment } from '../../use-cases/billing/portal-payments';
import { receivePaymentEvent } from '../../use-cases/billing/receive-payment-event';
import { createLocalPaymentProvider } from '../../payments/local-provider';
import { paymentWorkflowId } from '../../workflows/payment';
import {
  createPayingClient,
  enablePayments,
  giveInvoice,
  submissionKey,
  testInvoice,
  type PayingClient,
} from '../support/payments';
import { WORKFLOWS_PATH } from '../../temporal/worker';
import {
  cancelOnboardingUpdate,
  changePortalOwnerUpdate,
  clientLinkRequestSignal,
  clientOnboarding,
  getOnboardingStateQuery,
  invitationDelayedSignal,
  resendInvitationUpdate,
  revokePortalAccessUpdate,
} from '../../workflows/client-onboarding';
import { testActivityDeps } from '../support/activity-deps';
import { createTestOrganization, newOnboarding, setInvitationPolicy } from '../support/factories';
import { signAllForms } from '../support/forms';
import { latestRegistrationToken } from '../support/invitations';
import { eventually } from '../support/service';
import { createTestDatabase } from '../support/test-database';

const OUT = path.join(__dirname, 'histories');
const staff = { staffUserId: '00000000-0000-4000-8000-00000000a11d' };
const PASSWORD = 'violet harbour tuesday kite';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: temporalTestServerExecutable() },
  });
  const database = await createTestDatabase();
  const deps = testActivityDeps(database.db);
  const taskQueue = `record-${randomUUID()}`;
  const payments = createLocalPaymentProvider(deps);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ ...deps, payments }),
  });
  const logger = createLogger({ level: 'silent' });

  const start = async (policy: Parameters<typeof setInvitationPolicy>[2] = {}, formPackage = false) => {
    const org = await createTestOrganization(database.db);
    await setInvitationPolicy(database.db, org.organizationId, policy);
    const { input, workflowId } = await newOnboarding(database.db, org.organizationId, {
      invite: true,
      ...(formPackage ? { formPackageKey: org.formPackageKey, assignedStaffId: org.therapistId } : {}),
    });
    const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
    await eventually(async () => ((await handle.query(getOnboardingStateQuery)).invitation ? true : undefined));
    const register = async (email: string) => {
      const token = await latestRegistrationToken(deps.outboxDir, email);
      const result = await registerPortalAccount({ db: database.db, temporal: env.client, logger }, token, {
        lastName: input.chart.client.lastName,
        dateOfBirth: input.chart.client.dateOfBirth,
        password: PASSWORD,
        passwordConfirmation: PASSWORD,
      });
      if (result.outcome !== 'registered') throw new Error(`registration ${result.outcome}`);
    };
    const signForms = async () => {
      const token = await signIn(database.db, org.organizationId, input.chart.client.email!, PASSWORD);
      const user = await currentUser(database.db, token!);
      await signAllForms(database.db, env.client, user!);
    };
    return { handle, email: input.chart.client.email!, register, signForms };
  };

  const save = async (name: string, handle: WorkflowHandle) => {
    const history = await handle.fetchHistory();
    await writeFile(path.join(OUT, `${name}.json`), `${JSON.stringify(history, null, 1)}\n`);
    process.stdout.write(`recorded ${name} (${history.events?.length ?? 0} events)\n`);
  };

  /** A registered client owing 100.00 on one invoice, and a payment of it opened as Pay Now would. */
  const openPayment = async (
    options: { saveCard?: boolean; paymentCardId?: string | null; client?: PayingClient } = {},
  ) => {
    const org = options.client ? null : await createTestOrganization(database.db);
    if (org) await enablePayments(database.db, org.organizationId);
    const client =
      options.client ?? (await createPayingClient(database.db, org!, { assignedStaffId: org!.therapistId }));
    if (org) await giveInvoice(database.db, org, client, testInvoice({ balanceCents: 10000 }));
    const started = await startPayment(
      { db: database.db, temporal: env.client, taskQueue, payments },
      client.holder,
      {
        kind: 'BALANCE',
        amountCents: options.client ? 2500 : 7500,
        saveCard: options.saveCard ?? false,
        paymentCardId: options.paymentCardId ?? null,
        submissionKey: submissionKey(),
      },
      {},
    );
    const handle = env.client.workflow.getHandle(paymentWorkflowId(started.paymentRequestId));
    const pay = async () => {
      const url = (started.link as { url: string }).url;
      const event = payments.completeCheckout(url.split('/').pop()!);
      await receivePaymentEvent({ db: database.db, temporal: env.client }, 'local', event!);
    };
    return { client, handle, pay };
  };

  const paths: Record<string, () => Promise<void>> = {
    'payment-paid-saved-card-reused': async () => {
      // Pay Now with a new card kept on file (hosted checkout, webhook), then a second payment with that card.
      const first = await openPayment({ saveCard: true });
      await first.pay();
      await first.handle.result();
      await save('payment-paid-on-checkout', first.handle);
      const card = await database.db.paymentCard.findFirstOrThrow({
        where: { clientId: first.client.holder.clientId },
      });
      const second = await openPayment({ client: first.client, paymentCardId: card.id });
      await second.handle.result();
      await save('payment-paid-with-saved-card', second.handle);
    },
    'payment-abandoned': async () => {
      const flow = await openPayment();
      await env.sleep('2 hours');
      await flow.handle.result();
      await save('payment-abandoned', flow.handle);
    },
    'reminded-then-registered': async () => {
      const flow = await start({ invitationReminderDays: [3] });
      await env.sleep('4 days');
      await flow.register(flow.email);
      await flow.handle.result();
      await save('reminded-then-registered', flow.handle);
    },
    'expired-resent-registered': async () => {
      const flow = await start({ invitationReminderDays: [] });
      await env.sleep('7 days');
      await eventually(async () =>
        (await flow.handle.query(getOnboardingStateQuery)).status === 'EXPIRED' ? true : undefined,
      );
      await flow.handle.executeUpdate(resendInvitationUpdate, { args: [staff] });
      await flow.register(flow.email);
      await flow.handle.result();
      await save('expired-resent-registered', flow.handle);
    },
    'expired-client-asked-new-link-registered': async () => {
      // Email me a new link (issue 20, part 3): the client's request goes through the resend path.
      const flow = await start({ invitationReminderDays: [] });
      await env.sleep('7 days');
      await eventually(async () =>
        (await flow.handle.query(getOnboardingStateQuery)).status === 'EXPIRED' ? true : undefined,
      );
      await flow.handle.signal(clientLinkRequestSignal, {
        requestId: '00000000-0000-4000-8000-0000000011c0',
        via: 'expired-link',
        origin: { ip: '203.0.113.9', userAgent: 'recorder', requestId: null },
      });
      await eventually(async () =>
        (await flow.handle.query(getOnboardingStateQuery)).invitation?.sequence === 2 ? true : undefined,
      );
      await flow.register(flow.email);
      await flow.handle.result();
      await save('expired-client-asked-new-link-registered', flow.handle);
    },
    'delayed-past-window-bounced': async () => {
      // A delay report, and no delivery within the practice's window (24 hours): escalated as a bounce.
      const flow = await start({ invitationReminderDays: [] });
      const { invitation } = await flow.handle.query(getOnboardingStateQuery);
      await flow.handle.signal(invitationDelayedSignal, { invitationId: invitation!.id });
      await env.sleep('25 hours');
      await eventually(async () =>
        (await flow.handle.query(getOnboardingStateQuery)).status === 'INVITATION_BOUNCED' ? true : undefined,
      );
      await save('delayed-past-window-bounced', flow.handle);
    },
    'revoked-then-cancelled': async () => {
      const flow = await start();
      await flow.handle.executeUpdate(revokePortalAccessUpdate, { args: [staff] });
      await flow.handle.executeUpdate(cancelOnboardingUpdate, { args: [staff] });
      await flow.handle.result();
      await save('revoked-then-cancelled', flow.handle);
    },
    'owner-changed-registered': async () => {
      const flow = await start();
      const guardian = `guardian-${randomUUID().slice(0, 8)}@example.test`;
      await flow.handle.executeUpdate(changePortalOwnerUpdate, {
        args: [{ ...staff, owner: { name: 'Pat Guardian', email: guardian } }],
      });
      await flow.register(guardian);
      await flow.handle.result();
      await save('owner-changed-registered', flow.handle);
    },
    'expired-automatic-resend-waiting': async () => {
      // Still running at the end: replay must also cope with flows in mid-wait.
      const flow = await start({ invitationReminderDays: [3, 6], autoReinviteMax: 1 });
      await env.sleep('8 days');
      await eventually(async () =>
        (await flow.handle.query(getOnboardingStateQuery)).invitation?.sequence === 2 ? true : undefined,
      );
      await save('expired-automatic-resend-waiting', flow.handle);
    },
    'expired-then-cancelled-callbacks': async () => {
      // Status callbacks (patch 'status-callbacks'): the EHR is told of the expiry, then of the cancel.
      const flow = await start({ invitationReminderDays: [] });
      await env.sleep('7 days');
      await eventually(async () =>
        (await flow.handle.query(getOnboardingStateQuery)).status === 'EXPIRED' ? true : undefined,
      );
      await flow.handle.executeUpdate(cancelOnboardingUpdate, { args: [staff] });
      await flow.handle.result();
      await save('expired-then-cancelled-callbacks', flow.handle);
    },
    'forms-reminded-completed': async () => {
      // The package at chart creation: invitation and forms email, registration,
      // a forms reminder, every form signed, staff notified, Complete.
      const flow = await start({ invitationReminderDays: [] }, true);
      await flow.register(flow.email);
      await eventually(async () =>
        (await flow.handle.query(getOnboardingStateQuery)).status === 'FORMS_OUTSTANDING' ? true : undefined,
      );
      await env.sleep('4 days');
      await flow.signForms();
      const outcome = await flow.handle.result();
      if (outcome.status !== 'COMPLETE') throw new Error(`forms flow ended ${outcome.status}`);
      await save('forms-reminded-completed', flow.handle);
      const formsHandle = env.client.workflow.getHandle(outcome.forms!.workflowId);
      await save('form-request-completed', formsHandle);
    },
    'form-request-reviewed-each-form': async () => {
      // Patch 'review-each-signed-form': each form signed is checked for a crisis answer as it arrives.
      const flow = await start({ invitationReminderDays: [] }, true);
      await flow.register(flow.email);
      await eventually(async () =>
        (await flow.handle.query(getOnboardingStateQuery)).status === 'FORMS_OUTSTANDING' ? true : undefined,
      );
      await flow.signForms();
      const outcome = await flow.handle.result();
      if (outcome.status !== 'COMPLETE') throw new Error(`forms flow ended ${outcome.status}`);
      await save('form-request-reviewed-each-form', env.client.workflow.getHandle(outcome.forms!.workflowId));
    },
  };

  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !Object.hasOwn(paths, name));
  if (unknown.length) throw new Error(`unknown paths: ${unknown.join(', ')} (known: ${Object.keys(paths).join(', ')})`);
  await worker.runUntil(async () => {
    for (const [name, record] of Object.entries(paths)) {
      if (wanted.length === 0 || wanted.includes(name)) await record();
    }
  });

  await env.teardown();
  await database.drop();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
