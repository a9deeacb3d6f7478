/**
 * The failover state of one STS transport (src/sts/failover.ts), driven directly with a hand-moved clock:
 * which breaker each outcome moves, which endpoint is in use, the failover / recovery / breaker-open events
 * and log lines, and `status()`. Milliseconds per test, so Stryker runs them per mutant (the end-to-end
 * outage runs of failover-tls / failover-assume-role take seconds and are left out of its set).
 */
import { describe, expect, it } from "vitest";
import { breakerPolicy } from "../../src/sts/breaker.js";
import { createFailover, type FailoverEvent, type RoutedCall } from "../../src/sts/failover.js";
import { capturingLogger } from "../support/capturing-logger.js";

const T0 = Date.UTC(2026, 11, 7, 3, 0, 0);
const REGIONS = ["eu-west-1", "eu-central-1", "us-east-1"];
const EU_WEST = "https://sts.eu-west-1.amazonaws.com";
const EU_CENTRAL = "https://sts.eu-central-1.amazonaws.com";

const unavailable = (): Error => Object.assign(new Error("down"), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
const refused = (): Error => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });

/** A failover over `regions` (threshold 2, cool-down 1.5 s), its clock, log lines and events. */
function setUp(options: { regions?: string[]; cooldownMs?: number; onEvent?: false } = {}) {
  const clock = { t: T0 };
  const logger = capturingLogger();
  const events: FailoverEvent[] = [];
  const failover = createFailover({
    regions: options.regions ?? REGIONS,
    policy: breakerPolicy(options.cooldownMs ?? 1_500, 2),
    logger,
    label: "Web identity",
    now: () => clock.t,
    ...(options.onEvent !== false && { onEvent: (event: FailoverEvent) => events.push(event) }),
  });
  /** Routes a call as the transport does, for this round's `tried` regions. */
  const choose = (...tried: number[]): RoutedCall => failover.choose(new Set(tried))!;
  /** Fails the primary until its breaker opens (two endpoint failures), with `error` if given (even `undefined`). */
  const openPrimary = (...given: [error?: unknown]): void => {
    const error = given.length > 0 ? given[0] : unavailable();
    failover.settle(choose(), "endpoint-failed", error);
    failover.settle(choose(), "endpoint-failed", error);
  };
  return { clock, logger, events, failover, choose, openPrimary };
}

describe("createFailover: breakers per endpoint", () => {
  it("a success resets the failures in a row, so failures either side of it do not open the breaker", () => {
    const { failover, choose, events } = setUp();
    failover.settle(choose(), "endpoint-failed", unavailable());
    failover.settle(choose(), "success");
    failover.settle(choose(), "endpoint-failed", unavailable());
    expect(failover.status().endpoints[0]).toMatchObject({ breaker: "closed", consecutiveFailures: 1 });
    expect(events).toEqual([]);
  });

  it("an answer (an AWS error about the request) counts as a success for the breaker", () => {
    const { failover, choose, events } = setUp();
    failover.settle(choose(), "endpoint-failed", unavailable());
    failover.settle(choose(), "answered");
    failover.settle(choose(), "endpoint-failed", unavailable());
    expect(failover.status().endpoints[0]).toMatchObject({ breaker: "closed", consecutiveFailures: 1 });
    expect(events).toEqual([]);
  });

  it("an `unknown` outcome of a half-open probe releases the probe: the next call probes the primary again", () => {
    const { failover, choose, clock, openPrimary } = setUp();
    openPrimary();
    clock.t += 1_500;
    const probe = choose();
    expect(probe).toEqual({ index: 0, region: "eu-west-1", probe: true });
    failover.settle(probe, "unknown", new Error("certificate mismatch"));
    expect(choose()).toEqual({ index: 0, region: "eu-west-1", probe: true });
  });

  it("status() gives an open breaker's reopensAt, and none for a closed one", () => {
    const { failover, clock, openPrimary } = setUp();
    clock.t = T0 + 250;
    openPrimary();
    const [primary, second] = failover.status().endpoints;
    expect(primary).toMatchObject({ region: "eu-west-1", role: "primary", breaker: "open", consecutiveFailures: 2, reopensAt: new Date(T0 + 250 + 1_500) });
    expect(second).not.toHaveProperty("reopensAt");
    expect(second).toMatchObject({ region: "eu-central-1", role: "failover", breaker: "closed", consecutiveFailures: 0 });
  });
});

