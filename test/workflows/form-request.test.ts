/**
 * Form requests on the time-skipping server: a package assigned at chart
 * creation (a child of the onboarding) or forms sent later on their own.
 * Weeks of reminders pass in milliseconds. Activities are the real ones,
 * against a real database, sending through the local outbox; the portal's
 * own use-cases sign the forms.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { loadPortalDocument, submitForm } from '../../use-cases/forms/portal-documents';
import type { PortalUser } from '../../use-cases/accounts/portal-sessions';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { onboardingWorkflowId } from '../../use-cases/onboarding/start-onboarding';
import { EmailDeliveryError, listOutbox, type Mailer, type TOutboxMessage } from '../../emails/mailer';
import { createLogger } from '../../observability/logger';
import { DEMO } from '../../prisma/seed';
import { STANDARD_FORMS } from '../../prisma/seed-data/standard-forms';
import type { PayloadKey } from '../../temporal/payload-codec';
import {
  cancelOnboardingUpdate,
  clientOnboarding,
  getOnboardingStateQuery,
  resendInvitationUpdate,
  type ClientOnboardingInput,
} from '../../workflows/client-onboarding';
import { formRequest, formRequestWorkflowId, getFormRequestStateQuery } from '../../workflows/form-request';
import { testActivityDeps } from '../support/activity-deps';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { emailsSent, latestRegistrationToken, timelineOf } from '../support/invitations';
import { eventually } from '../support/service';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let keys: PayloadKey[];
let deps: ReturnType<typeof testActivityDeps>;
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;

/** How often the mailer was asked to send each idempotency key. */
const sendsByKey = new Map<string, number>();
/**
 * Idempotency keys whose first send goes out but whose answer is lost (a
 * connection reset after the provider accepted it): the activity fails before
 * recording the email as sent, and Temporal retries it.
 */
const answerLostOnce = new Set<string>();
/** Requests whose forms email is sent and recorded, but the activity's completion is lost once (a worker crash). */
const completionLostOnce = new Set<string>();

function countingAndLosingAnswers(mailer: Mailer): Mailer {
  return {
    kind: mailer.kind,
    async send(email) {
      sendsByKey.set(email.idempotencyKey, (sendsByKey.get(email.idempotencyKey) ?? 0) + 1);
      const sent = await mailer.send(email);
      if (answerLostOnce.delete(email.idempotencyKey)) {
        throw new EmailDeliveryError('connection reset after the email was accepted (test)', { retryable: true });
      }
      return sent;
    },
  };
}

function losingCompletions(activities: Activities): Activities {
  return {
    ...activities,
    async sendFormsAssignedEmail(input) {
      const result = await activities.sendFormsAssignedEmail(input);
      if (completionLostOnce.delete(input.requestId)) throw new Error('worker crashed after the step (test)');
      return result;
    },
  };
}

beforeAll(async () => {
  keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
  const base = testActivityDeps(database.db);
  deps = { ...base, mailer: countingAndLosingAnswers(base.mailer) };
  taskQueue = testTaskQueue();
  worker = await createTestWorker(env, { taskQueue, keys, activities: losingCompletions(createActivities(deps)) });
  workerRun = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await env?.teardown();
  await database?.drop();
});

const silentLogger = createLogger({ level: 'silent' });
/** A Temporal client whose signals never arrive. */
const lostSignals = {
  workflow: { getHandle: () => ({ signal: () => Promise.reject(new Error('network partition')) }) },
} as unknown as Client;

