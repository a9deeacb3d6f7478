/**
 * The human rendering of a doctor report: sections, aligned, wrapped to the terminal, coloured by the
 * given style (plain when it is off). Renders only report fields, which hold no secrets.
 */
import type { SourceState } from "../../sources/describe.js";
import { wrapText } from "../layout.js";
import type { Style } from "../style.js";
import { formatMs, formatSeconds, relativeTo } from "../time-format.js";
import type { DoctorReport } from "./report.js";

export interface RenderOptions {
  style: Style;
  /** Columns to wrap at. */
  width: number;
  /** Epoch ms, for relative times. */
  now: number;
}

/**
 * The report as text, ending with the verdict.
 *
 * @example
 * ```ts
 * process.stdout.write(renderDoctorReport(report, { style: makeStyle(false), width: 100, now: Date.now() }));
 * ```
 */
export function renderDoctorReport(report: DoctorReport, options: RenderOptions): string {
  const { style: s, width, now } = options;
  const out: string[] = [];
  const LABEL = 14;
  const field = (label: string, value: string): void => {
    const head = `  ${label.padEnd(LABEL)}`;
    out.push(head + wrapText(value, { width, firstWidth: width - head.length, indent: " ".repeat(head.length) }));
  };
  const heading = (title: string): void => void out.push("", s.bold(title));

  out.push(`${s.bold("awscreds doctor")} ${s.dim(`· awscreds ${report.awscredsVersion} · node ${process.version}`)}`);
  out.push("");
  const app = report.appEnv;
  if (app.mode === null) {
    field("APP_ENV", s.red(app.value === "" ? "blank (set, but empty or only whitespace)" : "not set"));
  } else {
    const mode = app.mode === "deployed" ? s.cyan("deployed mode") : s.cyan("local mode");
    field("APP_ENV", `"${app.value}" (${app.from}) → ${mode} ${s.dim(`(deployed: ${app.deployedEnvs.join(", ") || "none"})`)}`);
  }
  const p = report.platform;
  field(
    "Platform",
    [
      p.name !== null ? `${p.name}${p.evidence.length > 0 ? ` (${p.evidence.join(", ")} set)` : ""}` : undefined,
      p.kubernetes && p.evidence.includes("KUBERNETES_SERVICE_HOST") ? undefined : p.kubernetes ? "Kubernetes (KUBERNETES_SERVICE_HOST set)" : undefined,
      p.containerCredentials ? "container credentials endpoint configured" : undefined,
      p.region ? `region ${p.region} (${p.regionFrom})` : "no region set",
    ]
      .filter((x) => x !== undefined)
      .join(" · "),
  );

  if (report.sources.length > 0) {
    heading("Credential sources, in chain order");
    const marks: Record<SourceState, string> = {
      chosen: s.green("✓"),
      candidate: s.cyan("→"),
      failed: s.red("✗"),
      skipped: s.dim("-"),
      unused: s.dim("·"),
    };
    const nameWidth = Math.max(...report.sources.map((x) => x.source.length));
    const stateWidth = Math.max(...report.sources.map((x) => x.state.length));
    for (const source of report.sources) {
      const head = `  ${marks[source.state]} ${source.source.padEnd(nameWidth)}  ${source.state.padEnd(stateWidth)}  `;
      const indent = " ".repeat(4 + nameWidth + 2 + stateWidth + 2);
      // A reason that is the verdict's own is said once, at the end.
      const reason = source.reason === report.verdict.reason ? s.dim("(see the verdict below)") : source.reason;
      out.push(head + wrapText(reason, { width, firstWidth: width - indent.length, indent }));
      const details = Object.entries(source.details);
      if (details.length > 0) {
        out.push(indent + s.dim(wrapText(details.map(([k, v]) => `${k}=${v}`).join(" · "), { width: width, firstWidth: width - indent.length, indent })));
      }
    }
  }

  if (report.stsEndpoint) {
    heading("STS endpoint (web identity)");
    const sts = report.stsEndpoint;
    if (sts.url) {
      field("endpoint", sts.url);
      field("why", s.dim(sts.reason));
      if (sts.failover) {
        field("failover", `${sts.failover.endpoints.map((e) => e.url ?? e.region).join(", then ")} ${s.dim(`(${sts.failover.from}; on 5xx, throttling, network errors and timeouts)`)}`);
      }
      if (sts.inUse) {
        field("in use", sts.inUse.url ?? "(none yet)");
        field("breakers", sts.inUse.breakers);
      }
    } else {
      field("endpoint", s.red(`none: ${sts.problem ?? sts.reason}`));
    }
  }

  const token = report.webIdentityToken;
  if (token) {
    heading("Web identity token");
    field("file", `${token.path} (${token.from})`);
    if (token.modifiedAt !== null && token.ageSeconds !== null) field("file age", `${formatSeconds(token.ageSeconds)} (written ${token.modifiedAt})`);
    const c = token.claims;
    if (c) {
      field("audience", c.audience.join(", ") || "(none)");
      field("subject", c.subject ?? "(none)");
      field("issuer", c.issuer ?? "(none)");
      if (c.expiresAt) field("expires", `${c.expiresAt} (${c.expired ? s.red(`expired ${relativeTo(c.expiresAt, now)}`) : relativeTo(c.expiresAt, now)})`);
      out.push(`  ${s.dim("(decoded, not verified; the token itself is never shown)")}`);
    }
    if (token.problem) field("problem", s.red(token.problem));
  }

  if (report.imds) {
    heading("Instance metadata (IMDSv2)");
    const i = report.imds;
    const state = i.roleName ? `reachable, instance role "${i.roleName}"` : i.reachable ? "reachable, no role" : "not reachable";
    field("endpoint", `${i.endpoint} ${s.dim(`(probed in ${formatMs(i.durationMs)})`)}`);
    field("state", `${state}${i.problem && !i.roleName ? s.dim(` — ${i.problem}`) : ""}`);
  }

  if (report.resolve || report.whoami || report.assumeRole) heading("Checks");
  const r = report.resolve;
  if (r) {
    if (r.ok) {
      const parts = [
        `${s.green("✓")} ${r.source ?? "?"} in ${formatMs(r.durationMs)}`,
        r.expiration ? `expires ${r.expiration} (${relativeTo(r.expiration, now)})` : "no expiration",
        r.accessKeyId ? `key ${r.accessKeyId}` : undefined,
        r.accountId ? `account ${r.accountId}` : undefined,
      ].filter((x) => x !== undefined);
      field("resolve", parts.join(" · "));
    } else {
      field("resolve", `${s.red("✗")} failed after ${formatMs(r.durationMs)}: ${r.error}`);
    }
  }
  const w = report.whoami;
  if (w) {
    if (w.ok) field("whoami", `${s.green("✓")} ${w.arn} · account ${w.account} · via ${w.endpoint} in ${formatMs(w.durationMs ?? 0)}`);
    else field("whoami", `${s.red("✗")} ${w.error}${w.endpoint ? ` (${w.endpoint})` : ""}`);
  }
  const c = report.clock;
  if (c) {
    const sign = c.offsetMs >= 0 ? "+" : "−";
    const offset = `${sign}${formatMs(Math.abs(c.offsetMs))} ± ${formatMs(c.uncertaintyMs)}`;
    const said =
      Math.abs(c.offsetMs) <= c.uncertaintyMs
        ? `in step with STS (offset ${offset})`
        : `this clock is ${formatMs(Math.abs(c.offsetMs))} ${c.offsetMs > 0 ? "behind" : "ahead of"} STS's (${offset})`;
    const sdk = c.sdkSystemClockOffsetMs !== 0 ? ` · SDK client offset ${formatMs(c.sdkSystemClockOffsetMs)}` : "";
    field("clock", `${c.skewed ? s.red(said) : said}${sdk} ${s.dim(`(${c.measuredAgainst})`)}`);
  }
  const a = report.assumeRole;
  if (a) {
    const chained = a.roleChaining ? " · role chaining (at most 3600 s)" : "";
    if (a.ok) field("assume role", `${s.green("✓")} ${a.roleArn}${a.externalId ? ` with ExternalId ${a.externalId}` : ""} · via ${a.endpoint} in ${formatMs(a.durationMs ?? 0)}${chained}`);
    else field("assume role", `${s.red("✗")} ${a.error}`);
  }

  if (report.warnings.length > 0) {
    heading(s.yellow(`Warnings (${report.warnings.length})`));
    for (const warning of report.warnings) {
      out.push(`  ${s.yellow("!")} ${s.bold(warning.code)}`);
      out.push(`    ${wrapText(warning.message, { width, firstWidth: width - 4, indent: "    " })}`);
    }
  }
  if (report.notes.length > 0) {
    heading("Notes");
    for (const note of report.notes) out.push(`  · ${wrapText(note, { width, firstWidth: width - 4, indent: "    " })}`);
  }

  out.push("");
  const v = report.verdict;
  const basis = v.basis === "verified" ? "" : s.dim(" (predicted)");
  const title = v.ok
    ? s.green(s.bold(v.basis === "verified" ? "✓ Credentials resolve" : "✓ Credentials would resolve"))
    : s.red(
        s.bold(
          v.basis === "predicted"
            ? "✗ Credentials would not resolve"
            : report.resolve?.ok
              ? "✗ Credentials resolve, but GetCallerIdentity fails"
              : "✗ Credentials do not resolve",
        ),
      );
  out.push(`${title}${basis}${v.source ? s.dim(` — source: ${v.source}`) : ""}`);
  out.push(`  ${wrapText(v.reason, { width, firstWidth: width - 2, indent: "  " })}`);
  return `${out.join("\n")}\n`;
}

