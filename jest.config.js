// Unit tests beside the code (src/**/*.spec.ts) and e2e specs (test/**/*.e2e-spec.ts) share one config.
// The swagger plugin runs as a ts-jest AST transformer so DTO metadata matches `nest build`.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '(src/.*\\.spec\\.ts|test/.*\\.e2e-spec\\.ts)$',
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: 'tsconfig.json',
        astTransformers: {
          before: ['<rootDir>/test/support/swagger-transformer.js'],
        },
      },
    ],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 1,
  // One worker process (not the main one, which keeps the shared embedded database), replaced when
  // it holds more than this after a spec file: module registries and app graphs of earlier files
  // are not all freed, and the whole suite in one heap ran out of memory at ~3.4 GB.
  workerIdleMemoryLimit: '1GB',
};
