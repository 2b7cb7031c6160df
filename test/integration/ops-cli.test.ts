/**
 * The ops CLI (`npm run ops`, scripts/ops.ts) as an ops engineer runs it,
 * as a separate process against the API: find a stuck flow, look at it,
 * cancel it. Done-criterion of issue 6, item 4.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TOpsListResponse } from '../../schemas/ops';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { parkedOnboarding, type ParkedOnboarding } from '../support/ops';
import { eventually, startTestService, type TestService } from '../support/service';

const ROOT = path.resolve(__dirname, '..', '..');

let service: TestService;
let org: TestOrganization;
/** Stands in for `npm start`'s data folder, so a developer's own .data/ never leaks into these runs. */
let dataDir: string;

beforeAll(async () => {
  service = await startTestService({ temporalUiUrl: 'http://temporal-ui.test' });
  org = await createTestOrganization(service.database.db);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ops-cli-'));
});

afterAll(async () => {
  await service?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'ops.ts'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      API_URL: service.api.url,
      OPS_API_KEY: org.keys.ops,
      LOCAL_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * The client's details the flow carries (encrypted in Temporal): none may be
 * printed. The chart id may: it is how the operator and the practice agree on
 * which flow they mean.
 */
function expectNoPhi(output: string, flow: ParkedOnboarding) {
  const { client } = flow.input.chart;
  for (const phi of [client.firstName, client.lastName, client.email!, client.dateOfBirth]) {
    expect(output).not.toContain(phi);
  }
}

it('an ops engineer finds a stuck flow and cancels it', async () => {
  const stuck = await parkedOnboarding(service, org.organizationId);

  const listed = await ops(['list', '--stuck', '--older-than', '0', '--json']);
  expect(listed).toMatchObject({ code: 0, stderr: '' });
  const list = JSON.parse(listed.stdout) as TOpsListResponse;
  expect(list.items.find((item) => item.id === stuck.onboardingId)).toMatchObject({ status: 'PENDING' });

  const table = await ops(['list', '--stuck', '--older-than', '0']);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/ONBOARDING\s+CHART\s+STATUS\s+REASON/);
  expect(table.stdout).toMatch(new RegExp(`${stuck.onboardingId}\\s+${stuck.input.chart.externalChartId}\\s+PENDING`));
  expect(table.stdout).toContain(`http://temporal-ui.test/namespaces/default/workflows/${stuck.workflowId}`);
  expectNoPhi(table.stdout, stuck);

  const described = await ops(['describe', stuck.onboardingId]);
  expect(described.code).toBe(0);
  expect(described.stdout).toContain(`Onboarding   ${stuck.onboardingId}`);
  expect(described.stdout).toContain(`Chart        ${stuck.input.chart.externalChartId}`);
  expect(described.stdout).toMatch(/Run\s+\S+\s+RUNNING/);
  expect(described.stdout).toContain('WorkflowExecutionStarted');
  expectNoPhi(described.stdout, stuck);

  const cancelled = await ops(['cancel', stuck.onboardingId]);
  expect(cancelled).toMatchObject({ code: 0, stderr: '' });
  expect(cancelled.stdout).toMatch(/Cancellation requested/);
  expect(cancelled.stdout).toContain(`now CANCELLED`);
  const row = await service.database.db.onboarding.findUniqueOrThrow({ where: { id: stuck.onboardingId } });
  expect(row.status).toBe('CANCELLED');
  const history = await service.env.client.workflow.getHandle(stuck.workflowId).fetchHistory();
  expect(
    history.events?.map((event) => event.workflowExecutionCancelRequestedEventAttributes).filter(Boolean),
  ).toHaveLength(1);

  // Cancelled flows are no longer stuck.
  const after = JSON.parse((await ops(['list', '--older-than', '0', '--json'])).stdout) as TOpsListResponse;
  expect(after.items.map((item) => item.id)).not.toContain(stuck.onboardingId);
});

it('terminates with a reason, and says what went wrong with exit code 1', async () => {
  const stuck = await parkedOnboarding(service, org.organizationId);
  const terminated = await ops(['terminate', stuck.onboardingId, '--reason', 'lost workers', '--json']);
  expect(terminated.code).toBe(0);
  expect(JSON.parse(terminated.stdout)).toMatchObject({ status: 'CANCELLED', executionStatus: 'TERMINATED' });

  const again = await ops(['terminate', stuck.onboardingId, '--reason', 'again']);
  expect(again.code).toBe(1);
  // Terminated means CANCELLED: finished, refused like a staff action on it.
  expect(again.stderr).toMatch(
    /CONFLICT \(HTTP 409\): This onboarding has finished; there is nothing left to act on\./,
  );
});

it('bulk is a dry run until --yes', async () => {
  const practice = await createTestOrganization(service.database.db);
  const flows = [
    await parkedOnboarding(service, practice.organizationId),
    await parkedOnboarding(service, practice.organizationId),
  ];
  const key = { OPS_API_KEY: practice.keys.ops };
  const status = async () =>
    (
      await service.database.db.onboarding.findMany({
        where: { organizationId: practice.organizationId },
        select: { status: true },
      })
    ).map((row) => row.status);

  const dryRun = await ops(['bulk', 'cancel', '--stuck', '--older-than', '0'], key);
  expect(dryRun.code).toBe(0);
  expect(dryRun.stdout).toMatch(/Dry run: 2 onboarding\(s\) would be cancelled/);
  for (const flow of flows) expect(dryRun.stdout).toContain(flow.onboardingId);
  expect(await status()).toEqual(['PENDING', 'PENDING']);

  const done = await ops(['bulk', 'cancel', '--stuck', '--older-than', '0', '--yes'], key);
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(/Cancelled 2 of 2/);
  await eventually(async () => ((await status()).every((value) => value === 'CANCELLED') ? true : undefined));
});

it('refuses wrong usage with exit code 2, and a therapist key with 1', async () => {
  const usage = async (args: string[], env: Record<string, string> = {}) => {
    const run = await ops(args, env);
    expect({ args, code: run.code }).toEqual({ args, code: 2 });
    return run.stderr;
  };
  expect(await usage(['frobnicate'])).toMatch(/unknown command/);
  expect(await usage(['list', '--stuck', '--failed'])).toMatch(/choose one/);
  expect(await usage(['terminate', '00000000-0000-4000-8000-000000000000'])).toMatch(/--reason/);
  expect(await usage(['reset', '00000000-0000-4000-8000-000000000000', '--to', 'middle', '--reason', 'x'])).toMatch(
    /--to first/,
  );
  expect(await usage(['list', '--bogus'])).toMatch(/bogus/);
  expect(await usage(['list'], { OPS_API_KEY: '' })).toMatch(/OPS_API_KEY.*npm start/);

  const help = await ops(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/Usage: npm run -s ops/);

  const forbidden = await ops(['list'], { OPS_API_KEY: org.keys.therapist });
  expect(forbidden.code).toBe(1);
  expect(forbidden.stderr).toMatch(/FORBIDDEN \(HTTP 403\)/);
});

it('resets a FAILED onboarding only with --force, which it passes on to the API', async () => {
  const flow = await parkedOnboarding(service, org.organizationId);
  await service.database.db.onboarding.update({ where: { id: flow.onboardingId }, data: { status: 'FAILED' } });
  const args = ['reset', flow.onboardingId, '--to', 'first', '--reason', 'cause fixed'];

  const unforced = await ops(args);
  expect(unforced.code).toBe(1);
  expect(unforced.stderr).toMatch(/CONFLICT \(HTTP 409\): This onboarding failed\..*"force": true/);

  // Past the force check, Temporal's own refusal (this parked run never ran a workflow task).
  const forced = await ops([...args, '--force']);
  expect(forced.code).toBe(1);
  expect(forced.stderr).toMatch(/No workflow task has completed yet/);
});

it('uses the demo admin key that `npm start` keeps in its data folder when no key is given', async () => {
  const flow = await parkedOnboarding(service, org.organizationId);
  const practiceFolder = await mkdtemp(path.join(dataDir, 'start-'));
  // As local/dev-secrets.ts writes it: the key and a newline.
  await writeFile(path.join(practiceFolder, 'demo-admin-api-key'), `${org.keys.admin}\n`);

  const listed = await ops(['list', '--stuck', '--older-than', '0', '--json'], {
    OPS_API_KEY: '',
    LOCAL_DATA_DIR: practiceFolder,
  });
  expect(listed).toMatchObject({ code: 0, stderr: '' });
  expect((JSON.parse(listed.stdout) as TOpsListResponse).items.map((item) => item.id)).toContain(flow.onboardingId);

  // An explicit key still wins over the file.
  const therapist = await ops(['list'], { OPS_API_KEY: org.keys.therapist, LOCAL_DATA_DIR: practiceFolder });
  expect(therapist.stderr).toMatch(/FORBIDDEN \(HTTP 403\)/);
});
