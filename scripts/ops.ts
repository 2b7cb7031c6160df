/**
 * `npm run -s ops -- <command>`: the ops CLI. Finds stuck and failed
 * onboardings and cancels, terminates, resets or retries them through the
 * ops API (api/routes/ops.ts), so every action is checked and audited like
 * any other API call. Prints ids, statuses, times and Temporal metadata only:
 * the API it calls never returns PHI.
 *
 * Exit codes: 0 done, 1 the API refused or failed (or some of a bulk action
 * was refused or failed), 2 wrong usage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ZErrorResponse } from '../schemas/error-response';
import {
  ZOpsActionResponse,
  ZOpsBulkResponse,
  ZOpsListResponse,
  ZOpsOnboardingDescription,
  type TOpsActionResponse,
  type TOpsBulkResponse,
  type TOpsListResponse,
  type TOpsOnboardingDescription,
  type TOpsOnboardingSummary,
} from '../schemas/ops';

const USAGE = `Usage: npm run -s ops -- <command> [options]

Commands:
  list [--stuck | --failed | --running] [--older-than MIN] [--status S] [--limit N] [--cursor C | --all]
      Onboardings that are stuck (default; unchanged for 30 minutes unless --older-than), failed or running.
  describe <onboardingId>
      Status, timeline, the current run, pending activities, children and a history summary.
  cancel <onboardingId>
      Request cancellation of the workflow; the onboarding becomes CANCELLED.
      Refused for a finished onboarding (COMPLETE or CANCELLED), like every action here.
  terminate <onboardingId> --reason "..."
      Stop the workflow at once; the onboarding becomes CANCELLED. The reason goes into the
      workflow history in plain text: never write client details in it.
  reset <onboardingId> --to first|last|<eventId> --reason "..." [--force]
      Start a new run from a WorkflowTaskCompleted event of the current run. A FAILED
      onboarding needs --force (recorded on its timeline); a finished one is never reset.
      The reason goes into the workflow history in plain text: never write client details in it.
  retry <onboardingId>
      Run a failed, timed-out or terminated flow again from the step that failed.
  bulk cancel|terminate --stuck | --failed [--older-than MIN] [--status S] [--limit N] [--reason "..."] [--yes]
      Act on everything a query matches. Only lists what it would do unless --yes.
      Onboardings that finished or stopped running in between are listed as refused.

Options:
  --json           Print the API's JSON instead of tables.
  --key KEY        Staff API key of an ops engineer or admin (default: $OPS_API_KEY, or on the
                   machine that runs \`npm start\`, its demo admin's key from the data folder).
  --api-url URL    The API (default: $API_URL, or http://localhost:3000).
  -h, --help       This text.

Exit codes: 0 done, 1 refused or failed, 2 wrong usage.
`;

class UsageError extends Error {}

class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The CLI's own environment, read once: it is not the service and needs none of config/env.ts. */
const ZCliEnv = z.object({
  OPS_API_KEY: z.string().min(1).optional(),
  API_URL: z.url().optional(),
  /** Where `npm start` keeps its data (scripts/start-local.ts), and its demo admin's API key. */
  LOCAL_DATA_DIR: z.string().min(1).optional(),
});

/**
 * The demo admin's key that `npm start` keeps in its data folder, read the
 * way `npm run webhook:send` reads the webhook secret, so the CLI works
 * against a local start with nothing to copy. Undefined when there is none.
 */
