import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**'],
          // Fuzz, linear-time and hostile-input files take seconds; two cores shared with the other
          // test files can stretch them past vitest's 5 s default without anything being wrong.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Starts the local stack if it is not up, and stops what it started.
          globalSetup: ['test/integration/global-setup.ts'],
          // One OpenSearch and one moto serve every file: run files one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
