/** Jest runs the TypeScript sources directly through SWC (decorator metadata included). */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

// Test files are independent (temporary directories, free ports), so Jest runs one worker per
// core, and each worker's native kernels (OpenBLAS, oneDNN) get one thread so that the workers do
// not oversubscribe the cores. Tests check values, never speed; OPENBLAS_NUM_THREADS set by hand wins.
const os = require('os');
process.env.OPENBLAS_NUM_THREADS ??= '1';
process.env.OMP_NUM_THREADS ??= process.env.OPENBLAS_NUM_THREADS;

module.exports = {
  maxWorkers: Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  // chevrotain 11 and its lodash-es are ESM-only: let SWC turn them into CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!(chevrotain|@chevrotain|lodash-es)/)'],
  moduleNameMapper: {
    '^@cgan/(config-lang|language-server|models|runner)$': '<rootDir>/packages/$1/src',
    // chevrotain's helper packages export only an "import" condition: point Jest at their ESM entry.
    '^@chevrotain/(cst-dts-gen|gast|regexp-to-ast|utils)$': '<rootDir>/node_modules/@chevrotain/$1/lib/src/api.js',
  },
  testTimeout: 120000,
};
