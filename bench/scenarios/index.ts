/**
 * The scenarios, in the order they run. Each is loaded only when selected, so one whose module cannot load
 * (a dependency that has not landed) is reported as such without stopping the others.
 */
import type { Scenario } from "../lib/scenario.js";

export interface ScenarioEntry {
  id: number;
  key: string;
  title: string;
  load(): Promise<Scenario>;
}

export const scenarios: readonly ScenarioEntry[] = [
  {
    id: 1,
    key: "steady",
    title: "Steady load with refreshes",
    load: async () => (await import("./steady-load.js")).steadyLoadScenario,
  },
  {
    id: 2,
    key: "outage",
    title: "STS outage while credentials are valid",
    load: async () => (await import("./outage.js")).outageScenario,
  },
  {
    id: 3,
    key: "cold-start",
    title: "Cold start: construction to first signed request",
    load: async () => (await import("./cold-start.js")).coldStartScenario,
  },
  {
    id: 4,
    key: "hot-path",
    title: "Hot path: cost of one resolution through a client",
    load: async () => (await import("./hot-path.js")).hotPathScenario,
  },
  {
    id: 5,
    key: "import",
    title: "Import cost (fresh processes, built package)",
    load: async () => (await import("./import-cost.js")).importCostScenario,
  },
  {
    id: 6,
    key: "fleet",
    title: "Fleet refresh storm (simulated clock)",
    load: async () => (await import("./fleet.js")).fleetScenario,
  },
  {
    id: 7,
    key: "sqs",
    title: "SQS consumer throughput: consume vs sqs-consumer",
    // Owned by the awscreds/sqs work (bench/sqs/, bench/sqs-consumer.bench.ts); called as is.
    load: async () => (await import("../sqs/throughput.js")).sqsThroughputScenario,
  },
  {
    id: 8,
    key: "tenants",
    title: "Tenants: many cross-account roles under STS's rate limit",
    load: async () => (await import("./tenants.js")).tenantsScenario,
  },
  {
    id: 9,
    key: "regional",
    title: "Regional outage: the primary STS down for 3 credential lifetimes",
    load: async () => (await import("./regional-outage.js")).regionalOutageScenario,
  },
  {
    id: 10,
    key: "telemetry",
    title: "Telemetry on the hot path: off vs on",
    load: async () => (await import("./telemetry-hot-path.js")).telemetryHotPathScenario,
  },
  {
    id: 11,
    key: "fifo",
    title: "SQS FIFO throughput, 20 groups: consume vs sqs-consumer batchSize 1",
    load: async () => (await import("../sqs/fifo-throughput.js")).fifoThroughputScenario,
  },
  {
    id: 12,
    key: "outage-past-expiry",
    title: "STS outage past expiry: STS calls and failed-resolution latency",
    load: async () => (await import("./outage-past-expiry.js")).outagePastExpiryScenario,
  },
  {
    id: 13,
    key: "rejected",
    title: "Credentials rejected while valid: failed requests and time to recover",
    load: async () => (await import("./rejected-credentials.js")).rejectedCredentialsScenario,
  },
  {
    id: 14,
    key: "sqs-send",
    title: "Sending to SQS: sendMessages vs Promise.all of SendMessage vs naive batching",
    load: async () => (await import("../sqs/send.js")).sqsSendScenario,
  },
  {
    id: 15,
    key: "sqs-fair",
    title: "Fair queues: quiet tenants' latency beside a noisy one, with and without maxConcurrencyPerGroup",
    load: async () => (await import("../sqs/fair-queue.js")).sqsFairScenario,
  },
  {
    id: 16,
    key: "redis-fleet",
    title: "Fleet on one STS quota: budget shared on Redis vs per process",
    load: async () => (await import("./redis-fleet.js")).redisFleetScenario,
  },
];
