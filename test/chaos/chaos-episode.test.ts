/**
 * The short chaos episode CI runs (issue 21; the long one is `npm run chaos`):
 * a fixed seed, steady traffic through the API and worker processes, and each
 * fault kind injected twice: worker and API SIGKILLs (the API's in the middle
 * of a webhook), the Temporal dev server SIGKILLed, PostgreSQL stopped and
 * started (its own throw-away cluster, never the shared test server), and the
 * email provider answering 500, 429, nothing, or accepting then dropping the
 * connection, and the EHR's callback endpoint down for a few seconds or
 * answering 410. The accounting must find nothing lost, duplicated, stuck or
 * unaudited, and every status callback delivered, retrying or given up on a 410.
 */
import { runEpisode } from '../../chaos/episode';
import { FAULT_KINDS } from '../../chaos/faults';
import { summarize } from '../../chaos/report';

const SEED = 20261205;

it('loses and duplicates nothing while every part is killed or fails twice', async () => {
  const lines: string[] = [];
  const startedAt = Date.now();
  const result = await runEpisode({
    seed: SEED,
    durationMs: 45_000,
    rate: 1,
    perKind: 2,
    // Faults are injected one at a time and a restart takes seconds: short outages keep the episode short.
    downMs: [300, 1_500],
    settleMs: 90_000,
    say: (line) => lines.push(`+${Math.round((Date.now() - startedAt) / 1000)} s ${line}`),
  });
  const summary = summarize(result);
  // The table on every run, so CI's log shows what was injected and how long each phase took.
  process.stderr.write(`${summary}\n${lines.filter((line) => !line.includes('  fault ')).join('\n')}\n`);
  if (result.accounting.violations.length > 0) {
    throw new Error(`${summary}\n${lines.join('\n')}\n${result.output}`);
  }
  expect(result.accounting.violations).toEqual([]);
  expect(result.ledger.length).toBeGreaterThanOrEqual(20);
  for (const kind of FAULT_KINDS) {
    const injected = result.faults.filter((fault) => fault.kind === kind && !fault.note?.startsWith('skipped'));
    const skipped = kind === 'postgres-restart' && result.faults.some((fault) => fault.note?.startsWith('skipped'));
    if (!skipped) expect({ kind, injected: injected.length }).toEqual({ kind, injected: 2 });
  }
  // The API died with a webhook on the wire at least once, and the email faults met real sends.
  expect(result.faults.some((fault) => fault.kind === 'api-kill-mid-webhook' && !fault.note)).toBe(true);
  const { providerAnswers } = result;
  expect([providerAnswers['500'], providerAnswers['429'], providerAnswers['0']].every((count) => count! > 0)).toBe(
    true,
  );
  // The callback faults met real callbacks: some were dropped while the endpoint was down, some answered 410.
  const { callbackAnswers } = result;
  expect([callbackAnswers['0'], callbackAnswers['410'], callbackAnswers['204']].every((count) => count! > 0)).toBe(
    true,
  );
}, 300_000);
