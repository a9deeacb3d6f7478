/**
 * Scenario 8: a SaaS service assuming a role in each tenant's account. Zipf-distributed requests over many
 * tenants, STS slow (50 ms) and rate-limited as real STS is (per account). The SDK side is the usual
 * pattern: a map of one client per tenant, each with `fromTemporaryCredentials`; the awscreds side is the
 * same map with `createAssumeRoleCache` providers. Then the heap a cached tenant costs, on both sides.
 */
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { performance } from "node:perf_hooks";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { SQSClient } from "@aws-sdk/client-sqs";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { createAssumeRoleCache, DEFAULT_ROLE_CACHE_OPTIONS, type AssumeRoleCache } from "../../src/roles/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { formatCount, formatMs } from "../lib/format.js";
import { seededRandom } from "../lib/random.js";
import type { BarCheck, Scenario } from "../lib/scenario.js";
import { percentile } from "../lib/stats.js";
import { zipfSampler } from "../lib/zipf.js";

const STS_LATENCY_MS = 50;
const STS_RATE = { requestsPerSecond: 50, burst: 50 };
const SERVICE_ACCOUNT = "123456789012";

interface Plan {
  tenants: number;
  requestsPerSecond: number;
  durationMs: number;
  /** Tenants whose cached credentials are counted for heap per tenant. */
  heapTenants: number;
  zipfS: number;
}

type SideName = "sdk" | "awscreds";

interface Tenant {
  roleArn: string;
  externalId: string;
}

const tenantOf = (n: number): Tenant => ({ roleArn: `arn:aws:iam::${String(300_000_000_000 + n)}:role/saas-access`, externalId: `ext-${n}-bench` });

/** A map of one SQS client per tenant, built on first use, as services do it. */
interface ClientMap {
  resolve(n: number): Promise<AwsCredentialIdentity>;
  size(): number;
  stop(): void;
}

function sdkClientMap(fake: FakeAws, keys: AwsCredentialIdentity): ClientMap {
  const clients = new Map<number, SQSClient>();
  return {
    resolve(n) {
      let client = clients.get(n);
      if (!client) {
        const { roleArn, externalId } = tenantOf(n);
        const credentials = fromTemporaryCredentials({
          params: { RoleArn: roleArn, ExternalId: externalId, RoleSessionName: `billing-api-${n}` },
          masterCredentials: keys,
          clientConfig: { region: fake.region, endpoint: fake.sts.endpoint },
        });
        client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials });
        clients.set(n, client);
      }
      // What every request of the client awaits before signing: the SDK's memoized identity provider.
      return (client.config.credentials as AwsCredentialIdentityProvider)();
    },
    size: () => clients.size,
    stop() {
      for (const c of clients.values()) c.destroy();
    },
  };
}

function awscredsClientMap(fake: FakeAws, roles: AssumeRoleCache): ClientMap {
  const clients = new Map<number, SQSClient>();
  return {
    resolve(n) {
      let client = clients.get(n);
      if (!client) {
        client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: roles.provider({ ...tenantOf(n), tenant: `tenant-${n}` }) });
        clients.set(n, client);
      }
      return (client.config.credentials as AwsCredentialIdentityProvider)();
    },
    size: () => clients.size,
    stop() {
      for (const c of clients.values()) c.destroy();
    },
  };
}

async function startFake(plan: Plan, rateLimited: boolean): Promise<{ fake: FakeAws; keys: AwsCredentialIdentity }> {
  const fake = await startFakeAws({ sts: { latencyMs: rateLimited ? STS_LATENCY_MS : 0, credentialLifetimeSeconds: 3600 } });
  if (rateLimited) fake.sts.setRateLimit(STS_RATE);
  for (let n = 0; n < Math.max(plan.tenants, plan.heapTenants); n++) {
    fake.sts.registerRole({ ...tenantOf(n), trustedPrincipals: [SERVICE_ACCOUNT] });
  }
  const keys = fake.registerStaticKeys({ arn: `arn:aws:iam::${SERVICE_ACCOUNT}:user/billing-api` });
  return { fake, keys };
}

interface LoadResult {
  requests: number;
  failed: number;
  tenantsSeen: number;
  stsCalls: number;
  throttled: number;
  p50: number;
  p99: number;
  max: number;
  /** Wall time until the last request settled. */
  drainMs: number;
  firstError: string | undefined;
}

