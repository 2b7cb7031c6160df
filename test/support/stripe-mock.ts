import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface StripeMock {
  /** Give it to the Stripe SDK as the API origin, e.g. http://127.0.0.1:41234. */
  baseUrl: string;
  stop(): Promise<void>;
}

const INSTALLED = path.resolve(__dirname, '..', '..', '.tools', 'bin', 'stripe-mock');

/** The binary to run: STRIPE_MOCK_PATH, else the one `npm install` built into .tools/bin. */
export function stripeMockBinary(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.STRIPE_MOCK_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`STRIPE_MOCK_PATH points at ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  if (!existsSync(INSTALLED)) {
    throw new Error(
      `stripe-mock is not installed (${INSTALLED} is missing). The payment tests run the Stripe SDK against it. ` +
        'Install Go >= 1.22 (https://go.dev/dl/, or /usr/local/go/bin on PATH) and run `npm install`, which builds it ' +
        '(scripts/install-tools.cjs); or set STRIPE_MOCK_PATH to a stripe-mock binary.',
    );
  }
  return INSTALLED;
}

const LISTENING = /Listening for HTTP at address: (\S+):(\d+)/;

/**
 * Starts stripe-mock (Stripe's own stand-in of its API: the OpenAPI spec's
 * validation and fixture responses, no state) on a port the system picks, on
 * loopback only, and resolves once it answers an authenticated request.
 * Both listeners get ephemeral ports: stripe-mock opens HTTPS on 12112 unless
 * it is told otherwise, which would collide between parallel test files.
 */
export async function startStripeMock(options: { timeoutMs?: number } = {}): Promise<StripeMock> {
  const binary = stripeMockBinary();
  const child = spawn(binary, ['-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`stripe-mock did not start within ${options.timeoutMs ?? 15_000} ms:\n${output}`)),
        options.timeoutMs ?? 15_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = LISTENING.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[2]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`stripe-mock exited with ${code} before listening:\n${output}`));
      });
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    // Listening is not yet answering: make one real request before handing it out.
    const response = await fetch(`${baseUrl}/v1/customers/cus_ready`, {
      headers: { authorization: 'Bearer sk_test_ready' },
    });
    if (!response.ok) throw new Error(`stripe-mock answered ${response.status}: ${await response.text()}`);
    return { baseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