describe("createFailover: breaker-open events and log lines", () => {
  it("the opening failure emits breaker-open with the region and the endpoint's URL, and warns once with the count and cool-down", () => {
    const { failover, logger, events, openPrimary } = setUp();
    failover.setEndpoint(0, EU_WEST);
    openPrimary();
    expect(events).toEqual([{ type: "breaker-open", region: "eu-west-1", endpoint: EU_WEST }]);
    expect(logger.lines).toEqual([
      {
        level: "warn",
        text: `awscreds: Web identity: ${EU_WEST} failed 2 time(s) in a row (last: ServiceUnavailable); skipping it for 1.5 s, then one call will probe it`,
      },
    ]);
  });

  it("before the endpoint's URL is resolved, names it `STS in <region>`", () => {
    const { events, logger, openPrimary } = setUp();
    openPrimary();
    expect(events).toEqual([{ type: "breaker-open", region: "eu-west-1", endpoint: "STS in eu-west-1" }]);
    expect(logger.lines[0]!.text).toContain("Web identity: STS in eu-west-1 failed 2 time(s)");
  });

  it("the cool-down in the line is in seconds, to one decimal", () => {
    const { logger, openPrimary } = setUp({ cooldownMs: 1_234 });
    openPrimary();
    expect(logger.lines[0]!.text).toContain("skipping it for 1.2 s,");
  });

  it("a failed probe reopens the breaker: breaker-open again, with the doubled cool-down", () => {
    const { failover, clock, choose, events, logger, openPrimary } = setUp();
    openPrimary();
    clock.t += 1_500;
    const probe = choose();
    expect(probe.probe).toBe(true);
    failover.settle(probe, "endpoint-failed", unavailable());
    expect(events.map((e) => e.type)).toEqual(["breaker-open", "breaker-open"]);
    expect(logger.lines[1]!.text).toContain("failed 3 time(s) in a row (last: ServiceUnavailable); skipping it for 3 s,");
  });

  it("a late failure of a call admitted before the breaker opened does not report the opening again", () => {
    const { failover, choose, events, logger } = setUp();
    const first = choose();
    const second = choose();
    const third = choose();
    failover.settle(first, "endpoint-failed", unavailable());
    failover.settle(second, "endpoint-failed", unavailable());
    failover.settle(third, "endpoint-failed", unavailable());
    expect(failover.status().endpoints[0]).toMatchObject({ breaker: "open", consecutiveFailures: 3 });
    expect(events.map((e) => e.type)).toEqual(["breaker-open"]);
    expect(logger.lines).toHaveLength(1);
  });

  it("with a single region there is nowhere to fail over to: no breaker-open line or event", () => {
    const { failover, events, logger, openPrimary } = setUp({ regions: ["eu-west-1"] });
    openPrimary();
    expect(failover.status().endpoints[0]!.breaker).toBe("open");
    expect(events).toEqual([]);
    expect(logger.lines).toEqual([]);
  });

  it.each([
    ["an AWS error's code", unavailable(), "ServiceUnavailable"],
    ["a network error's errno code", refused(), "ECONNREFUSED"],
    ["`error` for an error with neither", new Error("socket hang up"), "error"],
    ["`error` for a non-string code", Object.assign(new Error("odd"), { code: 503 }), "error"],
    ["`error` for no error at all", undefined, "error"],
    ["`error` for a null error", null, "error"],
  ])("labels the last failure with %s, never its message", (_, error, label) => {
    const { logger, openPrimary } = setUp();
    openPrimary(error);
    expect(logger.lines[0]!.text).toContain(`(last: ${label});`);
  });
});

