import { describe, expect, it } from "vitest";
import type { MachineInfo } from "../../bench/lib/machine.js";
import { barsTable, machineLine, renderConsole, renderReport, type ScenarioOutcome } from "../../bench/lib/report.js";

const machine: MachineInfo = {
  date: "2026-11-22T05:03:12.000Z",
  cpu: "AMD EPYC",
  cores: 2,
  memoryGiB: 23.5,
  os: "Linux 6.1 x64",
  node: "v20.20.2",
  awsSdk: "3.1169.0",
  awscreds: "0.1.0",
  commit: "288a5d5",
  loadAverageAtStart: [0.5, 0.4, 0.3],
};

const ok: ScenarioOutcome = {
  id: 4,
  key: "hot-path",
  title: "Hot path",
  durationMs: 1234,
  result: {
    tables: [{ title: "Warm resolution", columns: ["provider", "ns"], rows: [["SDK", "412 ns"], ["awscreds", "95 ns"]] }],
    method: "100,000 calls, median of 7 runs.",
    notes: ["awscreds is ahead here."],
    bars: [{ bar: "Per-call cost at most the SDK's", measured: "95 ns vs 412 ns", met: true }],
    data: {},
    artifacts: [{ name: "chart.svg", content: "<svg/>" }],
    missing: ["the SQS helper's bench"],
  },
};
const failed: ScenarioOutcome = { id: 7, key: "sqs", title: "SQS", durationMs: 5, error: "Error: module not found" };

describe("renderReport", () => {
  const md = renderReport({ machine, quick: false, totalMs: 151_000, outcomes: [ok, failed] });

  it("names the machine, software and date next to the numbers", () => {
    expect(md).toContain("Measured 2026-11-22 05:03 UTC · AMD EPYC × 2, 23.5 GiB, Linux 6.1 x64 · Node v20.20.2 · AWS SDK 3.1169.0 · awscreds 0.1.0 (288a5d5).");
    expect(md).toContain("Whole run: 151 s.");
    expect(md).not.toContain("Quick mode");
  });

  it("puts each scenario's method, table, chart, notes and gaps together", () => {
    const section = md.slice(md.indexOf("## 4. Hot path"));
    expect(section).toContain("*Method.* 100,000 calls, median of 7 runs.");
    expect(section).toContain("| SDK | 412 ns |");
    expect(section).toContain("![Hot path](chart.svg)");
    expect(section).toContain("- awscreds is ahead here.");
    expect(section).toContain("- **Missing:** the SQS helper's bench");
    expect(section.indexOf("*Method.*")).toBeLessThan(section.indexOf("| SDK |"));
  });

  it("lists the bars with a verdict and reports a scenario that did not complete", () => {
    expect(md).toContain("| Per-call cost at most the SDK's | 95 ns vs 412 ns | met |");
    expect(md).toContain("## 7. SQS");
    expect(md).toContain("**Did not complete:** Error: module not found");
  });

  it("flags quick runs as indicative", () => {
    expect(renderReport({ machine, quick: true, totalMs: 1, outcomes: [] })).toContain("**Quick mode**");
  });
});

describe("barsTable and renderConsole", () => {
  it("says when a bar could not be measured or was not met", () => {
    const t = barsTable([
      { bar: "a", measured: "x", met: undefined },
      { bar: "b", measured: "y", met: false },
    ]);
    expect(t.rows.map((r) => r[2])).toEqual(["not measured", "NOT met"]);
  });

  it("prints tables as text, with notes, gaps and errors", () => {
    const text = renderConsole(ok) + renderConsole(failed);
    expect(text).toContain("== 4. Hot path (1.2 s)");
    expect(text).toContain("SDK       412 ns");
    expect(text).toContain("! missing: the SQS helper's bench");
    expect(text).toContain("did not complete: Error: module not found");
  });

  it("keeps the machine line on one line", () => {
    expect(machineLine(machine)).not.toContain("\n");
  });
});
