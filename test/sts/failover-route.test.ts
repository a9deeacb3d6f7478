/**
 * "Which region next": the choice rule over seeded random breaker states, and a seeded simulation of fetches
 * through regional outages (the breakers and the route together, as the transport uses them).
 */
import { describe, expect, it } from "vitest";
import {
  admitCall,
  breakerPolicy,
  closedBreaker,
  recordFailure,
  recordSuccess,
  reopensAt,
  type BreakerPolicy,
  type BreakerState,
} from "../../src/sts/breaker.js";
import { chooseRegion } from "../../src/sts/failover-route.js";
import { seededRandom } from "../refresh/helpers.js";

const T0 = Date.UTC(2024, 7, 29, 12, 0, 0);

function randomBreaker(random: () => number, policy: BreakerPolicy, now: number): BreakerState {
  const r = random();
  if (r < 0.4) return closedBreaker(policy);
  if (r < 0.55) return { ...closedBreaker(policy), consecutiveFailures: 1 + Math.floor(random() * (policy.failureThreshold - 1)) };
  const openedAt = now - Math.floor(random() * 2 * policy.cooldownMs);
  return { open: true, consecutiveFailures: policy.failureThreshold, openedAt, cooldownMs: policy.cooldownMs, probing: random() < 0.3 };
}

