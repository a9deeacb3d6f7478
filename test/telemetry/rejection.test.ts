/**
 * A fetch driven by a rejection is reported as such: `awscreds.refresh.reason` = `rejected` (issue 20).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createRefresher } from "../../src/index.js";
import { METRIC } from "../../src/telemetry/names.js";
import { scriptedSource } from "../refresh/helpers.js";
import { histogramCount, point, startOtel } from "./support.js";

const otel = startOtel();
afterEach(async () => {
  await otel.shutdown().catch(() => undefined);
});

describe("telemetry of a rejection", () => {
  it("the fetch after invalidate() is a refresh with reason rejected", async () => {
    const credentials = createRefresher(scriptedSource({ lifetimeMs: 3_600_000 }), { name: "orders", telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider } });
    await credentials.ready;
    await credentials.invalidate(undefined, { code: "ExpiredToken" });

    const m = await otel.metrics();
    expect(histogramCount(point(m, METRIC.refreshDuration, { "awscreds.provider": "orders", "awscreds.source": "custom", "awscreds.refresh.reason": "rejected", outcome: "success" }))).toBe(1);
    expect(otel.spans().filter((s) => s.attributes["awscreds.refresh.reason"] === "rejected")).toHaveLength(1);
    credentials.stop();
  });
});