/** Open-loop Zipf load: requests arrive at the planned rate whatever the answers take. */
async function runLoad(plan: Plan, side: SideName, log: (m: string) => void): Promise<LoadResult> {
  const { fake, keys } = await startFake(plan, true);
  const roles = side === "awscreds" ? createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api" }) : undefined;
  const map = side === "sdk" ? sdkClientMap(fake, keys) : awscredsClientMap(fake, roles!);
  const pick = zipfSampler(plan.tenants, plan.zipfS, seededRandom(2024));
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  try {
    const total = Math.round((plan.requestsPerSecond * plan.durationMs) / 1000);
    const tickMs = 10;
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * plan.requestsPerSecond) + 1);
      for (; sent < due; sent++) {
        const n = pick();
        const started = performance.now();
        pending.push(
          map.resolve(n).then(
            () => void latencies.push(performance.now() - started),
            (error: unknown) => {
              failed += 1;
              latencies.push(performance.now() - started);
              firstError ??= error instanceof Error ? `${error.name}: ${error.message.slice(0, 160)}` : String(error);
            },
          ),
        );
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    await Promise.all(pending);
    const drainMs = performance.now() - t0;
    const calls = fake.sts.calls.filter((c) => c.action === "AssumeRole");
    latencies.sort((a, b) => a - b);
    const result: LoadResult = {
      requests: latencies.length,
      failed,
      tenantsSeen: map.size(),
      stsCalls: calls.length,
      throttled: calls.filter((c) => c.errorCode === "Throttling").length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      drainMs,
      firstError,
    };
    log(`tenants ${side}: ${result.requests} requests, ${result.tenantsSeen} tenants, ${result.stsCalls} STS calls, ${result.throttled} throttled, ${result.failed} failed`);
    return result;
  } finally {
    map.stop();
    roles?.stop();
    await fake.close();
  }
}

function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

async function heapNow(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Heap per cached tenant: the growth while `count` tenants are resolved and held, minus what the fake
 * itself keeps per AssumeRole (measured the same way with one STS client whose answers are dropped).
 */
interface HeapPerTenant {
  /** What the fake keeps per AssumeRole (subtracted from the others). */
  fake: number;
  sdk: number;
  awscreds: number;
  /** A cache entry and its provider, without a client. */
  cacheEntry: number;
}

async function heapPerTenant(plan: Plan, log: (m: string) => void): Promise<HeapPerTenant> {
  const gc = collector();
  const count = plan.heapTenants;
  const measure = async (build: (fake: FakeAws, keys: AwsCredentialIdentity) => { run(n: number): Promise<unknown>; hold: unknown; stop(): void }) => {
    const { fake, keys } = await startFake(plan, false);
    const built = build(fake, keys);
    try {
      for (let n = 0; n < 50; n++) await built.run(n); // warm-up: lazily loaded modules, first sockets
      fake.sts.clearCalls();
      const before = await heapNow(gc);
      for (let start = 50; start < count + 50; start += 100) {
        await Promise.all(Array.from({ length: Math.min(100, count + 50 - start) }, (_, i) => built.run(start + i)));
      }
      fake.sts.clearCalls();
      const after = await heapNow(gc);
      void built.hold;
      return (after - before) / count;
    } finally {
      built.stop();
      await fake.close();
    }
  };
  const fakeOnly = await measure((fake, keys) => {
    const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials: keys });
    return {
      run: (n) => sts.send(new AssumeRoleCommand({ RoleArn: tenantOf(n).roleArn, ExternalId: tenantOf(n).externalId, RoleSessionName: `b-${n}` })),
      hold: undefined,
      stop: () => sts.destroy(),
    };
  });
  const sdk = await measure((fake, keys) => {
    const map = sdkClientMap(fake, keys);
    return { run: (n) => map.resolve(n), hold: map, stop: () => map.stop() };
  });
  const awscreds = await measure((fake, keys) => {
    const roles = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", stsRequestsPerSecond: 600, stsBurst: 600, maxEntries: count + 100 });
    const map = awscredsClientMap(fake, roles);
    return {
      run: (n) => map.resolve(n),
      hold: map,
      stop: () => {
        map.stop();
        roles.stop();
      },
    };
  });
  const bareCache = await measure((fake, keys) => {
    const roles = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", stsRequestsPerSecond: 600, stsBurst: 600, maxEntries: count + 100 });
    return { run: (n) => roles.provider({ ...tenantOf(n), tenant: `tenant-${n}` })(), hold: roles, stop: () => roles.stop() };
  });
  log(`heap per tenant: fake ${Math.round(fakeOnly)} B, sdk ${Math.round(sdk)} B, awscreds client+cache ${Math.round(awscreds)} B, cache entry alone ${Math.round(bareCache)} B`);
  return { fake: fakeOnly, sdk: sdk - fakeOnly, awscreds: awscreds - fakeOnly, cacheEntry: bareCache - fakeOnly };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

