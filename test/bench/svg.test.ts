import { describe, expect, it } from "vitest";
import { decadeLabel, escapeXml, niceStep, renderLatencyChart, type LatencySample } from "../../bench/lib/svg.js";

function sawtooth(durationMs: number, stallEveryMs: number): LatencySample[] {
  const out: LatencySample[] = [];
  for (let t = 0; t < durationMs; t += 2) out.push({ t, ms: t % stallEveryMs < 300 ? 300 - (t % stallEveryMs) : 0.004 });
  return out;
}

describe("renderLatencyChart", () => {
  const svg = renderLatencyChart({
    title: "Credential resolution latency <steady load>",
    subtitle: "STS 300 ms & 500/s",
    durationMs: 20_000,
    panels: [
      { title: "SDK: fromTokenFile", side: "sdk", samples: sawtooth(20_000, 2300), caption: "> 50 ms: 12 %" },
      { title: "awscreds: createRefresher", side: "awscreds", samples: sawtooth(20_000, 1e9).map((s) => ({ ...s, ms: 0.003 })) },
      { title: "SDK: fromNodeProviderChain", side: "sdk", samples: [], failures: [1000, 2000] },
    ],
  });

  it("is one well-formed SVG document with a title and escaped text", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("<title>Credential resolution latency &lt;steady load&gt;</title>");
    expect(svg).toContain("STS 300 ms &amp; 500/s");
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    // Every opened element is closed or self-closing.
    const opened = (svg.match(/<(g|svg|style|title|text)[\s>]/g) ?? []).length;
    const closed = (svg.match(/<\/(g|svg|style|title|text)>/g) ?? []).length;
    expect(closed).toBe(opened);
  });

  it("lays panels out in a grid, SDK and awscreds side by side, in their own colours", () => {
    expect(svg).toMatch(/width="940" height="527"/);
    expect(svg).toContain('stroke="#d95f02"');
    expect(svg).toContain('stroke="#1b9e77"');
    expect(svg).toContain("SDK: fromTokenFile");
    expect(svg).toContain("awscreds: createRefresher");
    expect(svg).toContain("&gt; 50 ms: 12 %");
  });

  it("draws a log axis from 1 µs to at least 1 s, the 50 ms threshold and failure ticks", () => {
    for (const label of ["1 µs", "1 ms", "100 ms", "1 s"]) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain(">50 ms</text>");
    expect(svg).toContain('class="fail"');
    expect(svg).toContain(">20 s</text>");
  });

  it("stays small: one bar per time bucket, not one element per sample", () => {
    expect(svg.length).toBeLessThan(60_000);
  });

  it("is deterministic", () => {
    const a = renderLatencyChart({ title: "t", panels: [{ title: "p", side: "sdk", samples: [{ t: 0, ms: 1 }, { t: 5, ms: 300 }] }] });
    const b = renderLatencyChart({ title: "t", panels: [{ title: "p", side: "sdk", samples: [{ t: 0, ms: 1 }, { t: 5, ms: 300 }] }] });
    expect(a).toBe(b);
  });

  it("renders an empty chart without failing", () => {
    const empty = renderLatencyChart({ title: "nothing", panels: [] });
    expect(empty).toContain("<title>nothing</title>");
    expect(empty).not.toMatch(/NaN|Infinity/);
  });
});

describe("axis helpers", () => {
  it("labels decades of milliseconds", () => {
    expect(decadeLabel(-4)).toBe("100 ns");
    expect(decadeLabel(-3)).toBe("1 µs");
    expect(decadeLabel(-1)).toBe("100 µs");
    expect(decadeLabel(0)).toBe("1 ms");
    expect(decadeLabel(2)).toBe("100 ms");
    expect(decadeLabel(4)).toBe("10 s");
  });

  it("picks 1-2-5 steps", () => {
    expect(niceStep(20_000, 5)).toBe(5000);
    expect(niceStep(9_000, 5)).toBe(2000);
    expect(niceStep(1_000, 4)).toBe(500);
    expect(niceStep(0, 5)).toBe(1);
  });

  it("escapes every XML special character", () => {
    expect(escapeXml(`a < b & "c" 'd' >`)).toBe("a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt;");
  });
});
