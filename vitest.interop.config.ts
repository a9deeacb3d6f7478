import { defineConfig } from "vitest/config";

/**
 * The interop suite: clients we did not write (boto3, the AWS CLI, aws-sdk v2, curl) against the fakes.
 * Run it with `npm run test:interop`, which installs the Debian clients if absent and runs this config
 * inside a loopback-only network namespace (test/interop/run.sh).
 */
export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    globalSetup: ["test/interop/support/isolation.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    pool: "forks",
  },
});