describe("chooseRegion", () => {
  it("takes the primary while its breaker lets calls through", () => {
    const policy = breakerPolicy(1_000);
    const breakers = [closedBreaker(policy), closedBreaker(policy)];
    expect(chooseRegion(breakers, new Set(), T0)).toMatchObject({ index: 0, probe: false, forced: false });
  });

  it("moves on to the next region once this fetch has tried one, without waiting for the breaker", () => {
    const policy = breakerPolicy(1_000);
    const breakers = [closedBreaker(policy), closedBreaker(policy), closedBreaker(policy)];
    expect(chooseRegion(breakers, new Set([0]), T0)!.index).toBe(1);
    expect(chooseRegion(breakers, new Set([0, 1]), T0)!.index).toBe(2);
    // Every region tried: the round is over (the transport backs off, then starts a new one).
    expect(chooseRegion(breakers, new Set([0, 1, 2]), T0)).toBeUndefined();
    expect(chooseRegion(breakers, new Set(), T0)!.index).toBe(0);
  });

  it("claims the half-open probe of the region it picks", () => {
    const policy = breakerPolicy(1_000, 1);
    const open = recordFailure(closedBreaker(policy), T0, policy, false);
    const choice = chooseRegion([open, closedBreaker(policy)], new Set(), T0 + 1_000)!;
    expect(choice).toMatchObject({ index: 0, probe: true });
    expect(choice.breakers[0]!.probing).toBe(true);
    // A concurrent call does not probe too: it goes to the failover region.
    expect(chooseRegion(choice.breakers, new Set(), T0 + 1_001)).toMatchObject({ index: 1, probe: false });
  });

  it("when every breaker is open, forces the one that reopens first, once per round", () => {
    const policy = breakerPolicy(1_000, 1);
    const a = recordFailure(closedBreaker(policy), T0, policy, false);
    const b = recordFailure(closedBreaker(policy), T0 - 500, policy, false);
    expect(chooseRegion([a, b], new Set(), T0 + 10)).toMatchObject({ index: 1, forced: true, probe: false });
    expect(chooseRegion([a, b], new Set([1]), T0 + 10)).toBeUndefined();
  });

  it("every breaker open and reopening at the same time: the earlier region, the primary first", () => {
    const policy = breakerPolicy(1_000, 1);
    const open = recordFailure(closedBreaker(policy), T0, policy, false);
    expect(chooseRegion([open, open, open], new Set(), T0 + 10)).toMatchObject({ index: 0, forced: true });
  });

  it("refuses an empty region list (there is always the primary)", () => {
    expect(() => chooseRegion([], new Set(), T0)).toThrow(new RangeError("chooseRegion needs at least one region"));
  });

  for (const seed of [11, 12, 13, 14]) {
    it(`picks the first untried admitting region, else the untried one reopening first (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const policy = breakerPolicy(1_000, 3);
      let forcedSeen = 0;
      for (let i = 0; i < 5_000; i++) {
        const now = T0 + i * 7;
        const n = 1 + Math.floor(random() * 4);
        const breakers = Array.from({ length: n }, () => randomBreaker(random, policy, now));
        const tried = new Set(Array.from({ length: n }, (_, j) => j).filter(() => random() < 0.3));
        const untried = breakers.map((_, j) => j).filter((j) => !tried.has(j));
        const admitting = untried.filter((j) => admitCall(breakers[j]!, now).admitted);
        const choice = chooseRegion(breakers, tried, now);
        if (admitting.length > 0) {
          expect(choice!.index).toBe(admitting[0]);
          expect(choice!.forced).toBe(false);
          expect(choice!.probe).toBe(admitCall(breakers[choice!.index]!, now).probe);
        } else if (tried.size > 0) {
          expect(choice).toBeUndefined();
          continue;
        } else {
          forcedSeen += 1;
          expect(choice!.forced).toBe(true);
          const soonest = Math.min(...untried.map((j) => reopensAt(breakers[j]!) ?? now));
          expect(reopensAt(breakers[choice!.index]!) ?? now).toBe(soonest);
        }
        // Only the chosen breaker may change, and only by claiming its probe.
        choice!.breakers.forEach((b, j) => {
          if (j !== choice!.index) expect(b).toBe(breakers[j]);
        });
      }
      expect(forcedSeen).toBeGreaterThan(20);
    });
  }
});

/**
 * One fetch as the transport runs it: attempts go where `chooseRegion` says; a failing region is left for
 * the next one at once; after a full round, the fetch gives up (the transport would back off and retry).
 */
function simulateFetch(state: { breakers: BreakerState[] }, isUp: (region: number) => boolean, now: number, policy: BreakerPolicy, calls: number[]): boolean {
  const tried = new Set<number>();
  for (;;) {
    const choice = chooseRegion(state.breakers, tried, now);
    if (choice === undefined) return false;
    state.breakers = choice.breakers;
    calls[choice.index] = (calls[choice.index] ?? 0) + 1;
    const next = [...state.breakers];
    if (isUp(choice.index)) {
      next[choice.index] = recordSuccess(policy);
      state.breakers = next;
      return true;
    }
    next[choice.index] = recordFailure(next[choice.index]!, now, policy, choice.probe);
    state.breakers = next;
    tried.add(choice.index);
  }
  return false;
}

describe("fetches through regional outages (seeded simulation)", () => {
  for (const seed of [21, 22, 23, 24, 25]) {
    it(`no fetch fails while a region is up; the dead primary gets few calls; calls return to it after recovery (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const cooldownMs = 30_000;
      const policy = breakerPolicy(cooldownMs);
      const regions = 2 + Math.floor(random() * 2);
      const periodMs = 1_000 + Math.floor(random() * 60_000); // one fetch per refresh
      const outageFrom = T0 + 10 * periodMs;
      const outageMs = (20 + Math.floor(random() * 200)) * periodMs;
      const outageTo = outageFrom + outageMs;
      const state = { breakers: Array.from({ length: regions }, () => closedBreaker(policy)) };
      const calls: number[] = [];
      let primaryCallsDuring = 0;
      let firstBackOnPrimary: number | undefined;
      for (let now = T0; now < outageTo + 40 * Math.max(periodMs, policy.maxCooldownMs); now += periodMs) {
        const primaryDown = now >= outageFrom && now < outageTo;
        const before = calls[0] ?? 0;
        // The primary is down (or flapping with a random failure while "up" is false); the others are up.
        const ok = simulateFetch(state, (r) => (r === 0 ? !primaryDown : true), now, policy, calls);
        expect(ok).toBe(true);
        if (primaryDown) primaryCallsDuring += (calls[0] ?? 0) - before;
        if (now >= outageTo && firstBackOnPrimary === undefined && (calls[0] ?? 0) > before && !state.breakers[0]!.open) firstBackOnPrimary = now;
      }
      // The dead primary: the threshold, then one probe per cool-down, the cool-down doubling to its ceiling.
      let bound = policy.failureThreshold;
      for (let t = 0, c = cooldownMs; t < outageMs + periodMs; t += c, c = Math.min(policy.maxCooldownMs, c * 2)) bound += 1;
      expect(primaryCallsDuring).toBeLessThanOrEqual(bound);
      expect(primaryCallsDuring).toBeGreaterThanOrEqual(policy.failureThreshold);
      // Back on the primary within one (longest) cool-down plus a refresh period of its recovery.
      expect(firstBackOnPrimary).toBeDefined();
      expect(firstBackOnPrimary! - outageTo).toBeLessThanOrEqual(policy.maxCooldownMs + periodMs);
      // And it stays there: the last fetches all went to the primary.
      expect(state.breakers[0]!.open).toBe(false);
    });
  }

  it("with every region down, a round makes one call per region, and once all are open, one call in all", () => {
    const policy = breakerPolicy(10_000, 2);
    const state = { breakers: [closedBreaker(policy), closedBreaker(policy), closedBreaker(policy)] };
    const calls: number[] = [];
    expect(simulateFetch(state, () => false, T0, policy, calls)).toBe(false);
    expect(calls).toEqual([1, 1, 1]);
    expect(simulateFetch(state, () => false, T0 + 1, policy, calls)).toBe(false);
    expect(calls).toEqual([2, 2, 2]);
    expect(state.breakers.every((b) => b.open)).toBe(true);
    for (let i = 2; i < 100; i++) expect(simulateFetch(state, () => false, T0 + i, policy, calls)).toBe(false);
    // 98 more rounds inside the cool-down: one forced call each, not three.
    expect(calls.reduce((a, b) => a + b, 0)).toBe(6 + 98);
  });
});
