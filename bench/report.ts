/**
 * `npm run bench:report`: the latest result of each bench beside the one
 * before it (bench/results/*.jsonl), number by number, so a slowdown shows
 * in review. Only numbers are compared; a changed machine is said, since its
 * figures are not comparable.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './results-log';

type Json = Record<string, unknown>;

/** Leaf numbers by dotted path ("webhookMs.p99"). */
function numbers(value: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof value === 'number') out.set(prefix, value);
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'machine') continue;
      numbers(inner, prefix ? `${prefix}.${key}` : key, out);
    }
  }
  return out;
}

function change(latest: number, previous: number | undefined): string {
  if (previous === undefined) return '';
  if (previous === 0) return latest === 0 ? '' : '(new)';
  const percent = ((latest - previous) / Math.abs(previous)) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(0)} %`;
}

function main(): void {
  let files: string[];
  try {
    files = readdirSync(RESULTS_DIR)
      .filter((name) => name.endsWith('.jsonl'))
      .sort();
  } catch {
    files = [];
  }
  if (files.length === 0) {
    process.stdout.write(`No results yet in ${RESULTS_DIR}: run npm run bench (or bench:dashboard, bench:payments).\n`);
    return;
  }
  for (const file of files) {
    const lines = readFileSync(path.join(RESULTS_DIR, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Json);
    const latest = lines.at(-1);
    if (!latest) continue;
    const previous = lines.at(-2);
    const describe = (line: Json | undefined) =>
      line ? `${String(line.commit)} ${String(line.at)} ${JSON.stringify(line.machine)}` : 'none';
    process.stdout.write(
      `\n${path.basename(file, '.jsonl')}\n  latest:   ${describe(latest)}\n  previous: ${describe(previous)}\n`,
    );
    if (previous && JSON.stringify(previous.machine) !== JSON.stringify(latest.machine)) {
      process.stdout.write('  (another machine: the figures are not comparable)\n');
    }
    const before = numbers(previous);
    for (const [key, value] of numbers(latest)) {
      const old = before.get(key);
      process.stdout.write(
        `  ${key.padEnd(44)} ${String(value).padStart(10)} ${old === undefined ? '' : String(old).padStart(10)} ${change(value, old)}\n`,
      );
    }
  }
}

main();
