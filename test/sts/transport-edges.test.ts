/**
 * The STS call loop's edges, through the real transport and STS client against two loopback fakes, a
 * primary (eu-west-1) and a failover region (eu-central-1), each with a host name of its own: what a
 * failover reports (events, telemetry), the partition check left to the first call, the retry budget
 * after hops, the timeouts, what a failure exposes, and how the client is built (a given request handler,
 * no signing without credentials, clock skew correction). Each runs in milliseconds.
 */
import { Agent as HttpAgent, type ClientRequestArgs } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { connect, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/shared/logger.js";
import { createStsClient } from "../../src/sts/client.js";
import type { FailoverEvent } from "../../src/sts/failover.js";
import { requireOrImport } from "../../src/shared/lazy-require.js";
import { loadSdkPartitions } from "../../src/sts/partitions.js";
import { createStsTransport, StsCallFailure, type StsTransport, type StsTransportOptions } from "../../src/sts/transport.js";
import { METRIC } from "../../src/telemetry/names.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv, rejection } from "../sources/support/env.js";
import { points, startOtel } from "../telemetry/support.js";
import { captureLog } from "./support/two-regions.js";

// The real table unless a test says otherwise: no SDK partition lacks FIPS today, and one test needs one that does.
vi.mock("../../src/sts/partitions.js", async (original) => {
  const actual = await original<typeof import("../../src/sts/partitions.js")>();
  return { ...actual, loadSdkPartitions: vi.fn(actual.loadSdkPartitions) };
});
// The real loader unless a test says otherwise: one test loads a package as a bundle would (its import() fallback).
vi.mock("../../src/shared/lazy-require.js", async (original) => {
  const actual = await original<typeof import("../../src/shared/lazy-require.js")>();
  return { ...actual, requireOrImport: vi.fn(actual.requireOrImport) };
});

const ROLE = "arn:aws:iam::210987654321:role/edges";
const PRIMARY_HOST = "primary.sts.test";
const SECONDARY_HOST = "secondary.sts.test";

/** Connects every host name to 127.0.0.1 without DNS, so each fake is reached by a host name of its own. */
class LoopbackAgent extends HttpAgent {
  override createConnection(options: ClientRequestArgs): Duplex {
    return connect({ host: "127.0.0.1", port: Number(options.port) });
  }
}

/** A connection that never gets past the handshake (a SYN nobody answers): the socket stays `connecting`. */
class StalledAgent extends HttpAgent {
  override createConnection(): Duplex {
    return Object.assign(new Socket(), { connecting: true });
  }
}

/** HTTPS goes nowhere: a mutant that reached for a real regional endpoint fails here, without DNS. */
class NoNetworkAgent extends HttpsAgent {
  override createConnection(): Duplex {
    const socket = new Socket();
    process.nextTick(() => socket.destroy(Object.assign(new Error("no network in these tests"), { code: "ENETUNREACH" })));
    return socket;
  }
}

let primary: FakeAws;
let secondary: FakeAws;
let keys: AwsCredentialIdentity;
let loopback: LoopbackAgent;
let noNetwork: NoNetworkAgent;
let primaryUrl: string;
let secondaryUrl: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startFakeAws({ region: "eu-west-1" }), startFakeAws({ region: "eu-central-1" })]);
  keys = primary.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/edges" });
  secondary.registerStaticKeys({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, arn: "arn:aws:iam::123456789012:user/edges" });
  primaryUrl = `http://${PRIMARY_HOST}:${new URL(primary.sts.endpoint).port}`;
  secondaryUrl = `http://${SECONDARY_HOST}:${new URL(secondary.sts.endpoint).port}`;
  loopback = new LoopbackAgent({ keepAlive: true });
  noNetwork = new NoNetworkAgent();
});
afterAll(async () => {
  loopback.destroy();
  noNetwork.destroy();
  await Promise.all([primary.close(), secondary.close()]);
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const fake of [primary, secondary]) {
    fake.sts.faults.restore();
    fake.sts.clearCalls();
  }
});

