import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../temporal/data-converter';
import { WORKFLOWS_PATH } from '../../temporal/worker';

/**
 * Bundles the workflow code once for the whole run (webpack takes a second or
 * two): every test worker then loads the same bundle, as a production image
 * would. Also refuses to run CI without real PostgreSQL.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.CI && !process.env.TEST_DATABASE_URL) {
    throw new Error('CI must test against real PostgreSQL: set TEST_DATABASE_URL (see .ci/run).');
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onboarding-bundle-'));
  const codePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(codePath, code);
  process.env.TEST_WORKFLOW_BUNDLE = codePath;
}
