/** Jest runs TypeScript through ts-jest against a real PostgreSQL started once in globalSetup. */
module.exports = {
  testEnvironment: '<rootDir>/test/setup/ort-environment.js',
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  setupFiles: ['reflect-metadata'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 60000,
  maxWorkers: process.env.CI ? 2 : '50%',
};
