/**
 * A hand-rolled SVG chart of per-resolution latency over time, one panel per provider, laid out in a grid
 * so the SDK default and awscreds sit side by side. No chart dependency: the file is small enough to commit
 * (samples are reduced to one min–max bar per time bucket) and renders on GitHub.
 */

/** One credential resolution: when it started (ms since the run began) and how long it took (ms). */
export interface LatencySample {
  t: number;
  ms: number;
}

export interface LatencyPanel {
  /** E.g. `SDK: fromTokenFile` or `awscreds: createRefresher(fromRegionalWebIdentity)`. */
  title: string;
  /** Picks the colour: the SDK default in orange, awscreds in teal. */
  side: "sdk" | "awscreds";
  samples: readonly LatencySample[];
  /** Start times (ms) of resolutions that failed; drawn as red ticks along the top. */
  failures?: readonly number[];
  /** Short text under the title, e.g. `> 50 ms: 12.9 % · p99 305 ms`. */
  caption?: string;
}

export interface LatencyChartOptions {
  title: string;
  /** Lines under the title (split long text yourself; SVG text does not wrap). */
  subtitle?: string | readonly string[];
  panels: readonly LatencyPanel[];
  /** Panels per row. Default 2. */
  columns?: number;
  /** Horizontal dashed line (ms). Default 50. */
  thresholdMs?: number;
  /** X range (ms). Default: the latest sample. */
  durationMs?: number;
  panelWidth?: number;
  panelHeight?: number;
}

const COLORS = { sdk: "#d95f02", awscreds: "#1b9e77" } as const;
const MARGIN = { left: 58, right: 12, top: 44, bottom: 34 } as const;
/** Height of the title block above the panels, for a number of subtitle lines. */
function headerHeight(subtitleLines: number): number {
  return 32 + 15 * subtitleLines;
}

/**
 * Escapes text for SVG element content and attribute values.
 *
 * @example
 * ```ts
 * escapeXml(`a < b & "c"`); // "a &lt; b &amp; &quot;c&quot;"
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/**
 * Label of a power of ten milliseconds (`1 µs`, `100 ms`, `1 s`).
 *
 * @example
 * ```ts
 * decadeLabel(-3); // "1 µs"
 * decadeLabel(2); // "100 ms"
 * ```
 */
export function decadeLabel(exponent: number): string {
  const ms = 10 ** exponent;
  if (exponent < -3) return `${Math.round(ms * 1e6)} ns`;
  if (exponent < 0) return `${Math.round(ms * 1000)} µs`;
  if (exponent < 3) return `${Math.round(ms)} ms`;
  return `${Math.round(ms / 1000)} s`;
}

/**
 * A "nice" step (1, 2 or 5 times a power of ten) giving at most `maxTicks` ticks over `span`.
 *
 * @example
 * ```ts
 * niceStep(20_000, 5); // 5000
 * ```
 */
