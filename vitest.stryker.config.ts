import { defineConfig } from "vitest/config";

/**
 * The tests Stryker runs against each mutant: the unit and wire tests of the mutated modules only
 * (refresh engine, chain planning, consume and its delete batcher), so a run ends in minutes, not hours.
 * The two consume tests that sit through seconds of heartbeats are left out here (they guard
 * visibility-heartbeat.ts, which is not mutated), and so is the 24 h soak (it asserts the same envelope the unit tests pin, at 10×
 * the cost per mutant); everything else runs as in `npm test`.
 */
export default defineConfig({
  test: {
    include: [
      "test/refresh/backoff.test.ts",
      "test/refresh/schedule.test.ts",
      "test/refresh/refresher.test.ts",
      "test/refresh/swapper.test.ts",
      "test/refresh/swapper-edges.test.ts",
      "test/refresh/edges.test.ts",
      "test/refresh/errors-dispose.test.ts",
      "test/refresh/options.test.ts",
      "test/refresh/engine-edges.test.ts",
      "test/sources/chain-deployed.test.ts",
      "test/sources/local-mode.test.ts",
      "test/sources/app-env.test.ts",
      "test/sources/errors.test.ts",
      "test/sqs/consume.test.ts",
      "test/sqs/consume-edges.test.ts",
      "test/sqs/consume-polling-client.test.ts",
      "test/sqs/consume-fifo.test.ts",
      "test/sqs/delete-batcher.test.ts",
      "test/sqs/delete-batcher-schedule.test.ts",
    ],
    testNamePattern: /^(?!.*(keeps a message invisible through heartbeats|keeps the running message and the ones waiting behind it invisible with heartbeats))/,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: 1,
  },
});
