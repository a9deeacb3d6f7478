import { configDefaults, defineConfig } from "vitest/config";

/**
 * The tests Stryker runs against each mutant: the unit and wire tests of the mutated modules only
 * (refresh engine, chain planning, consume and its delete batcher, the role cache, the STS client and the
 * FIFO group hand-off), so a run ends in minutes, not hours.
 * The two consume tests that sit through seconds of heartbeats are left out here (they guard
 * visibility-heartbeat.ts, which is not mutated), and so is the 24 h soak (it asserts the same envelope the unit tests pin, at 10×
 * the cost per mutant); everything else runs as in `npm test`.
 */
export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, "test/roles/budget-keep-alive.test.ts", "test/roles/cache-keep-alive.test.ts", "test/roles/process-exit.test.ts"],
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
      // Rejected credentials (#20): the rules, the middleware, invalidate() and static stability.
      "test/refresh/rejection-codes.test.ts",
      "test/refresh/rejection.test.ts",
      "test/refresh/rejection-middleware-edges.test.ts",
      "test/refresh/invalidate.test.ts",
      "test/refresh/provider-status.test.ts",
      "test/refresh/static-stability.test.ts",
      "test/sources/chain-deployed.test.ts",
      "test/sources/local-mode.test.ts",
      "test/sources/app-env.test.ts",
      "test/sources/errors.test.ts",
      // The chain's platform detection, deployed plan, Lambda keys and logging (seconds in all).
      "test/sources/chain-logging.test.ts",
      "test/sources/deployed-plan.test.ts",
      "test/sources/env-keys.test.ts",
      "test/sources/platforms-matrix.test.ts",
      "test/sources/local-service-home.test.ts",
      "test/sources/session-name.test.ts",
      "test/sqs/consume.test.ts",
      "test/sqs/consume-edges.test.ts",
      "test/sqs/consume-polling-client.test.ts",
      "test/sqs/consume-fifo.test.ts",
      "test/sqs/delete-batcher.test.ts",
      "test/sqs/delete-batcher-schedule.test.ts",
      // Role cache (src/roles): every test file (new ones included), but the three keep-alive tests (excluded
      // below), which bundle a fixture and run it in a child Node process per mutant (tens of seconds each).
      "test/roles/*.test.ts",
      "test/redis/budget.test.ts",
      "test/redis/bucket-script.test.ts",
      // STS client, endpoint, retry, breaker and failover (src/sts), and the sources that drive them.
      "test/sts/breaker.test.ts",
      "test/sts/endpoint.test.ts",
      "test/sts/failover-assume-role.test.ts",
      "test/sts/failover-config.test.ts",
      "test/sts/failover-edges.test.ts",
      "test/sts/failover-route.test.ts",
      "test/sts/failover-tls.test.ts",
      "test/sts/retry.test.ts",
      "test/sts/limits.test.ts",
      "test/sts/partitions-bundled.test.ts",
      "test/sts/error-shapes.test.ts",
      "test/sts/transport.test.ts",
      // The call loop's edges (failover events and telemetry, deferred partition check, timeouts, client builds) in ms.
      "test/sts/transport-edges.test.ts",
      "test/sources/assume-role.test.ts",
      "test/sources/web-identity.test.ts",
      "test/sources/web-identity-config.test.ts",
      "test/sources/sts-hostname.test.ts",
      "test/sources/sts-dns-failure.test.ts",
      // FIFO group hand-off (src/sqs/fifo-groups.ts).
      "test/sqs/fifo-groups.test.ts",
      "test/sqs/consume-fifo-dlq.test.ts",
      // consume's parts in ms: receive request names, stop state; and the per-group cap (group-cap-handoff.ts).
      "test/sqs/consume-parts-edges.test.ts",
      "test/sqs/consume-fair.test.ts",
      // Errors nobody listens to reach console.warn (consume.ts's unheard warner), in 2 s.
      "test/sqs/consume-never-silent.test.ts",
    ],
    // Also left out, as they run seconds of real time against the fake STS and cover almost every mutant of
    // their folder (so each would cost every mutant those seconds): failover-tls's four outage runs (~10 s
    // each) and failover-assume-role's 7 s one (failover-route/failover-assume-role's others pin the same
    // routing decisions in milliseconds) and the role
    // cache's five end-to-end runs of 2.5-8 s (scale, a hot role's refreshes, priority under a queue,
    // stale-while-failing, idle past expiry; decisions/expiry-window/cache-defects pin the same rules faster).
    testNamePattern: new RegExp(
      "^(?!.*(" +
        [
          "keeps a message invisible through heartbeats",
          "keeps the running message and the ones waiting behind it invisible with heartbeats",
          "no resolution fails, the dead primary gets few calls",
          "without failover regions, the same outage fails",
          "primary down \\(503\\) for longer than the credentials live",
          "400 roles at once under a 50/s STS limit",
          "a hot role with 3 s credentials and 300 ms STS never waits",
          "whose credentials expired while its refresh was queued are served before",
          "keeps serving valid credentials while STS fails, then fails with the reason",
          "a role used once, past its expiry, reports idle",
          // 10 s of load against rejected keys; rejection-codes/invalidate pin the same rate limit in milliseconds.
          "every new key rejected too: bounded STS calls over 10 s of load",
        ].join("|") +
        "))",
    ),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: 1,
  },
});