/** Primary eu-west-1 at `primary.sts.test`; with `failover`, eu-central-1 at `secondary.sts.test`. */
function transport(options: Partial<StsTransportOptions> & { failoverRegions?: string[]; partitionCheckPending?: boolean } = {}): StsTransport {
  const { failoverRegions, partitionCheckPending = false, ...rest } = options;
  const sts = createStsTransport({
    region: "eu-west-1",
    useFipsEndpoint: false,
    customEndpoint: primaryUrl,
    failover:
      failoverRegions === undefined
        ? undefined
        : { regions: failoverRegions, customEndpoints: failoverRegions.map(() => secondaryUrl), cooldownMs: 60_000, from: "the failoverRegions option", partitionCheckPending },
    clientConfig: { requestHandler: { httpAgent: loopback, httpsAgent: noNetwork } },
    logger: silentLogger,
    label: "Assume role",
    retry: { baseDelayMs: 1 },
    ...rest,
  });
  cleanups.push(() => sts.destroy());
  return sts;
}

const assume = async () => ({ credentials: keys, input: { RoleArn: ROLE, RoleSessionName: "edges" } });
const hosts = (fake: FakeAws): string[] => fake.sts.calls.map((c) => c.host.replace(/:\d+$/, ""));
const failure = async (sts: StsTransport, options?: Parameters<StsTransport["call"]>[2]): Promise<StsCallFailure> =>
  (await rejection(() => sts.call("AssumeRole", assume, options))) as unknown as StsCallFailure;

describe("failing over", () => {
  it("counts a failover once in awscreds.sts.failovers, naming the host left and the host now used; the return to the primary is not counted", async () => {
    const otel = startOtel();
    cleanups.push(() => void otel.shutdown());
    const events: FailoverEvent[] = [];
    const sts = transport({ failoverRegions: ["eu-central-1"], telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider }, onFailoverEvent: (e) => events.push(e) });
    primary.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    await sts.call("AssumeRole", assume);
    await sts.call("AssumeRole", assume); // the primary answers again: a recovery
    expect(events.map((e) => e.type)).toEqual(["failover", "recovery"]);
    const m = await otel.metrics();
    expect(points(m, METRIC.stsFailovers).map((p) => [p.attributes, p.value])).toEqual([[{ "server.address": SECONDARY_HOST, "awscreds.sts.failed_address": PRIMARY_HOST }, 1]]);
    // server.address is the host alone: no scheme, no port.
    expect(new Set(points(m, METRIC.stsRequests).map((p) => p.attributes["server.address"]))).toEqual(new Set([PRIMARY_HOST, SECONDARY_HOST]));
  });

  it("with telemetry off, onFailoverEvent still hears the failover", async () => {
    const events: FailoverEvent[] = [];
    const sts = transport({ failoverRegions: ["eu-central-1"], telemetry: false, onFailoverEvent: (e) => events.push(e) });
    primary.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    await sts.call("AssumeRole", assume);
    expect(events).toMatchObject([{ type: "failover", region: "eu-central-1", endpoint: secondaryUrl, fromEndpoint: primaryUrl }]);
  });

  it("says AWS_ENDPOINT_URL_STS is ignored once, when the primary's client is built, not the failover region's; and never unless it is set", async () => {
    const warned = async (ignoredEndpointVar: boolean): Promise<string[]> => {
      const log = captureLog();
      const sts = transport({ failoverRegions: ["eu-central-1"], ignoredEndpointVar, logger: log.logger });
      primary.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
      await sts.call("AssumeRole", assume);
      expect(hosts(secondary)).toEqual([SECONDARY_HOST]); // both clients were built
      secondary.sts.clearCalls();
      return log.lines.filter((l) => l.includes("AWS_ENDPOINT_URL_STS"));
    };
    expect(await warned(true)).toEqual([
      `warn awscreds: AWS_ENDPOINT_URL_STS is set but ignored by the assume role provider; calling ${primaryUrl}. Pass the endpoint option to use a custom endpoint.`,
    ]);
    expect(await warned(false)).toEqual([]);
  });

  it("a hop to the next region is not a retry: the backoff after the first full round is the first backoff's", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const log = captureLog();
    const sts = transport({ failoverRegions: ["eu-central-1"], logger: log.logger, retry: { baseDelayMs: 40, maxDelayMs: 10_000 } });
    primary.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    secondary.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    await sts.call("AssumeRole", assume);
    // Attempt 2 ended round 1: half (random 0.5) of the first ceiling, 40 ms, not of round 3's 160 ms.
    expect(log.lines.filter((l) => l.includes("retrying in"))).toEqual(["warn awscreds: AssumeRole attempt 2 failed (server); retrying in 20 ms"]);
    expect([hosts(primary), hosts(secondary)]).toEqual([[PRIMARY_HOST, PRIMARY_HOST], [SECONDARY_HOST]]);
  });
});

