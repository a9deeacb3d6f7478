import { describe, expect, it, vi } from "vitest";
import { DEFAULT_SCHEDULE_POLICY, planNextRefresh, resolveSchedulePolicy, type SchedulePolicy } from "../../src/refresh/schedule.js";
import { seededRandom } from "./helpers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const SDK_WINDOW = 5 * MIN;
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

describe("planNextRefresh", () => {
  it("refreshes 1-hour credentials 10–15 minutes before expiry, ahead of the SDK's 5-minute window", () => {
    const random = seededRandom(1);
    const expiration = new Date(NOW + HOUR);
    let earliest = Infinity;
    let latest = -Infinity;
    for (let i = 0; i < 10_000; i++) {
      const at = planNextRefresh(expiration, NOW, DEFAULT_SCHEDULE_POLICY, random)!;
      expect(at).toBeGreaterThanOrEqual(NOW + HOUR - 15 * MIN);
      expect(at).toBeLessThanOrEqual(NOW + HOUR - 10 * MIN);
      earliest = Math.min(earliest, at);
      latest = Math.max(latest, at);
    }
    // The jitter uses the whole window, not a sliver of it.
    expect(latest - earliest).toBeGreaterThan(4.9 * MIN);
  });

  it("keeps every lifetime from 1 s to 12 h inside its window (property loop)", () => {
    const random = seededRandom(2);
    for (let i = 0; i < 20_000; i++) {
      const lifetime = Math.round(1_000 * Math.exp(random() * Math.log(12 * 3_600)));
      const expiresAt = NOW + lifetime;
      const at = planNextRefresh(expiresAt, NOW, DEFAULT_SCHEDULE_POLICY, random)!;
      const lead = expiresAt - at;
      expect(at).toBeGreaterThanOrEqual(NOW + DEFAULT_SCHEDULE_POLICY.minDelayMs);
      if (lifetime >= 40 * MIN) {
        expect(lead).toBeGreaterThanOrEqual(10 * MIN - 1);
        expect(lead).toBeLessThanOrEqual(15 * MIN + 1);
      }
      if (lifetime >= 20 * MIN) expect(lead).toBeGreaterThanOrEqual(SDK_WINDOW - 1);
      if (lifetime < 40 * MIN && lifetime >= 4 * DEFAULT_SCHEDULE_POLICY.minDelayMs) {
        // Short lifetimes: proportionally, after 50–75% of the remaining lifetime.
        const fraction = (at - NOW) / lifetime;
        expect(fraction).toBeGreaterThanOrEqual(0.5 - 1 / lifetime);
        expect(fraction).toBeLessThanOrEqual(0.75 + 1 / lifetime);
      }
      if (lifetime > 2 * DEFAULT_SCHEDULE_POLICY.minDelayMs) expect(at).toBeLessThan(expiresAt);
    }
  });

  it("refreshes seconds-long credentials (as tests use) after 50–75% of their lifetime", () => {
    const random = seededRandom(3);
    for (let i = 0; i < 1_000; i++) {
      const at = planNextRefresh(new Date(NOW + 4_000), NOW, DEFAULT_SCHEDULE_POLICY, random)!;
      expect(at - NOW).toBeGreaterThanOrEqual(2_000);
      expect(at - NOW).toBeLessThanOrEqual(3_000);
    }
  });

  it("spreads a fleet of 10,000 processes started within one second over minutes", () => {
    const random = seededRandom(4);
    const perSecond = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const startedAt = NOW + random() * 1_000;
      const at = planNextRefresh(new Date(startedAt + HOUR), startedAt, DEFAULT_SCHEDULE_POLICY, random)!;
      const second = Math.floor(at / 1_000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    const busiest = Math.max(...perSecond.values());
    // Uniform over ~300 s is ~33 a second; all at once would be 10,000.
    expect(perSecond.size).toBeGreaterThan(290);
    expect(busiest).toBeLessThan(80);
  });

  it("plans nothing for credentials without expiration, unless a period is set", () => {
    expect(planNextRefresh(undefined, NOW)).toBeUndefined();
    const policy = resolveSchedulePolicy({}, 10 * MIN);
    const random = seededRandom(5);
    for (let i = 0; i < 1_000; i++) {
      const at = planNextRefresh(undefined, NOW, policy, random)!;
      expect(at - NOW).toBeGreaterThanOrEqual(9 * MIN);
      expect(at - NOW).toBeLessThanOrEqual(10 * MIN);
    }
  });

  it("lets a period shorten the plan for expiring credentials, never lengthen it", () => {
    const policy = resolveSchedulePolicy({}, 5 * MIN);
    const random = seededRandom(6);
    for (let i = 0; i < 1_000; i++) {
      expect(planNextRefresh(NOW + HOUR, NOW, policy, random)! - NOW).toBeLessThanOrEqual(5 * MIN);
      expect(planNextRefresh(NOW + 4_000, NOW, policy, random)! - NOW).toBeLessThanOrEqual(3_000);
    }
  });

  it("never plans sooner than minDelayMs, even for expired or nearly expired credentials", () => {
    expect(planNextRefresh(new Date(NOW - 1_000), NOW)).toBe(NOW + 1_000);
    expect(planNextRefresh(NOW + 200, NOW, DEFAULT_SCHEDULE_POLICY, () => 0.5)).toBe(NOW + 1_000);
    const policy: SchedulePolicy = { ...DEFAULT_SCHEDULE_POLICY, minDelayMs: 0 };
    expect(planNextRefresh(NOW + 200, NOW, policy, () => 0)).toBe(NOW + 150);
    expect(planNextRefresh(NOW + 200, NOW, policy, () => 0.999999)).toBe(NOW + 100);
  });

  it("treats an invalid Date as no expiration", () => {
    expect(planNextRefresh(new Date(Number.NaN), NOW)).toBeUndefined();
  });

  it("stays in the window even when the injected random misbehaves", () => {
    for (const r of [-1, 1, 2, Number.NaN]) {
      const at = planNextRefresh(NOW + HOUR, NOW, DEFAULT_SCHEDULE_POLICY, () => r)!;
      expect(at).toBeGreaterThanOrEqual(NOW + HOUR - 15 * MIN);
      expect(at).toBeLessThanOrEqual(NOW + HOUR - 10 * MIN);
    }
  });

  it("maps the draw onto the lead window exactly: 0 refreshes latest (shortest lead), 1 earliest; out-of-range draws clamp", () => {
    const plan = (r: number): number => planNextRefresh(NOW + HOUR, NOW, DEFAULT_SCHEDULE_POLICY, () => r)! - NOW;
    // Leads of 1-hour credentials: 10 min (draw 0) to 15 min (draw 1).
    expect(plan(0)).toBe(50 * MIN);
    expect(plan(0.5)).toBe(47.5 * MIN);
    expect(plan(0.99)).toBe(45 * MIN + 3_000);
    expect(plan(1)).toBe(45 * MIN);
    expect(plan(2)).toBe(45 * MIN);
    expect(plan(Number.POSITIVE_INFINITY)).toBe(45 * MIN);
    expect(plan(-0.5)).toBe(50 * MIN);
    expect(plan(Number.NaN)).toBe(50 * MIN);
  });

  it("jitters the period exactly by the draw, and clamps a misbehaving draw", () => {
    const policy = resolveSchedulePolicy({}, 10 * MIN);
    const plan = (r: number): number => planNextRefresh(undefined, NOW, policy, () => r)! - NOW;
    expect(plan(0)).toBe(10 * MIN);
    expect(plan(0.5)).toBe(9.5 * MIN);
    expect(plan(1)).toBe(9 * MIN);
    expect(plan(7)).toBe(9 * MIN);
    expect(plan(-3)).toBe(10 * MIN);
    expect(plan(Number.NaN)).toBe(10 * MIN);
  });

  it("plans from an epoch-ms expiration like from a Date, and ignores a non-finite one", () => {
    expect(planNextRefresh(NOW + HOUR, NOW, DEFAULT_SCHEDULE_POLICY, () => 0)).toBe(NOW + 50 * MIN);
    expect(planNextRefresh(new Date(NOW + HOUR), NOW, DEFAULT_SCHEDULE_POLICY, () => 0)).toBe(NOW + 50 * MIN);
    expect(planNextRefresh(Number.POSITIVE_INFINITY, NOW)).toBeUndefined();
    expect(planNextRefresh(Number.NaN, NOW)).toBeUndefined();
    expect(planNextRefresh(null as never, NOW)).toBeUndefined();
  });

  it("takes no draw for credentials at or past expiry: at once, so a seeded simulation's later draws do not shift", () => {
    const policy: SchedulePolicy = { ...DEFAULT_SCHEDULE_POLICY, minDelayMs: 0 };
    const random = vi.fn(() => 0.5);
    expect(planNextRefresh(NOW, NOW, policy, random)).toBe(NOW);
    expect(planNextRefresh(NOW - 1, NOW, policy, random)).toBe(NOW);
    expect(planNextRefresh(NOW - HOUR, NOW, DEFAULT_SCHEDULE_POLICY, random)).toBe(NOW + 1_000);
    expect(random).not.toHaveBeenCalled();
    // One millisecond left: a draw, as for any live credentials.
    expect(planNextRefresh(NOW + 1, NOW, policy, random)).toBe(NOW + 1);
    expect(random).toHaveBeenCalledTimes(1);
  });

  it("follows a custom policy", () => {
    const policy = resolveSchedulePolicy({ minLeadMs: 2 * MIN, maxLeadMs: 2 * MIN });
    expect(planNextRefresh(NOW + HOUR, NOW, policy, () => 0.3)).toBe(NOW + HOUR - 2 * MIN);
  });
});

describe("resolveSchedulePolicy", () => {
  it("fills in the documented defaults", () => {
    expect(resolveSchedulePolicy()).toEqual({ ...DEFAULT_SCHEDULE_POLICY });
    expect(resolveSchedulePolicy({ minDelayMs: undefined }).minDelayMs).toBe(1_000);
  });

  it("keeps a period given in the partial policy; the period argument wins over it", () => {
    expect(resolveSchedulePolicy({ periodMs: 5 * MIN }).periodMs).toBe(5 * MIN);
    expect(resolveSchedulePolicy({ periodMs: 5 * MIN }, 7 * MIN).periodMs).toBe(7 * MIN);
    expect(resolveSchedulePolicy({ periodMs: 5 * MIN }, undefined).periodMs).toBe(5 * MIN);
  });

  it("accepts the edges of each range: zero durations and fractions, equal leads, equal fractions", () => {
    expect(resolveSchedulePolicy({ minLeadMs: 0, maxLeadMs: 0, minDelayMs: 0 })).toMatchObject({ minLeadMs: 0, maxLeadMs: 0, minDelayMs: 0 });
    expect(resolveSchedulePolicy({ minLeadFraction: 0, maxLeadFraction: 0, periodJitterFraction: 0 })).toMatchObject({
      minLeadFraction: 0,
      maxLeadFraction: 0,
      periodJitterFraction: 0,
    });
    expect(resolveSchedulePolicy({ minLeadFraction: 0.3, maxLeadFraction: 0.3 })).toMatchObject({ minLeadFraction: 0.3, maxLeadFraction: 0.3 });
    expect(resolveSchedulePolicy({ minLeadMs: 12 * MIN, maxLeadMs: 12 * MIN })).toMatchObject({ minLeadMs: 12 * MIN, maxLeadMs: 12 * MIN });
  });

  it("rejects negative, non-finite and NaN durations and fractions, naming the field", () => {
    for (const key of ["minLeadMs", "maxLeadMs", "minDelayMs"] as const) {
      for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => resolveSchedulePolicy({ [key]: value })).toThrow(new RegExp(`${key} must be a non-negative number of ms`));
      }
    }
    for (const key of ["minLeadFraction", "maxLeadFraction", "periodJitterFraction"] as const) {
      for (const value of [-0.01, 1, 1.5, Number.NaN]) {
        expect(() => resolveSchedulePolicy({ [key]: value })).toThrow(new RegExp(`${key} must be in \\[0, 1\\)`));
      }
    }
    expect(() => resolveSchedulePolicy({ minLeadFraction: 0.31, maxLeadFraction: 0.3 })).toThrow(/minLeadFraction \(0\.31\) must not exceed maxLeadFraction \(0\.3\)/);
    expect(() => resolveSchedulePolicy({}, -1)).toThrow(/period must be a positive/);
    expect(() => resolveSchedulePolicy({}, Number.NaN)).toThrow(/period must be a positive/);
  });

  it("rejects nonsense at construction time", () => {
    expect(() => resolveSchedulePolicy({ minLeadMs: 20 * MIN })).toThrow(/minLeadMs .* must not exceed maxLeadMs/);
    expect(() => resolveSchedulePolicy({ maxLeadFraction: 1 })).toThrow(RangeError);
    expect(() => resolveSchedulePolicy({ minLeadFraction: 0.6 })).toThrow(/minLeadFraction/);
    expect(() => resolveSchedulePolicy({ minDelayMs: -1 })).toThrow(RangeError);
    expect(() => resolveSchedulePolicy({}, 0)).toThrow(/period must be a positive/);
    expect(() => resolveSchedulePolicy({}, Number.POSITIVE_INFINITY)).toThrow(/period/);
  });
});