export const tenantsScenario: Scenario = {
  async run(context) {
    const plan: Plan = context.quick
      ? { tenants: 2_000, requestsPerSecond: 300, durationMs: 10_000, heapTenants: 2_000, zipfS: 1 }
      : { tenants: 10_000, requestsPerSecond: 400, durationMs: 30_000, heapTenants: 10_000, zipfS: 1 };
    const sdk = await runLoad(plan, "sdk", context.log);
    const ours = await runLoad(plan, "awscreds", context.log);
    const heap = await heapPerTenant(plan, context.log);
    const row = (label: string, r: LoadResult, perTenant: number): string[] => [
      label,
      formatCount(r.requests),
      formatCount(r.tenantsSeen),
      formatCount(r.stsCalls),
      formatCount(r.throttled),
      formatCount(r.failed),
      formatMs(r.p50),
      formatMs(r.p99),
      formatMs(r.max),
      kib(perTenant),
    ];
    const bars: BarCheck[] = [
      {
        bar: "400 roles at once under a 50/s STS limit: none fails, (almost) none throttled",
        measured: `${formatCount(ours.tenantsSeen)} tenants under ${STS_RATE.requestsPerSecond}/s: ${ours.failed} failed, ${ours.throttled} throttled (SDK: ${sdk.failed} failed, ${sdk.throttled} throttled)`,
        met: ours.failed === 0 && ours.throttled <= Math.max(4, ours.stsCalls / 100),
      },
      {
        bar: "A cached role costs a few KiB of heap",
        measured: `${kib(heap.cacheEntry)} per cached role (cache entry + provider); ${kib(heap.awscreds)} with its SQSClient; SDK client + fromTemporaryCredentials ${kib(heap.sdk)}`,
        met: heap.cacheEntry < 8 * 1024,
      },
    ];
    return {
      tables: [
        {
          title: `Tenants: ${formatCount(plan.tenants)} tenants, Zipf (s=${plan.zipfS}) requests at ${plan.requestsPerSecond}/s for ${plan.durationMs / 1000} s, STS ${STS_LATENCY_MS} ms and ${STS_RATE.requestsPerSecond} requests/s per account`,
          columns: ["per-tenant SQSClient map with", "requests", "tenants", "STS calls", "throttled", "failed", "p50", "p99", "max", "heap per tenant"],
          rows: [row("SDK: fromTemporaryCredentials", sdk, heap.sdk), row(`awscreds: createAssumeRoleCache (default ${DEFAULT_ROLE_CACHE_OPTIONS.stsRequestsPerSecond}/s budget)`, ours, heap.awscreds)],
        },
      ],
      method:
        `Open-loop load: requests arrive at ${plan.requestsPerSecond}/s whatever the answers take; each picks a tenant (Zipf, s=${plan.zipfS}, seeded), ` +
        "builds that tenant's SQSClient on first use, and awaits the client's credential provider (`client.config.credentials()`, what every request awaits " +
        `before signing). The fake STS answers in ${STS_LATENCY_MS} ms and allows ${STS_RATE.requestsPerSecond} AssumeRole per second per account (burst ${STS_RATE.burst}), ` +
        "answering `Throttling` beyond, as STS does. Latency is per request, failures included. *Heap per tenant*: heap growth (after GC) while " +
        `${formatCount(plan.heapTenants)} tenants are resolved and held, minus what the fake keeps per AssumeRole (measured with one STS client whose answers are dropped, ${kib(heap.fake)}).`,
      notes: [
        "The SDK side calls STS as fast as new tenants arrive; what STS throttles is retried by the SDK's STS client (3 attempts) and then fails the request. " +
          "The cache sends at most its budget: new tenants queue for a token instead (that waiting is the p99/max), and nothing fails.",
        `Drain: last request settled after ${formatMs(sdk.drainMs)} (SDK) and ${formatMs(ours.drainMs)} (awscreds).` +
          (sdk.firstError ? ` First SDK failure: ${sdk.firstError}` : ""),
      ],
      bars,
      data: { plan, sdk, awscreds: ours, heapBytesPerTenant: heap },
    };
  },
};
