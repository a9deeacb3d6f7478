/**
 * The circuit breaker's rules, checked step by step over long seeded random sequences of calls, outcomes
 * and clock jumps, plus the named cases.
 */
import { describe, expect, it } from "vitest";
import {
  admitCall,
  breakerPhase,
  breakerPolicy,
  closedBreaker,
  DEFAULT_FAILOVER_COOLDOWN_MS,
  DEFAULT_FAILURE_THRESHOLD,
  MAX_FAILOVER_COOLDOWN_MS,
  recordFailure,
  recordNeutral,
  recordSuccess,
  reopensAt,
  type BreakerState,
} from "../../src/sts/breaker.js";
import { seededRandom } from "../refresh/helpers.js";

const T0 = Date.UTC(2025, 9, 20, 7, 0, 0);

describe("breaker rules (named cases)", () => {
  const policy = breakerPolicy(1_000, 3);

  it("opens after exactly `failureThreshold` retryable failures in a row, not before", () => {
    let s = closedBreaker(policy);
    s = recordFailure(s, T0, policy, false);
    s = recordFailure(s, T0 + 1, policy, false);
    expect(breakerPhase(s, T0 + 2)).toBe("closed");
    expect(admitCall(s, T0 + 2).admitted).toBe(true);
    s = recordFailure(s, T0 + 2, policy, false);
    expect(breakerPhase(s, T0 + 2)).toBe("open");
    expect(admitCall(s, T0 + 2).admitted).toBe(false);
    expect(reopensAt(s)).toBe(T0 + 2 + 1_000);
  });

  it("a success in between starts the count again", () => {
    let s = closedBreaker(policy);
    s = recordFailure(s, T0, policy, false);
    s = recordFailure(s, T0, policy, false);
    s = recordSuccess(policy);
    s = recordFailure(s, T0, policy, false);
    s = recordFailure(s, T0, policy, false);
    expect(breakerPhase(s, T0)).toBe("closed");
  });

  it("half-opens after the cool-down and lets exactly one probe through", () => {
    let s = closedBreaker(policy);
    for (let i = 0; i < 3; i++) s = recordFailure(s, T0, policy, false);
    expect(admitCall(s, T0 + 999).admitted).toBe(false);
    expect(breakerPhase(s, T0 + 1_000)).toBe("half-open");
    const first = admitCall(s, T0 + 1_000);
    expect(first).toMatchObject({ admitted: true, probe: true });
    const second = admitCall(first.state, T0 + 1_001);
    expect(second.admitted).toBe(false);
    // The probe's outcome says nothing (e.g. a local bug): the next call may probe.
    const released = recordNeutral(first.state, true);
    expect(admitCall(released, T0 + 1_002)).toMatchObject({ admitted: true, probe: true });
  });

  it("doubles the cool-down while probes fail, up to the ceiling, and resets it on success", () => {
    const p = breakerPolicy(100_000, 1);
    let s = recordFailure(closedBreaker(p), T0, p, false);
    let now = T0;
    const cooldowns: number[] = [];
    for (let i = 0; i < 5; i++) {
      cooldowns.push(s.cooldownMs);
      now = reopensAt(s)!;
      const probe = admitCall(s, now);
      expect(probe.probe).toBe(true);
      s = recordFailure(probe.state, now, p, true);
    }
    expect(cooldowns).toEqual([100_000, 200_000, 300_000, 300_000, 300_000]);
    s = recordSuccess(p);
    expect(breakerPhase(s, now)).toBe("closed");
    s = recordFailure(s, now, p, false);
    expect(s.cooldownMs).toBe(100_000);
  });

  it("a late failure of a call admitted before the breaker opened does not extend the cool-down", () => {
    let s = closedBreaker(policy);
    for (let i = 0; i < 3; i++) s = recordFailure(s, T0, policy, false);
    const late = recordFailure(s, T0 + 500, policy, false);
    expect(reopensAt(late)).toBe(reopensAt(s));
    expect(late.cooldownMs).toBe(s.cooldownMs);
  });

  it("defaults: 30 s cool-down, 3 failures, doubling up to 5 minutes (or the cool-down, if longer)", () => {
    expect(breakerPolicy()).toEqual({ failureThreshold: DEFAULT_FAILURE_THRESHOLD, cooldownMs: DEFAULT_FAILOVER_COOLDOWN_MS, maxCooldownMs: MAX_FAILOVER_COOLDOWN_MS });
    expect(DEFAULT_FAILOVER_COOLDOWN_MS).toBe(30_000);
    expect(DEFAULT_FAILURE_THRESHOLD).toBe(3);
    expect(breakerPolicy(600_000).maxCooldownMs).toBe(600_000);
  });
});

