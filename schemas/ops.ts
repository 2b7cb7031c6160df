/**
 * The ops API (issue 6, item 4): what operations engineers send and read.
 * Nothing here carries PHI: our ids, the EHR's chart id (as GET
 * /v1/onboardings/:id returns it), statuses, timestamps, timeline event
 * types and Temporal's execution metadata only. Failure *messages* are left
 * out on purpose: ours are encrypted by the payload codec, and a plaintext one
 * could quote client data.
 */
import { z } from 'zod';
import { ONBOARDING_STATUSES } from '../domain/onboarding-status';

export const OPS_LIST_STATES = ['stuck', 'failed', 'running'] as const;
export type OpsListState = (typeof OPS_LIST_STATES)[number];

/** Why an onboarding is listed as stuck or failed (see use-cases/ops/ops-diagnosis.ts). */
export const OPS_REASONS = [
  /** No workflow with the onboarding's id: never started, or its history was deleted by retention. */
  'workflow-not-found',
  /** The workflow has closed while the onboarding still waits for something. */
  'workflow-closed',
  /** Workers keep failing a workflow task (a bug or a non-deterministic change): needs a fixed deployment. */
  'workflow-task-failing',
  /** A workflow task has been waiting for a worker: no worker polls the task queue. */
  'waiting-for-worker',
  /** An activity keeps failing and is being retried. */
  'activity-retrying',
  /** The chart was never created, and nothing else explains why. */
  'no-progress',
  /** The onboarding recorded FAILED (the flow stopped on an error). */
  'onboarding-failed',
  'execution-failed',
  'execution-timed-out',
  'execution-terminated',
] as const;
export type OpsReason = (typeof OPS_REASONS)[number];

/** Minutes without a change before a flow counts as stuck, unless the caller says otherwise. */
export const DEFAULT_STUCK_MINUTES = 30;

const ZOlderThanMinutes = z.coerce
  .number()
  .int('must be a whole number of minutes')
  .min(0, 'must be 0 or more')
  .max(525_600, 'must be at most a year');

