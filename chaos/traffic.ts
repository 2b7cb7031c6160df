/**
 * The steady stream of real work a chaos episode drives through the API: one
 * new chart every 1/rate seconds, each with a script the PRNG picks. The EHR
 * delivers each chart 1–10 times (some at once, some later, all with the same
 * webhook-id); a client registers through the portal pages from the link in
 * the email the provider received; staff read the onboarding (a PHI access)
 * and resend or cancel. What the traffic got answered goes in the ledger; the
 * invariant checker compares it with the database, Temporal and stand-ins.
 */
import { randomUUID } from 'node:crypto';
import { chartCreatedWebhook } from '../test/support/factories';
import type { ResendStandIn } from '../test/support/resend-stand-in';
import { newWebhookId, persist, webhookSender } from './ehr-client';
import type { Prng } from './prng';

export type Script = 'register' | 'resend' | 'cancel' | 'wait';

export interface ChartRecord {
  externalChartId: string;
  email: string;
  lastName: string;
  startedAt: number;
  finishedAt: number;
  script: Script;
  deliveries: number;
  /** onboardingId of every 202, one per delivery that was answered. */
  answers: string[];
  /** The traffic saw this script's step done (registered, resent, cancelled). */
  completed: boolean;
  /** Staff reads of the onboarding answered 200: each must be in the audit trail. */
  reads: number;
  /**
   * Staff action attempts answered with a 5xx or a dropped connection. Each
   * is retried under the same Idempotency-Key, so none may act twice; a cancel
   * whose answer was lost before it was stored may find the flow finished (409).
   */
  unansweredActions: number;
  error?: string;
}

export interface TrafficTarget {
  apiUrl: string;
  integrationId: string;
  webhookSecret: string;
  adminKey: string;
  standIn: ResendStandIn;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const GIVE_UP_MS = 180_000;

function registrationToken(standIn: ResendStandIn, to: string): string | undefined {
  for (const request of standIn.deliveries()) {
    const body = request.body as { to?: string[]; text?: string } | undefined;
    if (!body?.to?.includes(to)) continue;
    const token = /\/portal\/register\/([A-Za-z0-9_-]{43})/.exec(body.text ?? '')?.[1];
    if (token) return token;
  }
  return undefined;
}

/** A made-up public address per client, passed as a proxy would: the sign-in doors limit per address. */
function clientAddress(index: number): string {
  return `203.0.${Math.floor(index / 250) % 250}.${(index % 250) + 1}`;
}

async function register(target: TrafficTarget, record: ChartRecord, index: number): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  let token: string | undefined;
  while (!(token = registrationToken(target.standIn, record.email))) {
    if (Date.now() > deadline) throw new Error('no invitation email reached the provider');
    await sleep(500);
  }
  const forwarded = { 'x-forwarded-for': clientAddress(index) };
  const url = `${target.apiUrl}/portal/register/${token}`;
  for (;;) {
    const page = await persist(() => fetch(url, { headers: forwarded }), { giveUpMs: GIVE_UP_MS });
    // 409: the link is used. Only this client has it, so an earlier post whose answer was lost registered them.
    if (page.status === 409) break;
    if (page.status !== 200) throw new Error(`registration page answered ${page.status}`);
    const cookie = /portal_csrf=[^;]+/.exec(page.headers.get('set-cookie') ?? '')?.[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!cookie || !csrf) throw new Error('registration page without a CSRF token');
    const form = new URLSearchParams({
      _csrf: csrf,
      lastName: record.lastName,
      dateOfBirth: '1987-05-12',
      password: 'violet harbour tuesday kite',
      passwordConfirmation: 'violet harbour tuesday kite',
    });
    const posted = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...forwarded },
      body: form.toString(),
      signal: AbortSignal.timeout(30_000),
    }).catch(() => null);
    if (posted?.status === 303) break;
    if (posted && posted.status < 500) throw new Error(`registration answered ${posted.status}`);
    if (Date.now() > deadline) throw new Error('registration kept failing');
    await sleep(1_000);
  }
  record.completed = true;
}

