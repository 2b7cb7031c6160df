/**
 * One jest run for every tier (unit, db, activities, workflows on the
 * time-skipping server, integration through HTTP + Temporal dev server +
 * PostgreSQL). `npm test` runs them all; pass a folder to run one tier,
 * e.g. `npx jest test/workflows`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(tsx?|mjs)$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
        },
      },
    ],
  },
  // svix ships only ES modules; compile it like our own code so the CommonJS test runtime can load it.
  transformIgnorePatterns: ['/node_modules/(?!svix/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Servers (Temporal, PostgreSQL databases) are started per test file; a couple
  // of files at a time is what a 2-core CI machine handles well.
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  testTimeout: 60_000,
  slowTestThreshold: 20,
};
