/**
 * Every environment read of the sources goes through here, so a service can hand in its own variables
 * (`env` option) instead of mutating `process.env`.
 */

/** Environment variables as the sources read them: `process.env` or anything shaped like it. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/** The `env` option: the variables to read instead of `process.env`. */
export interface EnvOption {
  /**
   * Variables read instead of `process.env` (e.g. a validated config object). Default: `process.env`,
   * read at the time each value is needed.
   */
  env?: EnvVars;
}

/** The variables to read: the given ones, or the live `process.env`. */
export function resolveEnv(env: EnvVars | undefined): EnvVars {
  return env ?? process.env;
}

/**
 * A variable's value with surrounding whitespace removed; `undefined` when unset or blank, because a
 * variable exported as `""` (a common templating accident) means "not configured", not "empty value".
 */
export function readVar(env: EnvVars, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * A boolean variable as the AWS SDKs read it (`AWS_USE_FIPS_ENDPOINT`, `AWS_EC2_METADATA_DISABLED`):
 * true only for `true` in any case, so unset, blank, `false` or a typo all mean false.
 *
 * @example
 * ```ts
 * readBoolVar({ AWS_EC2_METADATA_DISABLED: " TRUE " }, "AWS_EC2_METADATA_DISABLED"); // true
 * readBoolVar({ AWS_USE_FIPS_ENDPOINT: "1" }, "AWS_USE_FIPS_ENDPOINT"); // false
 * ```
 */
export function readBoolVar(env: EnvVars, name: string): boolean {
  return readVar(env, name)?.toLowerCase() === "true";
}

/** The first non-blank value among an option and environment variables, with where it came from. */
export function firstSet(
  option: { name: string; value: string | undefined },
  env: EnvVars,
  ...variables: string[]
): { value: string; from: string } | undefined {
  const fromOption = option.value?.trim();
  if (fromOption) return { value: fromOption, from: `the ${option.name} option` };
  for (const name of variables) {
    const value = readVar(env, name);
    if (value !== undefined) return { value, from: name };
  }
  return undefined;
}