async function staff(target: TrafficTarget, record: ChartRecord, onboardingId: string): Promise<void> {
  const headers = { authorization: `Bearer ${target.adminKey}`, 'content-type': 'application/json' };
  const base = `${target.apiUrl}/v1/onboardings/${onboardingId}`;
  // Staff look first (a PHI read, audited) and act once the invitation step has finished (409 until then).
  const read = await persist(() => fetch(base, { headers }), { giveUpMs: GIVE_UP_MS });
  if (read.status === 200) record.reads += 1;
  if (record.script === 'wait') return;
  const path = record.script === 'cancel' ? '/cancel' : '/invitation/resend';
  // One key for every attempt at this action, as a careful caller does (http/idempotency.ts).
  const once = { ...headers, 'idempotency-key': randomUUID() };
  const acted = await persist(() => fetch(`${base}${path}`, { method: 'POST', headers: once, body: '{}' }), {
    giveUpMs: GIVE_UP_MS,
    retryOn: [409],
    onRetry: (reason) => {
      if (!reason.startsWith('HTTP 409')) record.unansweredActions += 1;
    },
  }).catch(async (error: unknown) => {
    // A cancel that ended the flow and died before storing its answer: the retry finds the flow finished (409).
    const now = await persist(() => fetch(base, { headers }), { giveUpMs: GIVE_UP_MS });
    if (record.script === 'cancel' && record.unansweredActions > 0 && now.text.includes('"CANCELLED"')) return now;
    throw error;
  });
  if (acted.status !== 200) throw new Error(`staff ${record.script} answered ${acted.status}: ${acted.text}`);
  record.completed = true;
}

/** One chart through its whole script; never throws (a failure is written on the record). */
export async function driveChart(target: TrafficTarget, prng: Prng, index: number): Promise<ChartRecord> {
  const webhook = chartCreatedWebhook();
  const { client } = webhook.data;
  const script: Script = prng.pick(['register', 'register', 'register', 'resend', 'cancel', 'wait']);
  const record: ChartRecord = {
    externalChartId: webhook.data.externalChartId,
    email: client.email ?? '',
    lastName: client.lastName,
    startedAt: Date.now(),
    finishedAt: 0,
    script,
    deliveries: prng.int(1, 10),
    answers: [],
    completed: script === 'wait',
    reads: 0,
    unansweredActions: 0,
  };
  const send = webhookSender(target.apiUrl, target.integrationId, target.webhookSecret);
  const body = JSON.stringify(webhook);
  const webhookId = newWebhookId();
  // Decided now, so the PRNG's sequence does not depend on how fast the machine answers.
  const plan = Array.from({ length: record.deliveries }, () => ({
    concurrent: prng.chance(0.5),
    delayMs: prng.chance(0.3) ? prng.int(500, 8_000) : 0,
  }));
  const staffRead = prng.chance(0.5);
  try {
    const deliver = async () => {
      const answer = await persist(send(body, webhookId), { giveUpMs: GIVE_UP_MS });
      // 202 for the delivery that started it, 200 (duplicate) for the others.
      if (answer.status !== 202 && answer.status !== 200)
        throw new Error(`webhook answered ${answer.status}: ${answer.text}`);
      record.answers.push((JSON.parse(answer.text) as { onboardingId: string }).onboardingId);
    };
    const inFlight: Promise<unknown>[] = [];
    for (const step of plan) {
      const delivery = (step.delayMs ? sleep(step.delayMs) : Promise.resolve()).then(deliver);
      // Settled, not awaited, so one failing delivery cannot leave the others' failures unhandled.
      inFlight.push(
        delivery.then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
      if (!step.concurrent) await inFlight.at(-1);
    }
    const failure = (await Promise.all(inFlight)).find((outcome) => outcome instanceof Error);
    if (failure) throw failure;
    const onboardingId = record.answers[0]!;
    if (script === 'register') await register(target, record, index);
    else if (script !== 'wait' || staffRead) await staff(target, record, onboardingId);
  } catch (error) {
    record.error = (error as Error).message;
  }
  record.finishedAt = Date.now();
  return record;
}

/** Starts a chart every 1/rate seconds until `until`; resolves with every record once all have finished. */
export async function runTraffic(
  target: TrafficTarget,
  prng: Prng,
  options: { rate: number; until: number },
): Promise<ChartRecord[]> {
  const running: Promise<ChartRecord>[] = [];
  for (let index = 0; Date.now() < options.until; index += 1) {
    running.push(driveChart(target, prng, index));
    await sleep(1000 / options.rate);
  }
  return Promise.all(running);
}