export function niceStep(span: number, maxTicks: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, maxTicks);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** Fixed one-decimal coordinates keep the file small and the output deterministic. */
function n(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

interface Scale {
  x(t: number): number;
  y(ms: number): number;
}

function renderPanel(panel: LatencyPanel, ox: number, oy: number, w: number, h: number, scale: Scale, ctx: {
  lowExp: number;
  highExp: number;
  durationMs: number;
  thresholdMs: number;
  bucketMs: number;
}): string {
  const parts: string[] = [];
  const plotLeft = ox + MARGIN.left;
  const plotTop = oy + MARGIN.top;
  const plotW = w - MARGIN.left - MARGIN.right;
  const plotH = h - MARGIN.top - MARGIN.bottom;
  parts.push(`<g>`);
  parts.push(`<text x="${n(ox + 12)}" y="${n(oy + 16)}" class="pt">${escapeXml(panel.title)}</text>`);
  if (panel.caption) parts.push(`<text x="${n(ox + 12)}" y="${n(oy + 32)}" class="cap">${escapeXml(panel.caption)}</text>`);
  parts.push(`<rect x="${n(plotLeft)}" y="${n(plotTop)}" width="${n(plotW)}" height="${n(plotH)}" class="frame"/>`);

  // Decade grid and labels on the log axis.
  for (let e = ctx.lowExp; e <= ctx.highExp; e += 1) {
    const y = scale.y(10 ** e) + plotTop;
    parts.push(`<line x1="${n(plotLeft)}" x2="${n(plotLeft + plotW)}" y1="${n(y)}" y2="${n(y)}" class="grid"/>`);
    parts.push(`<text x="${n(plotLeft - 6)}" y="${n(y + 4)}" class="yl">${escapeXml(decadeLabel(e))}</text>`);
  }
  const step = niceStep(ctx.durationMs, 5);
  for (let t = 0; t <= ctx.durationMs + 1e-9; t += step) {
    const x = scale.x(t) + plotLeft;
    parts.push(`<line x1="${n(x)}" x2="${n(x)}" y1="${n(plotTop + plotH)}" y2="${n(plotTop + plotH + 4)}" class="axis"/>`);
    parts.push(`<text x="${n(x)}" y="${n(plotTop + plotH + 16)}" class="xl">${escapeXml(`${Number((t / 1000).toFixed(3))} s`)}</text>`);
  }

  // One vertical min–max bar per time bucket.
  const buckets = new Map<number, { min: number; max: number }>();
  for (const s of panel.samples) {
    const key = Math.floor(s.t / ctx.bucketMs);
    const b = buckets.get(key);
    if (b) {
      if (s.ms < b.min) b.min = s.ms;
      if (s.ms > b.max) b.max = s.ms;
    } else buckets.set(key, { min: s.ms, max: s.ms });
  }
  const segments: string[] = [];
  for (const [key, b] of [...buckets.entries()].sort((a, c) => a[0] - c[0])) {
    const x = plotLeft + scale.x((key + 0.5) * ctx.bucketMs);
    const yLow = plotTop + scale.y(b.min);
    const yHigh = plotTop + scale.y(b.max);
    // A bucket whose values are all equal still gets a visible 1.5 px mark.
    const top = Math.min(yHigh, yLow - 1.5);
    segments.push(`M${n(x)} ${n(yLow)}V${n(top)}`);
  }
  if (segments.length > 0) {
    parts.push(`<path d="${segments.join("")}" stroke="${COLORS[panel.side]}" class="bars"/>`);
  }

  const yThreshold = plotTop + scale.y(ctx.thresholdMs);
  parts.push(`<line x1="${n(plotLeft)}" x2="${n(plotLeft + plotW)}" y1="${n(yThreshold)}" y2="${n(yThreshold)}" class="thr"/>`);
  parts.push(`<text x="${n(plotLeft + plotW - 4)}" y="${n(yThreshold - 4)}" class="thl">${escapeXml(`${ctx.thresholdMs} ms`)}</text>`);

  if (panel.failures && panel.failures.length > 0) {
    const ticks = panel.failures.map((t) => `M${n(plotLeft + scale.x(t))} ${n(plotTop)}v6`).join("");
    parts.push(`<path d="${ticks}" class="fail"/>`);
  }
  parts.push(`</g>`);
  return parts.join("\n");
}

/**
 * Renders the chart as a standalone SVG document. The y axis is logarithmic (decades of milliseconds),
 * shared by every panel, so a microsecond cache hit and a 300 ms STS wait are both visible.
 *
 * @example
 * ```ts
 * const svg = renderLatencyChart({
 *   title: "Credential resolution latency",
 *   panels: [
 *     { title: "SDK: fromTokenFile", side: "sdk", samples: [{ t: 0, ms: 310 }, { t: 2, ms: 0.004 }] },
 *     { title: "awscreds: createRefresher", side: "awscreds", samples: [{ t: 0, ms: 0.003 }] },
 *   ],
 * });
 * await writeFile("chart.svg", svg);
 * ```
 */
export function renderLatencyChart(options: LatencyChartOptions): string {
  const columns = Math.max(1, options.columns ?? 2);
  const w = options.panelWidth ?? 470;
  const h = options.panelHeight ?? 240;
  const thresholdMs = options.thresholdMs ?? 50;
  const panels = options.panels;
  const rows = Math.max(1, Math.ceil(panels.length / columns));
  const subtitle = options.subtitle === undefined ? [] : typeof options.subtitle === "string" ? [options.subtitle] : options.subtitle;
  const header = headerHeight(subtitle.length);
  const width = columns * w;
  const height = header + rows * h;

  let maxT = 0;
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = 0;
  for (const p of panels) {
    for (const s of p.samples) {
      if (s.t > maxT) maxT = s.t;
      if (s.ms > 0 && s.ms < minMs) minMs = s.ms;
      if (s.ms > maxMs) maxMs = s.ms;
    }
    for (const t of p.failures ?? []) if (t > maxT) maxT = t;
  }
  const durationMs = options.durationMs ?? Math.max(1, maxT);
  // Always show the threshold and at least 1 µs .. 1 s, so charts of different runs compare at a glance.
  const lowExp = Math.min(-3, Math.floor(Math.log10(Number.isFinite(minMs) ? minMs : 1e-3)));
  const highExp = Math.max(3, Math.ceil(Math.log10(Math.max(maxMs, thresholdMs))));
  const plotW = w - MARGIN.left - MARGIN.right;
  const plotH = h - MARGIN.top - MARGIN.bottom;
  const scale: Scale = {
    x: (t) => (Math.min(Math.max(t, 0), durationMs) / durationMs) * plotW,
    y: (ms) => {
      const e = Math.log10(Math.max(ms, 10 ** lowExp));
      return plotH - ((Math.min(e, highExp) - lowExp) / (highExp - lowExp)) * plotH;
    },
  };
  // About one bar per pixel column.
  const bucketMs = Math.max(1, durationMs / Math.max(1, Math.floor(plotW)));

  const body = panels.map((panel, i) => {
    const ox = (i % columns) * w;
    const oy = header + Math.floor(i / columns) * h;
    return renderPanel(panel, ox, oy, w, h, scale, { lowExp, highExp, durationMs, thresholdMs, bucketMs });
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<style>`,
    `.pt{font-size:12.5px;font-weight:600;fill:#222}.cap{font-size:11px;fill:#555}`,
    `.yl{font-size:10px;fill:#555;text-anchor:end}.xl{font-size:10px;fill:#555;text-anchor:middle}`,
    `.frame{fill:#fff;stroke:#bbb}.grid{stroke:#eee}.axis{stroke:#999}`,
    `.bars{fill:none;stroke-width:1.2}.thr{stroke:#c00;stroke-dasharray:4 3;stroke-width:1}`,
    `.thl{font-size:10px;fill:#c00;text-anchor:end}.fail{stroke:#c00;stroke-width:1}`,
    `.h1{font-size:15px;font-weight:700;fill:#111}.h2{font-size:11px;fill:#444}`,
    `</style>`,
    `<rect width="${width}" height="${height}" fill="#fafafa"/>`,
    `<text x="12" y="20" class="h1">${escapeXml(options.title)}</text>`,
    ...subtitle.map((line, i) => `<text x="12" y="${38 + 15 * i}" class="h2">${escapeXml(line)}</text>`),
    ...body,
    `</svg>`,
  ]
    .filter((line) => line !== "")
    .join("\n")
    .concat("\n");
}
