import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { CredentialStore, type KnownCredentials } from "./core/credential-store.js";
import type { FakeContext } from "./core/context.js";
import type { FakeServiceHandle } from "./core/fake-service.js";
import { makeFakeWebIdentityToken, type FakeTokenClaims } from "./core/jwt.js";
import { startFakeSts, type FakeStsHandle, type FakeStsOptions } from "./sts/service.js";
import { startFakeSqs, type FakeSqsHandle, type FakeSqsOptions } from "./sqs/service.js";
import { startFakeImds, type FakeImdsHandle, type FakeImdsOptions } from "./imds/service.js";
import { startFakeContainer, type FakeContainerHandle, type FakeContainerOptions } from "./container/service.js";

export interface StartFakeAwsOptions {
  /** Region the fakes claim to be in (SQS queue URLs, `AWS_REGION` in `env`). Default `us-east-1`. */
  region?: string;
  /** Account id of issued credentials and queue URLs. Default `123456789012`. */
  accountId?: string;
  sts?: FakeStsOptions;
  sqs?: FakeSqsOptions;
  imds?: FakeImdsOptions;
  container?: FakeContainerOptions;
}

/** The running fakes. Close it when done: `await fake.close()` (or `await using fake = ...`). */
export interface FakeAws {
  readonly sts: FakeStsHandle;
  readonly sqs: FakeSqsHandle;
  readonly imds: FakeImdsHandle;
  readonly container: FakeContainerHandle;
  readonly region: string;
  readonly accountId: string;
  /**
   * Environment variables that point the SDK's own providers and clients at the fakes:
   * `AWS_REGION`, `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_SQS`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
   * `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Registers long-lived static keys (AKIA…) that the SigV4-verifying fakes accept. */
  registerStaticKeys(init?: { accessKeyId?: string; secretAccessKey?: string; arn?: string }): KnownCredentials;
  /** Marks credentials as expired now: SQS then rejects them with `ExpiredToken`. */
  expireCredentials(accessKeyId: string): void;
  /**
   * Writes a web identity token (an unsigned JWT, as EKS projects) to a file the fake removes on close.
   * Call again with the same `path` to rotate it. Returns the path.
   */
  writeWebIdentityToken(init?: { path?: string; token?: string; claims?: FakeTokenClaims }): Promise<string>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts wire-faithful fakes of STS, SQS, IMDSv2 and the container credentials endpoint on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { startFakeAws } from "awscreds/testing";
 * import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
 *
 * const fake = await startFakeAws();
 * const keys = fake.registerStaticKeys();
 * const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials: keys });
 * console.log(await sts.send(new GetCallerIdentityCommand({})));
 * await fake.close();
 * ```
 */
export async function startFakeAws(options: StartFakeAwsOptions = {}): Promise<FakeAws> {
  const context: FakeContext = {
    store: new CredentialStore(),
    region: options.region ?? "us-east-1",
    accountId: options.accountId ?? "123456789012",
    now: Date.now,
  };
  const started: { close(): Promise<void> }[] = [];
  let tokenDir: string | undefined;
  try {
    const sts = await startFakeSts(context, options.sts);
    started.push(sts);
    const sqs = await startFakeSqs(context, options.sqs);
    started.push(sqs);
    const imds = await startFakeImds(context, options.imds);
    started.push(imds);
    const container = await startFakeContainer(context, options.container);
    started.push(container);

    const env: Record<string, string> = {
      AWS_REGION: context.region,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: container.credentialsUrl,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: container.authorizationToken,
    };

    let closed: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closed ??= (async () => {
        await Promise.allSettled(started.map((s) => s.close()));
        if (tokenDir) await rm(tokenDir, { recursive: true, force: true });
      })();
      return closed;
    };

    return {
      sts,
      sqs,
      imds,
      container,
      region: context.region,
      accountId: context.accountId,
      env: Object.freeze(withMaskedInspect(env, ["AWS_CONTAINER_AUTHORIZATION_TOKEN"])),
      registerStaticKeys(init = {}) {
        const accessKeyId = init.accessKeyId ?? `AKIA${crypto.randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase()}`;
        return context.store.add({
          accessKeyId,
          secretAccessKey: init.secretAccessKey ?? crypto.randomUUID(),
          arn: init.arn ?? `arn:aws:iam::${context.accountId}:user/fake-user`,
          account: context.accountId,
          issuer: "static",
        });
      },
      expireCredentials(accessKeyId) {
        context.store.expire(accessKeyId, context.now());
      },
      async writeWebIdentityToken(init = {}) {
        tokenDir ??= await mkdtemp(join(tmpdir(), "awscreds-fake-token-"));
        const path = init.path ?? join(tokenDir, "token");
        await writeFile(path, init.token ?? makeFakeWebIdentityToken(init.claims, context.now()), { mode: 0o600 });
        return path;
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw error;
  }
}

/**
 * `vars` with `util.inspect` (console.log, test reporters' diffs) showing `masked` names as `<redacted>`.
 * The values stay readable and enumerable: the environment is meant to be handed to providers and child
 * processes; it is only logging it whole that should not print a credential.
 */
function withMaskedInspect(vars: Record<string, string>, masked: readonly string[]): Record<string, string> {
  Object.defineProperty(vars, inspect.custom, {
    enumerable: false,
    value: (_depth: number, options: object): string =>
      inspect(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, masked.includes(k) ? "<redacted>" : v])), options),
  });
  return vars;
}

export type { FakeServiceHandle };
