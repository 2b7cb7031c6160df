import { randomUUID } from 'node:crypto';
import { clientOnboarding, type ClientOnboardingInput } from '../../workflows/client-onboarding';
import { newOnboarding } from './factories';
import type { TestService } from './service';

export interface ParkedOnboarding {
  onboardingId: string;
  workflowId: string;
  /** The task queue no worker polls (a test can start one on it later). */
  taskQueue: string;
  input: ClientOnboardingInput;
}

/**
 * A stuck flow as after a deployment that lost its workers: the onboarding
 * row is written and its workflow started, on a task queue of its own that no
 * worker polls, so it stays PENDING with its first workflow task waiting.
 */
export async function parkedOnboarding(service: TestService, organizationId: string): Promise<ParkedOnboarding> {
  const { input, workflowId } = await newOnboarding(service.database.db, organizationId, { invite: true });
  const taskQueue = `parked-${randomUUID()}`;
  await service.env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
  return { onboardingId: input.onboardingId, workflowId, taskQueue, input };
}

/** A call to the ops API with a staff key (none: no Authorization header). */
export function opsCall(
  service: TestService,
  key: string | null,
  method: 'GET' | 'POST',
  path: string,
  body: unknown = {},
): Promise<Response> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  return method === 'GET' ? service.get(path, headers) : service.post(path, body, headers);
}
