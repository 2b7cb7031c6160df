#!/usr/bin/env node
// Generates the Prisma client into generated/prisma (git-ignored).
//
// `prisma generate` needs no native engine, but every Prisma CLI command first
// tries to download the schema engine and fails where that host is
// unreachable. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file
// skips the download; generate never executes it.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

const result = spawnSync(
  process.execPath,
  [require.resolve('prisma/build/index.js'), 'generate', '--schema', 'prisma/schema.prisma'],
  { cwd: root, env, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
