/**
 * The record of figures: each bench appends its result, with the commit it
 * measured and the machine it ran on, to bench/results/<bench>.jsonl, so a
 * review can put today's figures beside the last ones (`npm run bench:report`).
 * Figures from different machines are not comparable; the line says which.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RESULTS_DIR = path.join(__dirname, 'results');

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: __dirname,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

export function machine(): { cores: number; memoryGb: number; cpu: string; node: string } {
  return {
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
  };
}

/** Appends `result` (which names its bench) and returns the line written. BENCH_RECORD=0 skips the file. */
export function recordResult(result: { bench: string } & Record<string, unknown>): Record<string, unknown> {
  const line = { ...result, at: new Date().toISOString(), commit: commit(), machine: machine() };
  if (process.env.BENCH_RECORD !== '0') {
    mkdirSync(RESULTS_DIR, { recursive: true });
    appendFileSync(path.join(RESULTS_DIR, `${result.bench}.jsonl`), `${JSON.stringify(line)}\n`);
  }
  return line;
}
