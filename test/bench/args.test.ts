import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../../bench/lib/args.js";

const scenarios = [
  { id: 1, key: "steady" },
  { id: 2, key: "outage" },
  { id: 6, key: "fleet" },
];

describe("parseBenchArgs", () => {
  it("runs everything and writes the committed results by default", () => {
    expect(parseBenchArgs([], scenarios)).toEqual({ quick: false, only: [1, 2, 6], write: true, outDir: "bench/results", list: false, help: false });
  });

  it("selects scenarios by number or name, comma-separated or repeated, in id order", () => {
    expect(parseBenchArgs(["--only", "fleet,1"], scenarios).only).toEqual([1, 6]);
    expect(parseBenchArgs(["--only", "2", "--only", "STEADY"], scenarios).only).toEqual([1, 2]);
  });

  it("does not overwrite latest.md from a quick or partial run unless asked", () => {
    expect(parseBenchArgs(["--quick"], scenarios).write).toBe(false);
    expect(parseBenchArgs(["--only", "1"], scenarios).write).toBe(false);
    expect(parseBenchArgs(["--only", "1", "--write"], scenarios).write).toBe(true);
    expect(parseBenchArgs(["--no-write"], scenarios).write).toBe(false);
    expect(parseBenchArgs(["--only", "1,2,6"], scenarios).write).toBe(true);
  });

  it("rejects unknown scenarios and options with a message naming the known ones", () => {
    expect(() => parseBenchArgs(["--only", "9"], scenarios)).toThrow(/unknown scenario "9"; known: 1 \(steady\), 2 \(outage\), 6 \(fleet\)/);
    expect(() => parseBenchArgs(["--fast"], scenarios)).toThrow(/fast/);
    expect(() => parseBenchArgs(["--write", "--no-write"], scenarios)).toThrow(/contradict/);
  });

  it("takes an output directory", () => {
    expect(parseBenchArgs(["--out", "/tmp/x"], scenarios).outDir).toBe("/tmp/x");
  });
});
