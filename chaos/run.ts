/**
 * `npm run chaos -- --duration 300 --rate 2 --seed 42`: one chaos episode
 * (chaos/episode.ts), its summary on stdout, exit 1 on any violation. The
 * seed is printed first, so a failing run can be replayed.
 */
import { parseArgs } from 'node:util';
import { runEpisode } from './episode';
import { FAULT_KINDS, type FaultKind } from './faults';
import { randomSeed } from './prng';
import { summarize } from './report';

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '180' },
      minutes: { type: 'string' },
      rate: { type: 'string', default: '1' },
      seed: { type: 'string' },
      'faults-per-kind': { type: 'string' },
      settle: { type: 'string', default: '240' },
      faults: { type: 'string' },
    },
  });
  const durationS = values.minutes ? Number(values.minutes) * 60 : Number(values.duration);
  const rate = Number(values.rate);
  const seed = values.seed === undefined ? randomSeed() : Number(values.seed);
  // By default about one fault of each kind per minute, at least two.
  const perKind = values['faults-per-kind']
    ? Number(values['faults-per-kind'])
    : Math.max(2, Math.round(durationS / 60));
  if (![durationS, rate, seed, perKind].every(Number.isFinite) || durationS <= 0 || rate <= 0) {
    say(
      'usage: npm run chaos -- [--duration seconds | --minutes m] [--rate charts/s] [--seed n] [--faults-per-kind n] [--faults kind,kind]',
    );
    return 2;
  }
  const kinds = values.faults ? values.faults.split(',') : [...FAULT_KINDS];
  const unknown = kinds.filter((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) {
    say(`unknown fault kinds ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
    return 2;
  }
  say(`chaos seed ${seed} (replay: npm run chaos -- --seed ${seed} --duration ${durationS} --rate ${rate})`);
  const result = await runEpisode({
    seed,
    durationMs: durationS * 1000,
    rate,
    perKind,
    kinds: kinds as FaultKind[],
    settleMs: Number(values.settle) * 1000,
    say,
  });
  process.stdout.write(`${summarize(result)}\n`);
  if (result.accounting.violations.length > 0) {
    say(result.output);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
