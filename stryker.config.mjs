// Mutation testing of the decision modules (npm run test:mutation). Not part of CI: the whole set takes about 1 h 45 min
// on a 2-core box (docs/mutation-testing.md has the runs, scores and the survivors kept). STRYKER_MUTATE
// (comma-separated globs) narrows a run, e.g. to one file after a change; the consume/SQS tests wait on real time
// more than they compute, so `--concurrency 6` runs them about 2.5x faster on 2 cores.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const mutate = process.env.STRYKER_MUTATE?.split(",") ?? [
  "src/refresh/**/*.ts",
  "!src/refresh/index.ts",
  "!src/refresh/types.ts",
  "src/sources/chain.ts",
  // consume and the files it was split into (#24): what src/sqs/consume.ts alone was before.
  "src/sqs/consume.ts",
  "src/sqs/consume-counters.ts",
  "src/sqs/consume-receive-request.ts",
  "src/sqs/consume-reporter.ts",
  "src/sqs/fifo-dlq-policy.ts",
  "src/sqs/fifo-handoff.ts",
  "src/sqs/group-cap-handoff.ts",
  "src/sqs/handoff.ts",
  "src/sqs/heartbeat-and-deletes.ts",
  "src/sqs/held.ts",
  "src/sqs/message-release.ts",
  "src/sqs/message-runner.ts",
  "src/sqs/receive-loop.ts",
  "src/sqs/side-calls.ts",
  "src/sqs/stop-protocol.ts",
  "src/sqs/stop-state.ts",
  "src/sqs/delete-batcher.ts",
  "src/roles/**/*.ts",
  // The STS budget the role cache runs on (in shared/, since redis/ builds on it too).
  "src/shared/token-bucket.ts",
  "src/shared/wait-queue.ts",
  "src/shared/rate-budget.ts",
  "!src/roles/index.ts",
  "src/sts/**/*.ts",
  "!src/sts/index.ts",
  "src/sqs/fifo-groups.ts",
];

export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts", related: false },
  mutate,
  coverageAnalysis: "perTest",
  // Log and error wording: hundreds of mutants that only change prose, and the slowest part of the run.
  // Messages that matter are pinned by the tests anyway; the decisions are what this run is about.
  mutator: { excludedMutations: ["StringLiteral"] },
  // Static mutants (module-level constants) would re-run every test each; the unit tests pin those values.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  thresholds: { high: 90, low: 85, break: null },
};
