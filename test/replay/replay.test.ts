/**
 * Safe deploys: every committed history of a real onboarding (one per path,
 * recorded by `npm run histories:record`) must replay through the current
 * workflow code without a determinism error. A change that would break flows
 * already in flight (up to 7 days and more) fails here, in CI, before it
 * reaches them. Fix such a change with patched() (README "Changing a workflow").
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';

const HISTORIES = path.join(__dirname, 'histories');
const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));

beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
});

it('has a recorded history for each path of the onboarding and of a payment', () => {
  expect(files.sort()).toEqual([
    'delayed-past-window-bounced.json',
    'expired-automatic-resend-waiting.json',
    'expired-client-asked-new-link-registered.json',
    'expired-resent-registered.json',
    'expired-then-cancelled-callbacks.json',
    'form-request-completed.json',
    'form-request-reviewed-each-form.json',
    'forms-reminded-completed.json',
    'owner-changed-registered.json',
    'payment-abandoned.json',
    'payment-paid-on-checkout.json',
    'payment-paid-with-saved-card.json',
    'reminded-then-registered.json',
    'revoked-then-cancelled.json',
  ]);
});

it.each(files)('replays %s through the current workflow code', async (file) => {
  // fromObject reads the JSON protobufjs wrote (History.toJSON). The SDK's historyFromJSON fails
  // here ("type must be a Type"): npm installs separate protobufjs copies for @temporalio/common
  // and @temporalio/proto.
  const json = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')) as Record<string, unknown>;
  const history = temporal.api.history.v1.History.fromObject(json);
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: run tests through jest (global setup)');
  await expect(
    Worker.runReplayHistory({ workflowBundle: { codePath } }, history, path.basename(file, '.json')),
  ).resolves.toBeUndefined();
});