/** Valid, complete answers to each form of the seed (consents ticked, scales fully answered). */
const ANSWERS: Record<string, Record<string, unknown>> = {
  'standard-intake-questionnaire': {
    contact_preference: 'Email',
    emergency_contact: 'Robin Doe, 555-0100',
    reason: 'Trouble sleeping since the move.',
    previous_therapy: false,
  },
  'informed-consent-psychotherapy': { consent: true },
  'notice-of-privacy-practices': { acknowledgement: true },
  'phq-9': {
    phq9: Object.fromEntries(
      [
        'interest',
        'mood',
        'sleep',
        'energy',
        'appetite',
        'self_worth',
        'concentration',
        'psychomotor',
        'self_harm',
      ].map((item) => [item, 1]),
    ),
  },
  'gad-7': {
    gad7: Object.fromEntries(
      ['nervous', 'control_worry', 'worry_too_much', 'relaxing', 'restless', 'irritable', 'afraid'].map((item) => [
        item,
        0,
      ]),
    ),
  },
};
const STANDARD_KEYS = STANDARD_FORMS.map((form) => form.key);
const STANDARD_TITLES = STANDARD_FORMS.map((form) => form.title);

interface Flow {
  handle: WorkflowHandle<typeof clientOnboarding>;
  input: ClientOnboardingInput;
  email: string;
  org: TestOrganization;
}

/**
 * An onboarding as the chart-created webhook writes it, with the org's
 * default package (unless `packageKey: null`) and its therapist as the
 * assigned clinician; started, and waited on until its forms are assigned
 * (and, when invited, emailed).
 */
async function startFlow(
  options: { invite?: boolean; packageKey?: string | null; formReminderDays?: number[] } = {},
): Promise<Flow> {
  const { db } = database;
  const org = await createTestOrganization(db);
  if (options.formReminderDays) {
    await db.organization.update({
      where: { id: org.organizationId },
      data: { formReminderDays: options.formReminderDays },
    });
  }
  const packageKey = options.packageKey === undefined ? org.formPackageKey : options.packageKey;
  const formPackage = packageKey
    ? await db.formPackage.findUniqueOrThrow({
        where: { organizationId_key: { organizationId: org.organizationId, key: packageKey } },
      })
    : null;
  const { data } = chartCreatedWebhook({ invite: options.invite ?? true, formPackageKey: packageKey });
  const id = randomUUID();
  const workflowId = onboardingWorkflowId(id);
  await db.onboarding.create({
    data: {
      id,
      organizationId: org.organizationId,
      externalChartId: data.externalChartId,
      workflowId,
      inviteRequested: data.portal.invite,
      formPackageId: formPackage?.id ?? null,
      assignedStaffId: org.therapistId,
    },
  });
  const input: ClientOnboardingInput = {
    onboardingId: id,
    organizationId: org.organizationId,
    chart: { externalChartId: data.externalChartId, client: data.client },
    inviteRequested: data.portal.invite,
    formPackageId: formPackage?.id ?? null,
  };
  const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
  const flow = { handle, input, email: data.client.email!, org };
  if (formPackage) {
    await eventually(async () => ((await handle.query(getOnboardingStateQuery)).forms ? true : undefined));
    await eventually(async () => ((await timelineOf(db, id)).includes('forms.assigned') ? true : undefined));
  }
  if (formPackage && input.inviteRequested) await waitForEmails(flow, 'forms-assigned', 1);
  if (!formPackage && input.inviteRequested) await waitForEmails(flow, 'portal-invitation', 1);
  return flow;
}

async function waitForStatus(onboardingId: string, status: string) {
  return eventually(
    async () => {
      const row = await database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
      return row.status === status ? row : undefined;
    },
    { what: `onboarding to reach ${status}`, timeoutMs: 15_000 },
  );
}

function countOf(templates: string[], template: string): number {
  return templates.filter((candidate) => candidate === template).length;
}

async function waitForEmails(flow: Flow, template: string, count: number) {
  await eventually(
    async () => (countOf(await emailsSent(database.db, flow.input.onboardingId), template) >= count ? true : undefined),
    { what: `${count} × ${template}`, timeoutMs: 15_000 },
  );
}

/** The flow's (only) form request, with its assignments in order. */
function formRequestOf(flow: Flow) {
  return database.db.formRequest.findFirstOrThrow({
    where: { onboardingId: flow.input.onboardingId },
    include: {
      assignments: {
        orderBy: { position: 'asc' },
        include: { formDefinition: { select: { key: true, version: true, title: true } } },
      },
    },
  });
}

