import { configDefaults, defineConfig } from 'vitest/config';

/** Tests that need the engine's `gc()`, which bin/pulse exposes to Pulse with the same start-up flag. */
const WITH_GC = ['src/runtime/memory-reclaim.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'pulse',
          include: ['src/**/*.test.ts', 'sim/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...WITH_GC],
        },
      },
      // Their own workers: with `gc` on every worker, each Pulse a test starts would run the
      // memory reclaimer (it collects whenever `gc` is there) and the other tests would change.
      { extends: true, test: { name: 'gc', include: WITH_GC, execArgv: ['--expose-gc'] } },
    ],
  },
});
