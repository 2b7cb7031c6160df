/** The ops API (api/routes/ops.ts): ops engineers and organisation admins, in their own organisation. */
import type { z } from 'zod';
import {
  ZOpsActionResponse,
  ZOpsBulkRequest,
  ZOpsBulkResponse,
  ZOpsListQuery,
  ZOpsListResponse,
  ZOpsOnboardingDescription,
  ZOpsParams,
  ZOpsResetRequest,
  ZOpsTerminateRequest,
} from '../../schemas/ops';
import { error, json, operation, type Schema } from './operation';

const OPS_ONLY = 'Only ops engineers and organisation admins';
const UNAVAILABLE = 'Temporal is unavailable; retry';

/** An ops action on one onboarding: audited as ops.<action>. */
const opsAction = (operationId: string, summary: string, body?: z.ZodType) => ({
  post: operation({
    operationId,
    summary,
    tags: ['ops'],
    auth: 'staff',
    scope: 'ops',
    params: ZOpsParams,
    ...(body ? { body } : {}),
    responses: {
      200: json(
        ZOpsActionResponse,
        'What was done; `status` is the onboarding’s status as read from the database after the action',
      ),
      403: error(OPS_ONLY),
      404: error('No such onboarding in your organisation'),
      409: error(
        'Not possible as the onboarding or its workflow stands; the message says why. A finished onboarding (COMPLETE or CANCELLED) answers "This onboarding has finished; there is nothing left to act on.", like staff actions; a FAILED one is reset only with "force": true',
      ),
      503: error(UNAVAILABLE),
    },
  }),
});

export function opsPaths(): Record<string, Schema> {
  return {
    '/v1/ops/onboardings': {
      get: operation({
        operationId: 'listOpsOnboardings',
        summary: 'Stuck, failed or running onboardings, with Temporal’s view of each (ops; no PHI)',
        description:
          'Scans the organisation’s onboardings unchanged for olderThanMinutes (default 30 for stuck, 0 otherwise), quietest first, and asks Temporal about each. stuck: not in a final status and the workflow is missing or closed, a workflow task is failing or waiting for a worker, an activity is retrying, or the chart was never created. failed: status FAILED, or the workflow failed, timed out or was terminated while the onboarding was still open. A page can be shorter than limit while nextCursor says the scan goes on.',
        tags: ['ops'],
        auth: 'staff',
        scope: 'ops',
        query: ZOpsListQuery,
        responses: {
          200: json(ZOpsListResponse, 'Matching onboardings, quietest first'),
          403: error(OPS_ONLY),
          503: error(UNAVAILABLE),
        },
      }),
    },
    '/v1/ops/onboardings/{onboardingId}': {
      get: operation({
        operationId: 'describeOpsOnboarding',
        summary:
          'One onboarding for ops: status, timeline types, the current run, pending activities, children, history summary',
        tags: ['ops'],
        auth: 'staff',
        scope: 'ops',
        params: ZOpsParams,
        responses: {
          200: json(ZOpsOnboardingDescription, 'The onboarding and its workflow'),
          403: error(OPS_ONLY),
          404: error('No such onboarding in your organisation'),
          503: error(UNAVAILABLE),
        },
      }),
    },
    '/v1/ops/onboardings/{onboardingId}/cancel': opsAction(
      'opsCancelOnboarding',
      'Request cancellation of the running workflow; the onboarding becomes CANCELLED (timeline ops.cancelled). Refused (409) for a finished onboarding (COMPLETE, CANCELLED)',
    ),
    '/v1/ops/onboardings/{onboardingId}/terminate': opsAction(
      'opsTerminateOnboarding',
      'Terminate the running workflow at once; the onboarding becomes CANCELLED (timeline ops.terminated). The reason is stored in the workflow history in plain text: no PHI. Refused (409) for a finished onboarding (COMPLETE, CANCELLED)',
      ZOpsTerminateRequest,
    ),
    '/v1/ops/onboardings/{onboardingId}/reset': opsAction(
      'opsResetOnboarding',
      'Start a new run from a WorkflowTaskCompleted event of the current run (first, last, or an event id). Refused (409) for a finished onboarding (COMPLETE, CANCELLED), and for a FAILED one unless "force": true (recorded on the timeline as a forced ops.reset). The reason is stored in the workflow history in plain text: no PHI.',
      ZOpsResetRequest,
    ),
    '/v1/ops/onboardings/{onboardingId}/retry': opsAction(
      'opsRetryOnboarding',
      'Run a failed, timed-out or terminated flow again from the workflow task that scheduled the failed step. Refused (409) for a finished onboarding (COMPLETE, CANCELLED)',
    ),
    '/v1/ops/bulk': {
      post: operation({
        operationId: 'opsBulk',
        summary:
          'Cancel or terminate every onboarding a stuck/failed query matches (dry run unless dryRun is false). Each is checked as it is acted on: finished ones (COMPLETE, CANCELLED) and closed workflows are listed under refused, not done',
        description: 'terminate needs a reason (recorded in each workflow’s history).',
        tags: ['ops'],
        auth: 'staff',
        scope: 'ops',
        body: ZOpsBulkRequest,
        responses: {
          200: json(ZOpsBulkResponse, 'What matched, and what was done, refused or failed'),
          403: error(OPS_ONLY),
          503: error(UNAVAILABLE),
        },
      }),
    },
  };
}