export const ZOpsListQuery = z.object({
  /** stuck (default), failed, or running (healthy, for a look around). */
  state: z.enum(OPS_LIST_STATES).default('stuck'),
  /** Only onboardings unchanged for this long; default 30 for stuck, 0 otherwise. */
  olderThanMinutes: ZOlderThanMinutes.optional(),
  /** Only onboardings with this status. */
  status: z.enum(ONBOARDING_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** nextCursor of the previous page. */
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a nextCursor from a previous page')
    .optional(),
});
export type TOpsListQuery = z.infer<typeof ZOpsListQuery>;

export const ZOpsParams = z.object({ onboardingId: z.uuid('must be an onboarding id (UUID)') });

/** Temporal's view of the current run, as much as a list needs. */
export const ZOpsExecution = z.object({
  runId: z.string(),
  /** RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW... */
  status: z.string(),
  startTime: z.iso.datetime(),
  closeTime: z.iso.datetime().nullable(),
  historyLength: z.number().int(),
  pendingActivities: z.number().int(),
  /** Highest attempt among pending activities (1 = first try); 0 when none is pending. */
  maxActivityAttempt: z.number().int(),
  /** Attempt of a pending workflow task; above 1 means workers keep failing it. */
  workflowTaskAttempt: z.number().int().nullable(),
  /** The failure type (never its message) of the last failed activity attempt or of the closed run. */
  lastFailureType: z.string().nullable(),
});
export type TOpsExecution = z.infer<typeof ZOpsExecution>;

/**
 * The EHR's chart id: how the practice and its EHR name this client, so an
 * operator can say which flow they mean without seeing who the client is.
 * An identifier the EHR chose, not the client's details (no name, birth date
 * or contact ever leaves this API).
 */
const ZOpsChartId = z.string();

export const ZOpsOnboardingSummary = z.object({
  id: z.uuid(),
  externalChartId: ZOpsChartId,
  status: z.enum(ONBOARDING_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  workflowId: z.string(),
  /** Why it is listed; null for state=running. */
  reason: z.enum(OPS_REASONS).nullable(),
  /** Null when Temporal has no such workflow. */
  execution: ZOpsExecution.nullable(),
  /** The workflow in the Temporal Web UI, when TEMPORAL_UI_URL is configured. */
  webUiUrl: z.url().nullable(),
});
export type TOpsOnboardingSummary = z.infer<typeof ZOpsOnboardingSummary>;

export const ZOpsListResponse = z.object({
  state: z.enum(OPS_LIST_STATES),
  olderThanMinutes: z.number().int(),
  items: z.array(ZOpsOnboardingSummary),
  /** Onboardings looked at for this page; a page can be short while more remain to scan. */
  scanned: z.number().int(),
  /** Pass as `cursor` to continue the scan; null when it is complete. */
  nextCursor: z.string().nullable(),
});
export type TOpsListResponse = z.infer<typeof ZOpsListResponse>;

const ZPendingActivity = z.object({
  activityType: z.string(),
  /** SCHEDULED, STARTED, CANCEL_REQUESTED, PAUSED... */
  state: z.string(),
  attempt: z.number().int(),
  lastFailureType: z.string().nullable(),
  lastStartedTime: z.iso.datetime().nullable(),
  nextAttemptScheduleTime: z.iso.datetime().nullable(),
});

const ZChildWorkflow = z.object({
  workflowId: z.string(),
  runId: z.string().nullable(),
  workflowType: z.string(),
  webUiUrl: z.url().nullable(),
});

/** Workflow task completions a reset can go back to. */
export const ZOpsResetPoints = z.object({
  firstWorkflowTask: z.number().int().nullable(),
  lastWorkflowTask: z.number().int().nullable(),
  /** Where `retry` would reset to: the workflow task that scheduled the step that failed. */
  retry: z.number().int().nullable(),
});

export const ZOpsHistorySummary = z.object({
  events: z.number().int(),
  /** Count per event type, e.g. {"ActivityTaskFailed": 3}. */
  counts: z.record(z.string(), z.number().int()),
  /** The last 10 events, oldest first. */
  recent: z.array(z.object({ eventId: z.number().int(), type: z.string(), time: z.iso.datetime().nullable() })),
  resetPoints: ZOpsResetPoints,
});
export type TOpsHistorySummary = z.infer<typeof ZOpsHistorySummary>;

export const ZOpsOnboardingDescription = z.object({
  id: z.uuid(),
  externalChartId: ZOpsChartId,
  status: z.enum(ONBOARDING_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  chartCreatedAt: z.iso.datetime().nullable(),
  /** Whether it would be listed as stuck or failed right now (ignoring the age filter). */
  diagnosis: z.object({ stuck: z.enum(OPS_REASONS).nullable(), failed: z.enum(OPS_REASONS).nullable() }),
  /** Types and times only: the timeline's details are for staff. */
  timeline: z.array(z.object({ type: z.string(), occurredAt: z.iso.datetime() })),
  formRequests: z.array(
    z.object({
      id: z.uuid(),
      workflowId: z.string(),
      status: z.string(),
      createdAt: z.iso.datetime(),
      webUiUrl: z.url().nullable(),
    }),
  ),
  workflow: z.object({
    workflowId: z.string(),
    namespace: z.string(),
    webUiUrl: z.url().nullable(),
    /** Null when Temporal has no such workflow. */
    execution: ZOpsExecution.extend({
      webUiUrl: z.url().nullable(),
      pendingActivityDetails: z.array(ZPendingActivity),
      children: z.array(ZChildWorkflow),
    }).nullable(),
    history: ZOpsHistorySummary.nullable(),
  }),
});
export type TOpsOnboardingDescription = z.infer<typeof ZOpsOnboardingDescription>;

/**
 * Goes into the workflow history in plain text (Temporal does not encrypt
 * it) and is shown in the Web UI: say why, never who the client is.
 */
const ZReason = z
  .string()
  .trim()
  .min(3, 'must say why (at least 3 characters)')
  .max(300, 'must be at most 300 characters');

export const ZOpsTerminateRequest = z.object({ reason: ZReason });
export type TOpsTerminateRequest = z.infer<typeof ZOpsTerminateRequest>;

export const ZOpsResetRequest = z.object({
  /** A workflow task completion to go back to: the first, the last, or one by its event id. */
  to: z.union([
    z.enum(['first-workflow-task', 'last-workflow-task']),
    z.number().int().min(1, 'must be an event id (1 or more)'),
  ]),
  reason: ZReason,
  /**
   * Required to reset a FAILED onboarding (retry needs none); recorded on the
   * timeline. A finished (COMPLETE or CANCELLED) onboarding is never reset.
   */
  force: z.boolean().default(false),
});
export type TOpsResetRequest = z.infer<typeof ZOpsResetRequest>;

export const OPS_ACTIONS = ['cancel', 'terminate', 'reset', 'retry'] as const;

export const ZOpsActionResponse = z.object({
  onboardingId: z.uuid(),
  action: z.enum(OPS_ACTIONS),
  /** The onboarding's status in the database after the action. */
  status: z.enum(ONBOARDING_STATUSES),
  workflowId: z.string(),
  /** The run acted on, or for reset and retry the new run. */
  runId: z.string().nullable(),
  /** Temporal's status of that run right after the action. */
  executionStatus: z.string().nullable(),
  /** Reset and retry: the run that was reset. */
  previousRunId: z.string().nullable(),
  /** Reset and retry: the WorkflowTaskCompleted event the new run starts again from. */
  resetToEventId: z.number().int().nullable(),
  /** What happened, for a person. */
  message: z.string(),
  webUiUrl: z.url().nullable(),
});
export type TOpsActionResponse = z.infer<typeof ZOpsActionResponse>;

export const OPS_BULK_ACTIONS = ['cancel', 'terminate'] as const;

export const ZOpsBulkRequest = z
  .object({
    action: z.enum(OPS_BULK_ACTIONS),
    query: z.object({
      state: z.enum(['stuck', 'failed']),
      olderThanMinutes: ZOlderThanMinutes.optional(),
      status: z.enum(ONBOARDING_STATUSES).optional(),
    }),
    /** Lists what would be acted on and changes nothing, unless false. */
    dryRun: z.boolean().default(true),
    limit: z.number().int().min(1).max(500).default(100),
    /** Required for terminate (recorded in each workflow's history). */
    reason: ZReason.optional(),
  })
  .refine((body) => body.action !== 'terminate' || body.reason !== undefined, {
    path: ['reason'],
    message: 'is required to terminate',
  })
  // The refinement above, as JSON Schema says it, for the OpenAPI document.
  .meta({
    if: { properties: { action: { const: 'terminate' } }, required: ['action'] },
    then: { required: ['reason'] },
  });
export type TOpsBulkRequest = z.infer<typeof ZOpsBulkRequest>;

export const ZOpsBulkResponse = z.object({
  action: z.enum(OPS_BULK_ACTIONS),
  dryRun: z.boolean(),
  olderThanMinutes: z.number().int(),
  /** Onboarding ids the query matched (at most `limit`). */
  matched: z.array(z.uuid()),
  /** Acted on. */
  done: z.array(z.uuid()),
  /**
   * Not acted on because of where they stand when their turn came (409
   * CONFLICT): finished (COMPLETE, CANCELLED), or their workflow no longer runs.
   */
  refused: z.array(z.object({ onboardingId: z.uuid(), code: z.string(), message: z.string() })),
  /** Not acted on because of an error (Temporal unavailable...): worth trying again. */
  failed: z.array(z.object({ onboardingId: z.uuid(), code: z.string(), message: z.string() })),
  /** False when the scan stopped at its budget before looking at every candidate. */
  complete: z.boolean(),
});
export type TOpsBulkResponse = z.infer<typeof ZOpsBulkResponse>;