function formsHandle(workflowId: string) {
  return env.client.workflow.getHandle<typeof formRequest>(workflowId);
}

async function formsHandleOf(flow: Flow) {
  return formsHandle((await formRequestOf(flow)).workflowId);
}

async function register(flow: Flow) {
  const token = await latestRegistrationToken(deps.outboxDir, flow.email);
  const result = await registerPortalAccount({ db: database.db, temporal: env.client, logger: silentLogger }, token, {
    lastName: flow.input.chart.client.lastName,
    dateOfBirth: flow.input.chart.client.dateOfBirth,
    password: 'violet harbour tuesday kite',
    passwordConfirmation: 'violet harbour tuesday kite',
  });
  expect(result.outcome).toBe('registered');
}

async function portalUserOf(flow: Flow): Promise<PortalUser> {
  const account = await database.db.portalAccount.findFirstOrThrow({
    where: { organizationId: flow.org.organizationId, email: flow.email },
  });
  return {
    portalAccountId: account.id,
    organizationId: account.organizationId,
    displayName: flow.input.chart.client.firstName,
    sessionId: randomUUID(),
  };
}

/** Signs forms through the portal's use-case: the given form keys, or every outstanding one. */
async function sign(flow: Flow, options: { formKeys?: string[]; temporal?: Client } = {}) {
  const user = await portalUserOf(flow);
  const assignments = await database.db.formAssignment.findMany({
    where: { onboardingId: flow.input.onboardingId, status: { in: ['PENDING', 'IN_PROGRESS'] } },
    orderBy: { position: 'asc' },
    select: { id: true, formDefinition: { select: { key: true } } },
  });
  const chosen = assignments.filter(
    (assignment) => !options.formKeys || options.formKeys.includes(assignment.formDefinition.key),
  );
  expect(chosen.length).toBeGreaterThan(0);
  for (const assignment of chosen) {
    const document = await loadPortalDocument(database.db, user, assignment.id);
    if (!document) throw new Error(`assignment ${assignment.id} is not on the client's list`);
    const result = await submitForm(
      { db: database.db, temporal: options.temporal ?? env.client, logger: silentLogger },
      user,
      document,
      { answers: ANSWERS[assignment.formDefinition.key], signerName: 'Florence Nightingale', agreed: true },
      { ip: '203.0.113.7', userAgent: 'jest' },
    );
    expect(result.outcome).toBe('submitted');
  }
}

/** Outbox messages, oldest first, matching the filter. */
async function outbox(filter: (message: TOutboxMessage) => boolean): Promise<TOutboxMessage[]> {
  return (await listOutbox(deps.outboxDir)).filter(filter).reverse();
}

async function staffEmailsOf(flow: Flow) {
  const staff = await database.db.staffUser.findMany({ where: { organizationId: flow.org.organizationId } });
  const emailOf = (id: string) => staff.find((member) => member.id === id)!.email;
  return {
    admin: emailOf(flow.org.adminId),
    clinician: emailOf(flow.org.therapistId),
    others: staff.filter((member) => ![flow.org.adminId, flow.org.therapistId].includes(member.id)).map((m) => m.email),
  };
}

const REQUEST_CANCEL = temporal.api.enums.v1.ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL;

/**
 * What a real server does once a parent has closed: asks the children it
 * started with ParentClosePolicy REQUEST_CANCEL, and still running, to cancel.
 * The time-skipping test server records the policy but never applies it
 * (a real dev server does; checked by hand), so the test applies it, reading
 * the policy from the parent's own history: drop the policy and this cancels nothing.
 */
async function applyParentClosePolicies(parent: WorkflowHandle) {
  expect((await parent.describe()).status.name).not.toBe('RUNNING');
  const { events } = await parent.fetchHistory();
  const children = (events ?? [])
    .map((event) => event.startChildWorkflowExecutionInitiatedEventAttributes)
    .filter((started) => started?.parentClosePolicy === REQUEST_CANCEL)
    .map((started) => started!.workflowId!);
  expect(children.length).toBeGreaterThan(0);
  for (const workflowId of children) {
    const child = env.client.workflow.getHandle(workflowId);
    if ((await child.describe()).status.name === 'RUNNING') await child.cancel();
  }
}