async function localAdminKey(dataDir: string | undefined): Promise<string | undefined> {
  const file = path.join(path.resolve(dataDir ?? path.join(__dirname, '..', '.data')), 'demo-admin-api-key');
  try {
    return (await readFile(file, 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const OPTIONS = {
  stuck: { type: 'boolean' },
  failed: { type: 'boolean' },
  running: { type: 'boolean' },
  'older-than': { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  reason: { type: 'string' },
  to: { type: 'string' },
  force: { type: 'boolean' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  key: { type: 'string' },
  'api-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

interface Api {
  get(path: string): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
}

function connect(baseUrl: string, key: string): Api {
  const call = async (method: string, path: string, body?: unknown) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(`cannot reach the API at ${baseUrl} (${(error as Error).message})`, 0);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(`HTTP ${response.status} from ${path}: not JSON`, response.status);
    }
    if (!response.ok) {
      const parsed = ZErrorResponse.safeParse(json);
      if (!parsed.success) throw new ApiError(`HTTP ${response.status} from ${path}`, response.status);
      const { code, message, fields } = parsed.data.error;
      const detail = fields?.map((field) => `\n  ${field.path}: ${field.message}`).join('') ?? '';
      throw new ApiError(`${code} (HTTP ${response.status}): ${message}${detail}`, response.status);
    }
    return json;
  };
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}

function oneState(
  values: Values,
  allowed: readonly ('stuck' | 'failed' | 'running')[],
): 'stuck' | 'failed' | 'running' {
  const chosen = allowed.filter((state) => values[state]);
  if (chosen.length > 1) throw new UsageError(`choose one of ${allowed.map((state) => `--${state}`).join(', ')}`);
  return chosen[0] ?? 'stuck';
}

function wholeNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${option} must be a whole number`);
  return Number(value);
}

function onboardingIdOf(positionals: string[], command: string): string {
  const [id, ...rest] = positionals;
  if (!id || rest.length > 0) throw new UsageError(`${command} takes one onboarding id`);
  return encodeURIComponent(id);
}

function resetPoint(to: string | undefined): 'first-workflow-task' | 'last-workflow-task' | number {
  if (to === 'first' || to === 'first-workflow-task') return 'first-workflow-task';
  if (to === 'last' || to === 'last-workflow-task') return 'last-workflow-task';
  if (to !== undefined && /^\d+$/.test(to)) return Number(to);
  throw new UsageError('reset needs --to first, --to last or --to <eventId>');
}

function requireReason(values: Values, command: string): string {
  if (!values.reason)
    throw new UsageError(`${command} needs --reason "..." (no client details: it is stored in plain text)`);
  return values.reason;
}

// ---- output ---------------------------------------------------------------------------------------------------

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** "42m", "5h", "3d": how long ago. */
function ago(iso: string | null): string {
  if (!iso) return '-';
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60_000));
  if (minutes < 60) return `${minutes}m ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h ago`;
  return `${Math.round(minutes / (24 * 60))}d ago`;
}

function summaryRows(items: TOpsOnboardingSummary[]): string[][] {
  return items.map((item) => [
    item.id,
    item.externalChartId,
    item.status,
    item.reason ?? '-',
    item.execution?.status ?? 'NOT FOUND',
    item.execution ? String(Math.max(item.execution.maxActivityAttempt, item.execution.workflowTaskAttempt ?? 0)) : '-',
    item.execution?.lastFailureType ?? '-',
    ago(item.updatedAt),
    item.webUiUrl ?? '',
  ]);
}

function printList(pages: TOpsListResponse[], out: (text: string) => void): void {
  const items = pages.flatMap((page) => page.items);
  const last = pages.at(-1)!;
  const scanned = pages.reduce((sum, page) => sum + page.scanned, 0);
  if (items.length === 0) {
    out(`No ${last.state} onboardings (unchanged for ${last.olderThanMinutes}+ minutes; ${scanned} looked at).`);
  } else {
    out(
      table(
        ['ONBOARDING', 'CHART', 'STATUS', 'REASON', 'WORKFLOW', 'ATTEMPT', 'LAST FAILURE', 'UPDATED', 'WEB UI'],
        summaryRows(items),
      ),
    );
    out(`\n${items.length} ${last.state} (unchanged for ${last.olderThanMinutes}+ minutes; ${scanned} looked at).`);
  }
  if (last.nextCursor) out(`More to look at: add --cursor ${last.nextCursor} (or --all).`);
}

function printDescription(d: TOpsOnboardingDescription, out: (text: string) => void): void {
  const diagnosis = [
    d.diagnosis.stuck && `stuck: ${d.diagnosis.stuck}`,
    d.diagnosis.failed && `failed: ${d.diagnosis.failed}`,
  ]
    .filter(Boolean)
    .join(', ');
  out(`Onboarding   ${d.id}`);
  out(`Chart        ${d.externalChartId}`);
  out(`Status       ${d.status}${diagnosis ? `   (${diagnosis})` : ''}`);
  out(`Created      ${d.createdAt}   updated ${d.updatedAt} (${ago(d.updatedAt)})`);
  out(`Workflow     ${d.workflow.workflowId}   namespace ${d.workflow.namespace}`);
  if (d.workflow.webUiUrl) out(`Web UI       ${d.workflow.webUiUrl}`);
  const run = d.workflow.execution;
  if (!run) {
    out('Run          (Temporal has no workflow with this id)');
  } else {
    out(
      `Run          ${run.runId}   ${run.status}   started ${run.startTime}${run.closeTime ? `, closed ${run.closeTime}` : ''}`,
    );
    out(
      `             ${run.historyLength} history events${run.lastFailureType ? `, last failure ${run.lastFailureType}` : ''}`,
    );
    if (run.webUiUrl) out(`Run in UI    ${run.webUiUrl}`);
    if (run.workflowTaskAttempt !== null) out(`Workflow task pending, attempt ${run.workflowTaskAttempt}`);
    if (run.pendingActivityDetails.length > 0) {
      out('\nPending activities');
      out(
        table(
          ['ACTIVITY', 'STATE', 'ATTEMPT', 'LAST FAILURE', 'LAST STARTED', 'NEXT ATTEMPT'],
          run.pendingActivityDetails.map((activity) => [
            activity.activityType,
            activity.state,
            String(activity.attempt),
            activity.lastFailureType ?? '-',
            activity.lastStartedTime ?? '-',
            activity.nextAttemptScheduleTime ?? '-',
          ]),
        ),
      );
    }
    if (run.children.length > 0) {
      out('\nChild workflows');
      out(
        table(
          ['TYPE', 'WORKFLOW', 'WEB UI'],
          run.children.map((c) => [c.workflowType, c.workflowId, c.webUiUrl ?? '']),
        ),
      );
    }
  }
  if (d.formRequests.length > 0) {
    out('\nForm requests');
    out(
      table(
        ['REQUEST', 'STATUS', 'CREATED', 'WORKFLOW'],
        d.formRequests.map((r) => [r.id, r.status, r.createdAt, r.webUiUrl ?? r.workflowId]),
      ),
    );
  }
  out('\nTimeline');
  if (d.timeline.length === 0) out('(nothing recorded yet)');
  else
    out(
      table(
        ['WHEN', 'EVENT'],
        d.timeline.map((event) => [event.occurredAt, event.type]),
      ),
    );
  const history = d.workflow.history;
  if (history) {
    const counts = Object.entries(history.counts)
      .sort((a, b) => b[1] - a[1])
      .map(([type, count]) => `${type} ${count}`)
      .join(', ');
    out(`\nHistory      ${history.events} events: ${counts}`);
    out(
      table(
        ['EVENT', 'WHEN', 'TYPE'],
        history.recent.map((e) => [String(e.eventId), e.time ?? '-', e.type]),
      ),
    );
    const points = history.resetPoints;
    out(
      `\nReset points first ${points.firstWorkflowTask ?? '-'}, last ${points.lastWorkflowTask ?? '-'}, retry ${points.retry ?? '-'}`,
    );
  }
}

function printAction(result: TOpsActionResponse, out: (text: string) => void): void {
  out(result.message);
  out(`Onboarding   ${result.onboardingId}   now ${result.status}`);
  out(`Workflow     ${result.workflowId}   run ${result.runId ?? '-'}   ${result.executionStatus ?? ''}`.trimEnd());
  if (result.previousRunId) out(`Reset from   run ${result.previousRunId}, event ${result.resetToEventId}`);
  if (result.webUiUrl) out(`Web UI       ${result.webUiUrl}`);
}

function printBulk(result: TOpsBulkResponse, out: (text: string) => void): void {
  const verb = result.action === 'cancel' ? 'cancel' : 'terminate';
  if (result.dryRun) {
    out(`Dry run: ${result.matched.length} onboarding(s) would be ${verb === 'cancel' ? 'cancelled' : 'terminated'}:`);
    for (const id of result.matched) out(`  ${id}`);
    if (result.matched.length > 0) out(`Nothing was changed. Add --yes to ${verb} them.`);
  } else {
    out(`${verb === 'cancel' ? 'Cancelled' : 'Terminated'} ${result.done.length} of ${result.matched.length}.`);
    for (const id of result.done) out(`  done    ${id}`);
    for (const refusal of result.refused) out(`  REFUSED ${refusal.onboardingId}  ${refusal.code}: ${refusal.message}`);
    for (const failure of result.failed) out(`  FAILED  ${failure.onboardingId}  ${failure.code}: ${failure.message}`);
  }
  if (!result.complete) out('The scan stopped early (limit or budget): run it again for more.');
}

// ---- commands -------------------------------------------------------------------------------------------------

async function run(argv: string[], env: NodeJS.ProcessEnv, out: (text: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return command || values.help ? 0 : 2;
  }
  // `FOO=` means unset, as for the service's own configuration.
  const cliEnv = ZCliEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!cliEnv.success)
    throw new UsageError(`bad environment: ${cliEnv.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const key = values.key ?? cliEnv.data.OPS_API_KEY ?? (await localAdminKey(cliEnv.data.LOCAL_DATA_DIR));
  if (!key) throw new UsageError('no API key: set OPS_API_KEY, pass --key, or run `npm start` on this machine first');
  const api = connect((values['api-url'] ?? cliEnv.data.API_URL ?? 'http://localhost:3000').replace(/\/+$/, ''), key);
  const print = <T>(json: T, human: (value: T) => void) =>
    values.json ? out(JSON.stringify(json, null, 2)) : human(json);

  switch (command) {
    case 'list': {
      if (rest.length > 0) throw new UsageError('list takes no arguments');
      const query = new URLSearchParams({ state: oneState(values, ['stuck', 'failed', 'running']) });
      const olderThan = wholeNumber(values['older-than'], 'older-than');
      if (olderThan !== undefined) query.set('olderThanMinutes', String(olderThan));
      if (values.status) query.set('status', values.status.toUpperCase());
      const limit = wholeNumber(values.limit, 'limit');
      if (limit !== undefined) query.set('limit', String(limit));
      if (values.cursor) query.set('cursor', values.cursor);
      const pages: TOpsListResponse[] = [];
      for (;;) {
        const page = ZOpsListResponse.parse(await api.get(`/v1/ops/onboardings?${query.toString()}`));
        pages.push(page);
        if (!values.all || !page.nextCursor) break;
        query.set('cursor', page.nextCursor);
      }
      if (values.json) {
        const last = pages.at(-1)!;
        out(JSON.stringify({ ...last, items: pages.flatMap((page) => page.items) }, null, 2));
      } else printList(pages, out);
      return 0;
    }
    case 'describe': {
      const id = onboardingIdOf(rest, command);
      print(ZOpsOnboardingDescription.parse(await api.get(`/v1/ops/onboardings/${id}`)), (d) =>
        printDescription(d, out),
      );
      return 0;
    }
    case 'cancel':
    case 'retry': {
      const id = onboardingIdOf(rest, command);
      const result = ZOpsActionResponse.parse(await api.post(`/v1/ops/onboardings/${id}/${command}`, {}));
      print(result, (r) => printAction(r, out));
      return 0;
    }
    case 'terminate': {
      const id = onboardingIdOf(rest, command);
      const body = { reason: requireReason(values, command) };
      print(ZOpsActionResponse.parse(await api.post(`/v1/ops/onboardings/${id}/terminate`, body)), (r) =>
        printAction(r, out),
      );
      return 0;
    }
    case 'reset': {
      const id = onboardingIdOf(rest, command);
      const body = {
        to: resetPoint(values.to),
        reason: requireReason(values, command),
        ...(values.force ? { force: true } : {}),
      };
      print(ZOpsActionResponse.parse(await api.post(`/v1/ops/onboardings/${id}/reset`, body)), (r) =>
        printAction(r, out),
      );
      return 0;
    }
    case 'bulk': {
      const [action, ...extra] = rest;
      if ((action !== 'cancel' && action !== 'terminate') || extra.length > 0) {
        throw new UsageError('bulk needs an action: bulk cancel|terminate --stuck|--failed');
      }
      if (!values.stuck && !values.failed) throw new UsageError('bulk needs --stuck or --failed');
      const state = oneState(values, ['stuck', 'failed']) as 'stuck' | 'failed';
      const olderThan = wholeNumber(values['older-than'], 'older-than');
      const limit = wholeNumber(values.limit, 'limit');
      const body = {
        action,
        query: {
          state,
          ...(olderThan !== undefined ? { olderThanMinutes: olderThan } : {}),
          ...(values.status ? { status: values.status.toUpperCase() } : {}),
        },
        dryRun: !values.yes,
        ...(limit !== undefined ? { limit } : {}),
        ...(action === 'terminate' ? { reason: requireReason(values, 'bulk terminate') } : {}),
      };
      const result = ZOpsBulkResponse.parse(await api.post('/v1/ops/bulk', body));
      print(result, (r) => printBulk(r, out));
      return result.failed.length > 0 || result.refused.length > 0 ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

run(process.argv.slice(2), process.env, (text) => process.stdout.write(`${text}\n`)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`ops: ${error.message}\nRun "npm run -s ops -- --help" for usage.\n`);
      process.exitCode = 2;
    } else if (error instanceof ApiError) {
      process.stderr.write(`ops: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`ops: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