describe("breaker rules over seeded random sequences", () => {
  type Outcome = "success" | "failure" | "neutral";

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`holds every rule at every step (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const threshold = 1 + Math.floor(random() * 4);
      const policy = breakerPolicy(50 + Math.floor(random() * 2_000), threshold);
      let s: BreakerState = closedBreaker(policy);
      let now = T0;
      // What the rules say, tracked independently of the state's own fields.
      let failuresSinceSuccess = 0;
      let expectedCooldown = policy.cooldownMs;
      let openedAt: number | undefined;
      const inFlight: { probe: boolean }[] = [];
      let opens = 0;
      let probes = 0;

      for (let step = 0; step < 5_000; step++) {
        now += Math.floor(random() * random() * 3 * policy.cooldownMs);
        const roll = random();
        if (roll < 0.55 || inFlight.length === 0) {
          const before = s;
          const admission = admitCall(s, now);
          const phase = breakerPhase(before, now);
          // Rule: closed lets everything through; open nothing; half-open one probe at a time.
          if (phase === "closed") expect(admission).toMatchObject({ admitted: true, probe: false });
          if (phase === "open") {
            expect(admission.admitted).toBe(false);
            expect(now).toBeLessThan(openedAt! + expectedCooldown);
          }
          if (phase === "half-open") {
            expect(now).toBeGreaterThanOrEqual(openedAt! + expectedCooldown);
            const probeInFlight = inFlight.some((c) => c.probe);
            expect(admission.admitted).toBe(!probeInFlight);
            expect(admission.probe).toBe(!probeInFlight);
          }
          s = admission.state;
          if (admission.admitted) {
            inFlight.push({ probe: admission.probe });
            if (admission.probe) probes += 1;
          }
        } else {
          const call = inFlight.splice(Math.floor(random() * inFlight.length), 1)[0]!;
          const r = random();
          const outcome: Outcome = r < 0.5 ? "failure" : r < 0.9 ? "success" : "neutral";
          const wasOpen = s.open;
          if (outcome === "success") {
            s = recordSuccess(policy);
            failuresSinceSuccess = 0;
            expectedCooldown = policy.cooldownMs;
            openedAt = undefined;
            // Rule: success closes, whatever the phase.
            expect(breakerPhase(s, now)).toBe("closed");
          } else if (outcome === "failure") {
            s = recordFailure(s, now, policy, call.probe);
            failuresSinceSuccess += 1;
            if (!wasOpen && failuresSinceSuccess >= threshold) {
              // Rule: the threshold-th failure in a row opens a closed breaker, with the base cool-down.
              expect(s.open).toBe(true);
              expect(s.cooldownMs).toBe(expectedCooldown);
              openedAt = now;
              opens += 1;
            } else if (wasOpen && call.probe) {
              // Rule: a failed probe reopens it now, the cool-down doubled up to the ceiling.
              expectedCooldown = Math.min(policy.maxCooldownMs, expectedCooldown * 2);
              openedAt = now;
              expect(s.open).toBe(true);
            } else {
              // Rule: below the threshold it stays closed; a stale failure leaves the opening alone.
              expect(s.open).toBe(wasOpen);
            }
            if (s.open) {
              expect(reopensAt(s)).toBe(openedAt! + expectedCooldown);
              expect(s.cooldownMs).toBe(expectedCooldown);
            }
          } else {
            const was = s;
            s = recordNeutral(s, call.probe);
            // Rule: a neutral outcome changes nothing but releasing the probe.
            expect({ ...s, probing: false }).toEqual({ ...was, probing: false });
            if (call.probe) expect(s.probing).toBe(false);
          }
          // Drop calls that were in flight across a success: their outcomes are stale either way.
          if (outcome === "success") inFlight.forEach((c) => (c.probe = false));
        }
        expect(s.consecutiveFailures).toBe(failuresSinceSuccess);
        expect(s.cooldownMs).toBeLessThanOrEqual(policy.maxCooldownMs);
      }
      // The sequences actually exercised the machine.
      expect(opens).toBeGreaterThan(5);
      expect(probes).toBeGreaterThan(5);
    });
  }
});
