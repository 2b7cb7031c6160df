/**
 * The faults a chaos episode injects, and when: the PRNG lays out a plan
 * (each kind `perKind` times at random moments of the traffic window), and
 * the injectors carry it out one at a time, since two process faults at once
 * would blur which one a violation belongs to. Email faults (and the EHR's
 * 410) are queued at the stand-in and hit whichever sends come next.
 */
import type { ResendStandIn } from '../test/support/resend-stand-in';
import type { EhrCallbackStandIn } from './ehr-callback-stand-in';
import { webhooksInFlightNow } from './ehr-client';
import type { ChaosPostgres } from './postgres-cluster';
import type { Prng } from './prng';
import type { ChaosProcess } from './services';
import type { ChaosTemporal } from './temporal-server';

export const FAULT_KINDS = [
  'worker-kill',
  'api-kill-mid-webhook',
  'temporal-kill',
  'postgres-restart',
  'email-500',
  'email-429-retry-after',
  'email-timeout',
  'email-accept-then-drop',
  'callback-endpoint-down',
  'callback-410',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  kind: FaultKind;
  atMs: number;
  /** How long the part stays down, or how many sends the email fault hits. */
  downMs: number;
  times: number;
}

export interface InjectedFault {
  kind: FaultKind;
  startedAt: number;
  endedAt: number;
  note?: string;
}

export interface FaultTargets {
  api: ChaosProcess;
  workers: ChaosProcess[];
  temporal: ChaosTemporal;
  postgres: ChaosPostgres;
  standIn: ResendStandIn;
  ehr: EhrCallbackStandIn;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function planFaults(
  prng: Prng,
  options: {
    windowMs: number;
    perKind: number;
    kinds: readonly FaultKind[];
    /** How long a killed part stays down, at least and at most (default 1–5 s). */
    downMs?: readonly [number, number];
  },
): PlannedFault[] {
  const plan: PlannedFault[] = [];
  for (const kind of options.kinds) {
    for (let i = 0; i < options.perKind; i += 1) {
      plan.push({
        kind,
        // Spread over the window, one slot per injection, jittered inside it.
        atMs: Math.floor(((i + prng.next()) / options.perKind) * options.windowMs),
        downMs: prng.int(...(options.downMs ?? [1_000, 5_000])),
        times: prng.int(1, 3),
      });
    }
  }
  return plan.sort((a, b) => a.atMs - b.atMs);
}

async function restart(part: { kill(): Promise<void>; start(): Promise<void> }, downMs: number): Promise<void> {
  await part.kill();
  await sleep(downMs);
  await part.start();
}

async function inject(fault: PlannedFault, targets: FaultTargets, prng: Prng): Promise<string | undefined> {
  const { standIn } = targets;
  switch (fault.kind) {
    case 'worker-kill':
      await restart(prng.pick(targets.workers), fault.downMs);
      return undefined;
    case 'api-kill-mid-webhook': {
      // Wait (briefly) for a webhook on the wire, so the EHR sees its connection dropped.
      const deadline = Date.now() + 10_000;
      while (webhooksInFlightNow() === 0 && Date.now() < deadline) await sleep(5);
      const midWebhook = webhooksInFlightNow() > 0;
      await restart(targets.api, fault.downMs);
      return midWebhook ? undefined : 'no webhook was in flight';
    }
    case 'temporal-kill':
      await restart(targets.temporal, fault.downMs);
      return undefined;
    case 'postgres-restart': {
      const { control } = targets.postgres;
      if (!control) return `skipped: ${targets.postgres.uncontrolledBecause}`;
      await restart({ kill: () => control.stop(), start: () => control.start() }, fault.downMs);
      return undefined;
    }
    case 'email-500':
      standIn.faultNext({ kind: 'status', status: 500 }, fault.times);
      return undefined;
    case 'email-429-retry-after':
      standIn.faultNext({ kind: 'status', status: 429, retryAfterSeconds: 2 }, fault.times);
      return undefined;
    case 'email-timeout':
      // Longer than the email activity's 15 s start-to-close timeout: Temporal gives up and retries.
      standIn.faultNext({ kind: 'timeout', holdMs: 20_000 }, fault.times);
      return undefined;
    case 'email-accept-then-drop':
      standIn.faultNext({ kind: 'drop-after-accept' }, fault.times);
      return undefined;
    case 'callback-endpoint-down': {
      // Longer than a process outage, so callbacks started meanwhile fail and wait out a backoff, and kept down
      // (up to 20 s) until it has dropped a callback, so the fault meets one. The issue's "an hour of test time"
      // needs the time-skipping server, which the SIGKILL faults cannot use.
      const { ehr } = targets;
      const droppedBefore = ehr.receipts.filter((receipt) => receipt.status === 0).length;
      const dropped = () => ehr.receipts.filter((receipt) => receipt.status === 0).length > droppedBefore;
      ehr.down();
      await sleep(fault.downMs * 3);
      const deadline = Date.now() + 20_000;
      while (!dropped() && Date.now() < deadline) await sleep(50);
      ehr.up();
      return dropped() ? undefined : 'no callback came while it was down';
    }
    case 'callback-410':
      targets.ehr.goneNext(fault.times);
      return undefined;
  }
}

/** Carries out the plan from `startedAt`; resolves with what was injected once the last fault has healed. */
export async function injectFaults(
  plan: PlannedFault[],
  targets: FaultTargets,
  prng: Prng,
  startedAt: number,
  say: (line: string) => void,
): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  for (const fault of plan) {
    const wait = startedAt + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    const begin = Date.now();
    const note = await inject(fault, targets, prng);
    injected.push({ kind: fault.kind, startedAt: begin, endedAt: Date.now(), ...(note ? { note } : {}) });
    say(`  fault ${fault.kind}${note ? ` (${note})` : ''} at +${Math.round((begin - startedAt) / 1000)} s`);
  }
  return injected;
}
