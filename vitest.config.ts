import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run bin/culprit.js on dist/: rebuild it first when src/ is newer (once per run, before any file).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most tests wait on git, hg and test processes rather than compute: two files at a time on this 2-core
    // machine halves the wall time (vitest's default here is one worker).
    maxWorkers: 2,
    fileParallelism: true,
  },
});