describe("retries", () => {
  it("an InvalidIdentityToken after a server error still gets its one retry", async () => {
    const sts = transport();
    primary.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    primary.sts.faults.failNext(1, { status: 400, code: "InvalidIdentityToken" });
    const out = await sts.call("AssumeRole", assume);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(primary.sts.calls.map((c) => c.status)).toEqual([503, 400, 200]);
  });

  it("call options without `retryable` retry as the policy allows", async () => {
    const sts = transport();
    primary.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    await sts.call("AssumeRole", assume, {});
    expect(primary.sts.calls.map((c) => c.status)).toEqual([503, 200]);
  });

  it("a failure keeps the SDK's raw error out of sight: not enumerable, so not in JSON or a spread", async () => {
    const sts = transport();
    primary.sts.faults.failNext(1, { status: 403, code: "AccessDenied", message: "raw SDK error detail" });
    const error = await failure(sts);
    expect(error).toBeInstanceOf(StsCallFailure);
    expect(String(error.error)).toContain("raw SDK error detail");
    expect(Object.keys(error)).not.toContain("error");
    expect(JSON.stringify(error)).not.toContain("raw SDK error detail");
  });
});

describe("the partition check left to the first call (a bundle without a synchronous partition table)", () => {
  it("passes a same-partition list, then calls the primary's custom endpoint", async () => {
    const sts = transport({ failoverRegions: ["eu-central-1"], partitionCheckPending: true });
    await sts.call("AssumeRole", assume);
    expect([hosts(primary), hosts(secondary)]).toEqual([[PRIMARY_HOST], []]);
  });
});

describe("the regional endpoint", () => {
  it("useFipsEndpoint in a partition without FIPS endpoints fails for good, saying so, rather than call a non-FIPS endpoint", async () => {
    vi.mocked(loadSdkPartitions).mockResolvedValueOnce(() => ({ name: "aws-nofips", dnsSuffix: "example.test", supportsFIPS: false }));
    const sts = transport({ customEndpoint: undefined, useFipsEndpoint: true, retry: { maxAttempts: 1 } });
    const error = await rejection(() => sts.call("AssumeRole", assume));
    expect(error.message).toBe("Assume role: useFipsEndpoint is set, but partition aws-nofips (region eu-west-1) has no FIPS endpoints.");
    expect(error.tryNextLink).toBe(false);
  });
});