describe("createFailover: failover and recovery", () => {
  /** The primary opens, and the next region answers the call. */
  function failedOver(options: { onEvent?: false } = {}) {
    const s = setUp(options);
    s.failover.setEndpoint(0, EU_WEST);
    s.failover.setEndpoint(1, EU_CENTRAL);
    s.openPrimary();
    const call = s.choose();
    expect(call.index).toBe(1);
    s.failover.settle(call, "success");
    return s;
  }

  it("a success in a failover region moves calls there: a warning naming both endpoints, a failover event, status() failed over", () => {
    const { events, logger, failover } = failedOver();
    expect(events[1]).toEqual({ type: "failover", region: "eu-central-1", endpoint: EU_CENTRAL, fromRegion: "eu-west-1", fromEndpoint: EU_WEST });
    expect(logger.lines[1]).toEqual({
      level: "warn",
      text:
        `awscreds: Web identity: STS failover: calls now go to ${EU_CENTRAL} (eu-central-1), because ${EU_WEST} is failing; ` +
        "credentials from any regional STS endpoint are valid in every region. The primary is probed again after the cool-down",
    });
    expect(failover.status()).toMatchObject({ endpointInUse: EU_CENTRAL, regionInUse: "eu-central-1", failedOver: true });
  });

  it("further successes in the region in use report nothing new", () => {
    const { events, logger, failover, choose } = failedOver();
    failover.settle(choose(), "success");
    expect(events).toHaveLength(2);
    expect(logger.lines).toHaveLength(2);
  });

  it("a success of the primary's probe brings calls back: info line naming the primary, a recovery event, status() not failed over", () => {
    const { events, logger, failover, choose, clock } = failedOver();
    clock.t += 1_500;
    const probe = choose();
    expect(probe).toEqual({ index: 0, region: "eu-west-1", probe: true });
    failover.settle(probe, "success");
    expect(events[2]).toEqual({ type: "recovery", region: "eu-west-1", endpoint: EU_WEST, fromRegion: "eu-central-1", fromEndpoint: EU_CENTRAL });
    expect(logger.lines[2]).toEqual({
      level: "info",
      text: `awscreds: Web identity: STS recovered: calls are back on ${EU_WEST} (primary region eu-west-1), after ${EU_CENTRAL} served them`,
    });
    expect(failover.status()).toMatchObject({ endpointInUse: EU_WEST, regionInUse: "eu-west-1", failedOver: false });
    expect(failover.status().endpoints[0]).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
  });

  it("only a success moves calls: a failover region that fails or answers with an AWS error is not failed over to", () => {
    const { failover, choose, events, logger, openPrimary } = setUp();
    openPrimary();
    failover.settle(choose(), "answered");
    failover.settle(choose(), "endpoint-failed", refused());
    failover.settle(choose(), "unknown", new Error("bug"));
    expect(events.map((e) => e.type)).toEqual(["breaker-open"]);
    expect(logger.lines).toHaveLength(1);
    expect(failover.status()).toMatchObject({ regionInUse: "eu-west-1", failedOver: false });
  });

  it("a success of the primary while it is in use reports nothing", () => {
    const { failover, choose, events, logger } = setUp();
    failover.settle(choose(), "success");
    expect(events).toEqual([]);
    expect(logger.lines).toEqual([]);
  });

  it("without an onEvent listener, breaker-open and failover still log and do not throw", () => {
    const { logger, failover } = failedOver({ onEvent: false });
    expect(logger.lines.map((l) => l.level)).toEqual(["warn", "warn"]);
    expect(failover.status().failedOver).toBe(true);
  });

  it("a listener that throws does not fail the call that settled", () => {
    const logger = capturingLogger();
    const failover = createFailover({
      regions: REGIONS,
      policy: breakerPolicy(1_500, 1),
      logger,
      label: "Assume role",
      now: () => T0,
      onEvent: () => {
        throw new Error("listener bug");
      },
    });
    expect(() => failover.settle(failover.choose(new Set())!, "endpoint-failed", unavailable())).not.toThrow();
    expect(logger.lines).toHaveLength(1);
  });
});
