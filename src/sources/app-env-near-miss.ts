/**
 * "Did you mean production?": an `APP_ENV` that means local mode but is close to a deployed name (`prod`,
 * `prd`, `stage`, `productoin`, `production-eu`) is most likely a deployed environment misnamed, and local
 * mode there means environment keys instead of the workload identity. Pure.
 */

/** Short forms teams use that no edit distance finds. */
const ABBREVIATIONS: Readonly<Record<string, string>> = Object.freeze({ prd: "production", prod: "production", stg: "staging", stage: "staging", int: "integration" });

/** Names that mean a developer's machine: never "close" to a deployed one, whatever the distance. */
const LOCAL_NAMES = new Set(["local", "dev", "development", "test", "testing", "ci", "localstack", "laptop", "sandbox"]);

/**
 * Whether `name` is one teams give a developer's machine or a test run (`local`, `dev`, `test`, `ci`…):
 * advice must never be to make such a name deployed.
 *
 * @example
 * ```ts
 * isLocalName(" Local "); // true
 * ```
 */
export function isLocalName(name: string): boolean {
  return LOCAL_NAMES.has(name.trim().toLowerCase());
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment), capped use: short names only. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The deployed name `appEnv` most likely meant, or undefined. Only for a name that is not deployed already
 * (callers ask in local mode). Close means: a known short form (`prod`, `prd`, `stg`, `stage`, `int`), also as
 * the leading word (`prod-eu`); a prefix of at least 3 letters (`produ`) or a name that starts with the
 * deployed one (`production-eu`); or at most 2 edits for names of 5 letters or more (`prodcution`, `staigng`).
 *
 * @example
 * ```ts
 * nearDeployedName("prod", ["production", "staging"]);  // "production"
 * nearDeployedName("local", ["production", "staging"]); // undefined
 * ```
 */
export function nearDeployedName(appEnv: string, deployedEnvs: readonly string[]): string | undefined {
  const name = appEnv.trim().toLowerCase();
  if (name === "" || LOCAL_NAMES.has(name) || deployedEnvs.includes(name)) return undefined;
  // `prod-eu`, `stg_2`: the leading word is what a short form looks like.
  const head = name.split(/[-_.:/ ]/)[0] ?? name;
  for (const word of new Set([name, head])) {
    const abbreviation = ABBREVIATIONS[word];
    if (abbreviation !== undefined && deployedEnvs.includes(abbreviation)) return abbreviation;
  }
  for (const deployed of deployedEnvs) {
    if (name.length >= 3 && deployed.startsWith(name)) return deployed;
    // `production-eu`, or a deployed name that is a short form (deployedEnvs: ["prod"]) and an APP_ENV that spells it out.
    if (deployed.length >= 3 && name.startsWith(deployed)) return deployed;
  }
  let best: { name: string; distance: number } | undefined;
  for (const deployed of deployedEnvs) {
    if (Math.min(name.length, deployed.length) < 5) continue;
    const distance = editDistance(name, deployed);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: deployed, distance };
  }
  return best?.name;
}

/**
 * The sentence errors, logs and doctor add, or undefined.
 *
 * @example
 * ```ts
 * nearMissHint("prod", ["production"], "APP_ENV");
 * // 'APP_ENV="prod" is not a deployed environment name, so this is local mode: did you mean production? …'
 * ```
 */
export function nearMissHint(appEnv: string, deployedEnvs: readonly string[], from: string): string | undefined {
  const meant = nearDeployedName(appEnv, deployedEnvs);
  if (meant === undefined) return undefined;
  return (
    `${from}="${appEnv}" is not a deployed environment name (${deployedEnvs.join(", ")}), so this is local mode: did you mean ${meant}? ` +
    `Deployed mode uses the workload's identity; local mode uses only AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`
  );
}