describe("timeouts", () => {
  it("requestTimeoutMs bounds a call STS never answers", async () => {
    const sts = transport({ requestTimeoutMs: 50, retry: { maxAttempts: 1 } });
    primary.sts.faults.hangNext(1);
    const error = await failure(sts);
    expect(error.kind).toBe("network");
    expect(String(error.error)).toContain("exceeded the configured 50 ms requestTimeout");
  });

  it("connectionTimeoutMs bounds a connection that is never established", async () => {
    const stalled = new StalledAgent();
    cleanups.push(() => stalled.destroy());
    const sts = transport({ connectionTimeoutMs: 50, retry: { maxAttempts: 1 }, clientConfig: { requestHandler: { httpAgent: stalled } } });
    const error = await failure(sts);
    expect(error.kind).toBe("network");
    expect(String(error.error)).toContain("within the configured timeout of 50 ms");
  });
});

describe("building clients", () => {
  it("a client whose build failed is not kept: the next call builds it again", async () => {
    let reads = 0;
    const clientConfig = {
      get requestHandler() {
        reads += 1;
        if (reads === 1) throw new Error("handler not ready yet");
        return { httpAgent: loopback };
      },
    };
    const sts = transport({ clientConfig, retry: { maxAttempts: 1 } });
    const first = await failure(sts);
    expect(String(first.error)).toContain("handler not ready yet");
    const out = await sts.call("AssumeRole", assume);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it("corrects for a local clock 20 minutes ahead: the call after STS's rejection is signed with STS's time", async () => {
    const sts = transport({ retry: { maxAttempts: 1 } });
    // Only Date: the fakes took the real Date.now when they started, timers stay real.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 20 * 60_000 });
    const skewed = await failure(sts);
    expect(String(skewed.error)).toContain("Signature not yet current");
    const out = await sts.call("AssumeRole", assume);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });
});

describe("createStsClient", () => {
  const init = () => ({ region: "eu-west-1", endpoint: primary.sts.endpoint, connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000, logger: silentLogger });
  const command = (sts: Awaited<ReturnType<typeof createStsClient>>) => new sts.AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "edges" });

  it("sends through a request handler given in clientConfig, as it is", async () => {
    class Counting extends NodeHttpHandler {
      handled = 0;
      override handle(...args: Parameters<NodeHttpHandler["handle"]>): ReturnType<NodeHttpHandler["handle"]> {
        this.handled += 1;
        return super.handle(...args);
      }
    }
    const handler = new Counting();
    const sts = await createStsClient({ ...init(), credentials: async () => keys, clientConfig: { requestHandler: handler } });
    cleanups.push(() => sts.client.destroy());
    await sts.client.send(command(sts));
    expect(handler.handled).toBe(1);
  });

  it("in a bundle without @smithy/node-http-handler beside it, builds the handler from the bundled copy", async () => {
    const actual = (await vi.importActual<typeof import("../../src/shared/lazy-require.js")>("../../src/shared/lazy-require.js")).requireOrImport;
    let fromBundle = 0;
    vi.mocked(requireOrImport).mockImplementation(async (specifier, bundled) => {
      if (specifier !== "@smithy/node-http-handler") return await actual(specifier, bundled);
      fromBundle += 1;
      return await bundled();
    });
    cleanups.push(() => vi.mocked(requireOrImport).mockImplementation(actual));
    const sts = await createStsClient({ ...init(), credentials: async () => keys });
    cleanups.push(() => sts.client.destroy());
    const out = await sts.client.send(command(sts));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(fromBundle).toBe(1);
  });

  it("a null requestHandler in clientConfig gets the built one", async () => {
    const sts = await createStsClient({ ...init(), credentials: async () => keys, clientConfig: { requestHandler: null as never } });
    cleanups.push(() => sts.client.destroy());
    const out = await sts.client.send(command(sts));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it("without credentials, a signed call fails, even with keys in the environment", async () => {
    cleanups.push(isolateEnv({ AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey }));
    const sts = await createStsClient(init());
    cleanups.push(() => sts.client.destroy());
    const error = await rejection(() => sts.client.send(command(sts)));
    expect(error.message).toBe("awscreds: this STS client does not sign requests");
    expect(primary.sts.calls).toEqual([]);
  });
});