describe('the form request', () => {
  it('assigns the package at chart creation, pinned to version 1, and emails it apart from the invitation', async () => {
    const flow = await startFlow();

    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation', 'forms-assigned']);
    const toClient = await outbox((message) => message.to === flow.email);
    expect(toClient.map((message) => message.tags.template)).toEqual(['portal-invitation', 'forms-assigned']);
    const [invitation, forms] = toClient as [TOutboxMessage, TOutboxMessage];
    expect(invitation.text).toMatch(/\/portal\/register\/[A-Za-z0-9_-]{43}/);
    expect(forms.subject).toMatch(/ has 3 forms for you to complete$/);
    for (const title of STANDARD_TITLES) expect(forms.text).toContain(title);
    expect(forms.text).toContain(`/portal/${flow.org.slug}/documents`);
    // Not registered yet: the forms email points at the invitation and carries no registration link of its own.
    expect(forms.text).toContain('using the invitation email');
    expect(forms.text).not.toContain('/portal/register/');

    const state = await flow.handle.query(getOnboardingStateQuery);
    const request = await formRequestOf(flow);
    const formPackage = await database.db.formPackage.findUniqueOrThrow({
      where: { id: flow.input.formPackageId! },
      include: { items: { orderBy: { position: 'asc' } } },
    });
    expect(request).toMatchObject({
      id: state.forms!.requestId,
      workflowId: formRequestWorkflowId(state.forms!.requestId),
      packageId: formPackage.id,
      status: 'OPEN',
      requestedBy: null,
    });
    expect(request.assignments.map((assignment) => assignment.formDefinition.key)).toEqual(STANDARD_KEYS);
    expect(request.assignments.map((assignment) => assignment.formDefinition.version)).toEqual([1, 1, 1]);
    expect(request.assignments.map((assignment) => assignment.formDefinitionId)).toEqual(
      formPackage.items.map((item) => item.formDefinitionId),
    );
    expect(request.assignments.map((assignment) => assignment.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    // Before registration staff see the invitation's status, not the forms'.
    expect((await database.db.onboarding.findUniqueOrThrow({ where: { id: flow.input.onboardingId } })).status).toBe(
      'INVITED',
    );
    expect(await formsHandle(request.workflowId).query(getFormRequestStateQuery)).toMatchObject({
      status: 'OPEN',
      assignmentIds: request.assignments.map((assignment) => assignment.id),
      notified: true,
      signed: [],
    });
  });

  it('is FORMS_OUTSTANDING after registration and COMPLETE once all are signed, telling admin and clinician', async () => {
    const flow = await startFlow();
    await register(flow);
    await waitForStatus(flow.input.onboardingId, 'FORMS_OUTSTANDING');
    await eventually(async () => {
      const state = await flow.handle.query(getOnboardingStateQuery);
      return state.status === 'FORMS_OUTSTANDING' ? state : undefined;
    });

    await sign(flow);
    const outcome = await flow.handle.result();
    expect(outcome.status).toBe('COMPLETE');

    const request = await formRequestOf(flow);
    expect(request.status).toBe('COMPLETED');
    expect(request.completedAt).not.toBeNull();
    expect(request.assignments.map((assignment) => assignment.status)).toEqual(['SUBMITTED', 'SUBMITTED', 'SUBMITTED']);
    expect((await database.db.onboarding.findUniqueOrThrow({ where: { id: flow.input.onboardingId } })).status).toBe(
      'COMPLETE',
    );
    // Every signature reached the workflow by signal, with the hash of what was signed.
    const submissions = await database.db.formSubmission.findMany({ where: { onboardingId: flow.input.onboardingId } });
    const childOutcome = await formsHandle(request.workflowId).result();
    expect(childOutcome.status).toBe('COMPLETED');
    expect(childOutcome.signed.map((entry) => entry.contentSha256).sort()).toEqual(
      submissions.map((submission) => submission.contentSha256).sort(),
    );

    const staff = await staffEmailsOf(flow);
    const staffEmails = await outbox((message) => message.tags.template === 'forms-completed-staff');
    const recipients = staffEmails.map((message) => message.to);
    expect(recipients.sort()).toEqual([staff.admin, staff.clinician].sort());
    for (const other of staff.others) expect(recipients).not.toContain(other);
    for (const message of staffEmails) {
      expect(message.text).toContain(flow.input.chart.externalChartId);
      // No client PHI by email.
      expect(message.text).not.toContain(flow.input.chart.client.lastName);
      expect(message.text).not.toContain(flow.input.chart.client.firstName);
    }
    expect(await timelineOf(database.db, flow.input.onboardingId)).toEqual([
      'chart.created',
      'invitation.sent',
      'forms.assigned',
      'forms.email_sent',
      'portal.registered',
      'form.signed',
      'form.signed',
      'form.signed',
      'forms.completed',
      'forms.staff_notified',
    ]);
  });

  it('keeps no PHI, answers or signature in plaintext in the histories of a completed onboarding', async () => {
    const flow = await startFlow();
    await register(flow);
    await waitForStatus(flow.input.onboardingId, 'FORMS_OUTSTANDING');
    await sign(flow);
    expect((await flow.handle.result()).status).toBe('COMPLETE');
    const request = await formRequestOf(flow);
    const raw = async (workflowId: string) => {
      // The history as the server stores it: payload bytes undecoded.
      const response = await env.client.workflowService.getWorkflowExecutionHistory({
        namespace: env.namespace ?? 'default',
        execution: { workflowId },
      });
      return Buffer.from(temporal.api.history.v1.History.encode(response.history!).finish()).toString('latin1');
    };
    const histories = [await raw(flow.handle.workflowId), await raw(request.workflowId)];
    const { firstName, lastName, dateOfBirth, email } = flow.input.chart.client;
    const intake = ANSWERS['standard-intake-questionnaire']!;
    const secrets = [
      firstName,
      lastName,
      dateOfBirth,
      email!,
      'Florence Nightingale',
      intake.reason,
      intake.emergency_contact,
    ];
    for (const history of histories) {
      for (const secret of secrets) expect(history).not.toContain(secret as string);
      expect(history).toContain('binary/encrypted');
    }
    expect(histories[1]).toContain('formSigned');
  });

  it('reminds a registered client on days 3 and 7 of the forms still open, and not after they are all signed', async () => {
    const flow = await startFlow();
    await register(flow);
    await waitForStatus(flow.input.onboardingId, 'FORMS_OUTSTANDING');

    await env.sleep('3 days');
    await waitForEmails(flow, 'forms-reminder', 1);
    await sign(flow, { formKeys: STANDARD_KEYS.slice(0, 2) });

    await env.sleep('4 days');
    await waitForEmails(flow, 'forms-reminder', 2);
    const reminders = await outbox(
      (message) => message.to === flow.email && message.tags.template === 'forms-reminder',
    );
    expect(reminders).toHaveLength(2);
    const [day3, day7] = reminders as [TOutboxMessage, TOutboxMessage];
    for (const title of STANDARD_TITLES) expect(day3.text).toContain(title);
    // The day-7 reminder lists only the form still unsigned.
    const [intake, consent, privacy] = STANDARD_TITLES as [string, string, string];
    expect(day7.subject).toMatch(/^Reminder: 1 form from /);
    expect(day7.text).toContain(privacy);
    expect(day7.text).not.toContain(intake);
    expect(day7.text).not.toContain(consent);

    await sign(flow);
    expect((await flow.handle.result()).status).toBe('COMPLETE');
    await env.sleep('10 days');
    expect(countOf(await emailsSent(database.db, flow.input.onboardingId), 'forms-reminder')).toBe(2);
  });

  it('sends no form reminders before registration, and starts once the client has registered', async () => {
    const flow = await startFlow();

    await env.sleep('4 days');
    await waitForEmails(flow, 'invitation-reminder', 1);
    // Day 8: past the forms' day-7 reminder, the invitation's day-6 reminder and its expiry.
    await env.sleep('4 days');
    await waitForStatus(flow.input.onboardingId, 'EXPIRED');
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual([
      'portal-invitation',
      'forms-assigned',
      'invitation-reminder',
      'invitation-reminder',
    ]);
    expect(await timelineOf(database.db, flow.input.onboardingId)).not.toContain('forms.reminder_sent');

    await flow.handle.executeUpdate(resendInvitationUpdate, { args: [{ staffUserId: flow.org.adminId }] });
    await register(flow);
    await waitForStatus(flow.input.onboardingId, 'FORMS_OUTSTANDING');
    // The day-3 reminder was kept, not spent, while the client could not sign in: it comes within
    // 3 days of registering (day 9 here), not only on the practice's last reminder day (14).
    await env.sleep('2 days');
    await waitForEmails(flow, 'forms-reminder', 1);
    expect(countOf(await emailsSent(database.db, flow.input.onboardingId), 'forms-reminder')).toBe(1);
  });

  it.each([
    { look: 'the day-3 reminder', formReminderDays: [3, 7, 14], lookDay: 3 },
    { look: 'the weekly recheck (no reminder days)', formReminderDays: [], lookDay: 7 },
  ])('completes when every "form signed" signal was lost, at $look', async ({ formReminderDays, lookDay }) => {
    const flow = await startFlow({ formReminderDays });
    await register(flow);
    await waitForStatus(flow.input.onboardingId, 'FORMS_OUTSTANDING');
    await sign(flow, { temporal: lostSignals });

    const forms = await formsHandleOf(flow);
    expect(await forms.query(getFormRequestStateQuery)).toMatchObject({ status: 'OPEN', signed: [] });
    await env.sleep(`${lookDay - 1} days`);
    expect((await forms.query(getFormRequestStateQuery)).status).toBe('OPEN');
    expect((await database.db.onboarding.findUniqueOrThrow({ where: { id: flow.input.onboardingId } })).status).toBe(
      'FORMS_OUTSTANDING',
    );

    expect((await flow.handle.result()).status).toBe('COMPLETE');
    const childOutcome = await forms.result();
    expect(childOutcome.status).toBe('COMPLETED');
    // Found in the database rather than told: no hashes came with them.
    expect(childOutcome.signed).toHaveLength(3);
    expect(childOutcome.signed.every((entry) => entry.contentSha256 === null)).toBe(true);
    expect((await database.db.onboarding.findUniqueOrThrow({ where: { id: flow.input.onboardingId } })).status).toBe(
      'COMPLETE',
    );
    // Nothing was outstanding when it looked: no reminder went out.
    const emails = await emailsSent(database.db, flow.input.onboardingId);
    expect(countOf(emails, 'forms-reminder')).toBe(0);
    expect(countOf(emails, 'forms-completed-staff')).toBe(2);
  });

  it('holds the forms email back while no invitation was sent, and sends it with the invitation', async () => {
    const flow = await startFlow({ invite: false });
    const forms = await formsHandleOf(flow);

    await env.sleep('2 days');
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual([]);
    expect(await forms.query(getFormRequestStateQuery)).toMatchObject({
      status: 'OPEN',
      notified: false,
      remindersSent: [],
    });

    const state = await flow.handle.executeUpdate(resendInvitationUpdate, {
      args: [{ staffUserId: flow.org.adminId }],
    });
    expect(state.status).toBe('INVITED');
    await waitForEmails(flow, 'forms-assigned', 1);
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation', 'forms-assigned']);
    const toClient = await outbox((message) => message.to === flow.email);
    expect(toClient.map((message) => message.tags.template)).toEqual(['portal-invitation', 'forms-assigned']);
    await eventually(async () => ((await forms.query(getFormRequestStateQuery)).notified ? true : undefined));
  });

  it('completes a standalone request to a registered client; retried steps email once', async () => {
    const flow = await startFlow({ packageKey: null });
    await register(flow);
    expect((await flow.handle.result()).status).toBe('REGISTERED');

    const assessments = await database.db.formDefinition.findMany({
      where: { organizationId: flow.org.organizationId, key: { in: ['phq-9', 'gad-7'] }, version: 1 },
      orderBy: { key: 'desc' },
    });
    const requestId = randomUUID();
    const assignedKey = `forms-assigned:${requestId}`;
    const adminKey = `forms-completed:${requestId}:${flow.org.adminId}`;
    // The forms email is recorded as sent, then its step fails: the retry must not send it again.
    completionLostOnce.add(requestId);
    // The admin's email goes out but the answer is lost: the retry sends again with the same key, which dedupes.
    answerLostOnce.add(adminKey);
    const forms = await env.client.workflow.start(formRequest, {
      workflowId: formRequestWorkflowId(requestId),
      taskQueue,
      args: [
        {
          requestId,
          onboardingId: flow.input.onboardingId,
          organizationId: flow.org.organizationId,
          packageId: null,
          formDefinitionIds: assessments.map((form) => form.id),
          requestedBy: flow.org.adminId,
        },
      ],
    });
    await waitForStatus(flow.input.onboardingId, 'FORMS_OUTSTANDING');
    await waitForEmails(flow, 'forms-assigned', 1);
    const request = await formRequestOf(flow);
    expect(request).toMatchObject({ packageId: null, requestedBy: flow.org.adminId, status: 'OPEN' });
    expect(request.assignments.map((assignment) => assignment.formDefinition.key)).toEqual(['phq-9', 'gad-7']);

    await sign(flow);
    expect((await forms.result()).status).toBe('COMPLETED');
    expect((await database.db.onboarding.findUniqueOrThrow({ where: { id: flow.input.onboardingId } })).status).toBe(
      'COMPLETE',
    );

    // Both steps ran twice, yet each email exists once, in the database and in the outbox.
    expect([completionLostOnce.has(requestId), answerLostOnce.has(adminKey)]).toEqual([false, false]);
    expect([sendsByKey.get(assignedKey), sendsByKey.get(adminKey)]).toEqual([1, 2]);
    const rows = await database.db.emailMessage.findMany({
      where: { idempotencyKey: { in: [assignedKey, adminKey] } },
    });
    expect(rows.map((row) => [row.idempotencyKey, row.status, row.attempts]).sort()).toEqual(
      [
        [assignedKey, 'SENT', 2],
        [adminKey, 'SENT', 2],
      ].sort(),
    );
    const formsEmails = await outbox(
      (message) => message.to === flow.email && message.tags.template === 'forms-assigned',
    );
    expect(formsEmails).toHaveLength(1);
    expect(formsEmails[0]?.text).toContain('Sign in to your Client Portal');
    const staff = await staffEmailsOf(flow);
    const staffEmails = await outbox((message) => message.tags.template === 'forms-completed-staff');
    expect(staffEmails.filter((message) => message.to === staff.admin)).toHaveLength(1);
    expect(staffEmails.filter((message) => message.to === staff.clinician)).toHaveLength(1);
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual([
      'portal-invitation',
      'registration-confirmed',
      'forms-assigned',
      // ANSWERS has PHQ-9 item 9 at "Several days": the admin and the clinician are asked to review it.
      'form-needs-review-staff',
      'form-needs-review-staff',
      'forms-completed-staff',
      'forms-completed-staff',
    ]);
    expect(countOf(await timelineOf(database.db, flow.input.onboardingId), 'forms.email_sent')).toBe(1);
  });

  it('alerts the admins and the clinician, once each and without PHI, as soon as a PHQ-9 item 9 above 0 is signed', async () => {
    const flow = await startFlow({ packageKey: DEMO.assessmentsPackageKey });
    await register(flow);
    const phq9 = (await formRequestOf(flow)).assignments.find((each) => each.formDefinition.key === 'phq-9')!;
    // The provider accepts the admin's alert but the answer is lost: the retried activity sends under the same key.
    const adminKey = `form-needs-review:${phq9.id}:${flow.org.adminId}`;
    answerLostOnce.add(adminKey);

    await sign(flow, { formKeys: ['phq-9'] });
    await waitForEmails(flow, 'form-needs-review-staff', 2);
    // Other forms are still waiting: the alert did not wait for the package to be complete.
    expect((await formRequestOf(flow)).status).toBe('OPEN');
    expect(sendsByKey.get(adminKey)).toBe(2);

    const staff = await staffEmailsOf(flow);
    const alerts = await outbox((message) => message.tags.template === 'form-needs-review-staff');
    const mine = alerts.filter((message) => message.idempotencyKey.includes(phq9.id));
    expect(mine.map((message) => message.to).sort()).toEqual([staff.admin, staff.clinician].sort());
    for (const message of mine) {
      expect(message.subject).toContain(`onboarding ${flow.input.onboardingId.slice(0, 8)}`);
      expect(message.text).toContain(
        `A form submitted for onboarding ${flow.input.onboardingId.slice(0, 8)} needs review today`,
      );
      expect(message.text).toContain(`/staff/${flow.org.slug}/onboardings/${flow.input.onboardingId}`);
      for (const phi of [
        flow.input.chart.client.lastName,
        flow.input.chart.client.firstName,
        flow.input.chart.externalChartId,
        'PHQ',
        'harm',
      ]) {
        expect(message.text).not.toContain(phi);
        expect(message.subject).not.toContain(phi);
      }
    }
    await eventually(async () =>
      (await timelineOf(database.db, flow.input.onboardingId)).includes('form.review_alert_sent') ? true : undefined,
    );

    // The rest of the package signed: the onboarding completes, and nobody is alerted twice.
    await sign(flow);
    expect((await flow.handle.result()).status).toBe('COMPLETE');
    expect(countOf(await emailsSent(database.db, flow.input.onboardingId), 'form-needs-review-staff')).toBe(2);
    const timeline = await timelineOf(database.db, flow.input.onboardingId);
    expect(countOf(timeline, 'form.needs_review')).toBe(1);
    expect(countOf(timeline, 'form.review_alert_sent')).toBe(1);
  });

  // Last, on purpose: the test server takes a time-skipping lock when a child closes, for its parent to
  // release, and nobody releases it when the parent closed first (as here), so no time can be skipped after.
  it('takes the forms back when staff cancel the onboarding before registration', async () => {
    const flow = await startFlow();
    const forms = await formsHandleOf(flow);

    const state = await flow.handle.executeUpdate(cancelOnboardingUpdate, {
      args: [{ staffUserId: flow.org.adminId }],
    });
    expect(state.status).toBe('CANCELLED');
    // Not handle.result(): waiting for a result lets the test server skip time, and a reminder activity in
    // flight when the cancel arrives trips its ACTIVITY_UNKNOWN bug (sdk-typescript#1058).
    await eventually(async () => ((await flow.handle.describe()).status.name === 'COMPLETED' ? true : undefined));

    await applyParentClosePolicies(flow.handle);
    await eventually(async () => ((await formRequestOf(flow)).status === 'CANCELLED' ? true : undefined), {
      what: 'form request to be cancelled',
      timeoutMs: 15_000,
    });
    const request = await formRequestOf(flow);
    expect(request.assignments.map((assignment) => assignment.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    // The row is marked by the flow's last activity; the flow itself closes a moment later.
    await eventually(async () => ((await forms.describe()).status.name === 'CANCELLED' ? true : undefined), {
      what: 'the form request workflow to close as cancelled',
      timeoutMs: 15_000,
    });
    expect((await database.db.onboarding.findUniqueOrThrow({ where: { id: flow.input.onboardingId } })).status).toBe(
      'CANCELLED',
    );
    expect(await timelineOf(database.db, flow.input.onboardingId)).toEqual(
      expect.arrayContaining(['onboarding.cancelled', 'forms.cancelled']),
    );
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation', 'forms-assigned']);
  });
});
