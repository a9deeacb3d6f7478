import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Other clients in a network namespace: `npm run test:interop` (vitest.interop.config.ts).
    exclude: [...configDefaults.exclude, "test/interop/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The fakes are real servers; a 2-core CI box is happier with fewer parallel files.
    maxWorkers: 2,
    pool: "forks",
    // The SDK's NodeVersionSupportWarning (Node < 22) is meant for users; in this project's own test runs
    // (and the subprocesses they start, which inherit the environment) it is just noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    setupFiles: ["test/support/quiet-sdk-node-warning.ts"],
  },
});
