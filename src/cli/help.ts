/**
 * Help texts. Kept next to each other so the top-level summary and each subcommand's help agree.
 */

export const TOP_HELP = `awscreds — AWS credentials for long-running Node.js services, checked and demonstrated

Usage
  awscreds <command> [options]

Commands
  doctor    Explain which credentials this environment would use, and why; warn about known traps
  demo      Run a service against a local fake AWS: awscreds beside the SDK's defaults (no AWS account)
  fake      Serve the fake STS and SQS on one port for local development (a LocalStack replacement)

Options
  -h, --help       Show help (also: awscreds <command> --help, awscreds help <command>)
  -v, --version    Print the awscreds version

Exit codes
  0  success (doctor: credentials would resolve)
  1  doctor: credentials would not resolve, or --resolve/--whoami failed; demo: requests of the awscreds side failed
  2  usage error (unknown command or option, bad value)
`;

export const DOCTOR_HELP = `awscreds doctor — explain which credentials this environment would use

Usage
  awscreds doctor [--json] [--resolve] [--whoami] [--assume-role <arn> [--external-id <id>]] [options]

Reads the environment the way fromEnvGatedChain() does and reports: APP_ENV and the mode it means
(local or deployed); each credential source as chosen, candidate, failed, skipped or unused, and why; the STS endpoint web
identity would call; the web identity token's audience, subject and expiry (decoded, not verified) and
the file's age; warnings for known traps. Never prints a secret.

Nothing is fetched unless asked: without --resolve/--whoami the verdict is a prediction. In deployed
mode the instance metadata service is probed (1 s timeout) when it is the source the chain would use, or
in Kubernetes to check whether the node's role is reachable from the pod. In local mode doctor does not
touch ~/.aws at all and makes no network call, except the STS calls --whoami and --assume-role ask for.

Options
  --json                Print a JSON report (schema: docs/doctor.md; stable, "schemaVersion": 1)
  --resolve             Fetch credentials through the chain; report the source, expiration and timing
  --whoami              Also call STS GetCallerIdentity with them (implies --resolve)
  --assume-role <arn>   Also call STS AssumeRole for this role with them, as fromRegionalAssumeRole and
                        createAssumeRoleCache would (implies --resolve); a refusal is explained
  --external-id <id>    The ExternalId for --assume-role (the tenant's trust policy condition)
  --sts-endpoint <url>  STS endpoint for web identity and --whoami, as the webIdentity.endpoint option
                        (VPC endpoint, LocalStack, a test fake). AWS_ENDPOINT_URL_STS is not read,
                        as the provider does not read it either. Default: https://sts.<region>.<suffix>
  --allow-insecure-endpoint
                        Allow a plain http:// --sts-endpoint on a non-loopback host
  --deployed-envs <a,b> APP_ENV values that mean deployed, as the deployedEnvs option
                        (default: production,staging,integration)
  --allow-instance-role-in-kubernetes
                        As the allowInstanceRoleInKubernetes option
  --shared-config       As the sharedConfig: true option (deployed mode only)
  -h, --help            Show this help

Exit codes
  0  credentials would resolve (with --resolve/--whoami: they did)
  1  they would not (or did not); the reason is printed
  2  usage error

Examples
  APP_ENV=local awscreds doctor
  awscreds doctor --resolve --whoami
  awscreds doctor --json | jq .verdict
  awscreds doctor --whoami --sts-endpoint http://localhost:4566     # LocalStack
  awscreds doctor --assume-role arn:aws:iam::210987654321:role/saas-access --external-id acme-7f3k9q
`;

export const DEMO_HELP = `awscreds demo — see what awscreds changes, without an AWS account

Usage
  awscreds demo [--duration <s>] [--sts-latency <ms>] [--rate <n>] [--outage <s>]

Starts the embedded fake AWS (STS, SQS on 127.0.0.1; see awscreds/testing) and runs the same small
service three times, side by side, in deployed mode with web identity (IRSA):
  - awscreds:      fromEnvGatedChain() wrapped in createRefresher(), consuming with consume()
  - fromTokenFile: the SDK's fromTokenFile() behind the SQSClient's own credential cache
  - default chain: the SDK's default chain, fromNodeProviderChain() (a client with no credentials option)
Each side sends SQS messages at a fixed rate and consumes them with a long-polling consumer. STS answers
with realistic latency and credentials that the SDK must refresh every ~2 s (they live 302 s, just past
its 5-minute refresh window); the awscreds refresher refreshes as often, in the background. For the last
part of the run STS is down (every call answers 503) while the credentials in hand are still valid.

A live status line shows refreshes, requests, requests that waited on STS, p99 latency and failed STS
calls; a summary table follows, then the awscreds side's OpenTelemetry metrics as an in-process reader
saw them (when @opentelemetry/api and @opentelemetry/sdk-metrics are installed). Nothing contacts AWS: every endpoint is the local fake, and AWS_*
variables are ignored.

Options
  --duration <s>      How long to run, 1–600 seconds (default 20; e.g. 6 in CI)
  --sts-latency <ms>  Latency of every STS answer, 0–5000 ms (default 300)
  --rate <n>          SendMessage requests per second per side, 1–500 (default 25)
  --outage <s>        STS is down for the last <s> seconds, 0 for none (default 40% of --duration)
  --prometheus        Also serve the awscreds side's metrics on http://127.0.0.1:9464/metrics while it
                      runs (needs @opentelemetry/exporter-prometheus installed)
  --prometheus-port <n>  The port for --prometheus (default 9464; implies --prometheus)
  -h, --help          Show this help
`;

/** Help by subcommand name. */
export const FAKE_HELP = `awscreds fake — the fake STS and SQS on one port, for local development and tests

Usage
  awscreds fake [--port <n>] [--host <addr>] [--region <r>] [--account <id>] [--env]

Serves awscreds/testing's fakes until Ctrl-C or SIGTERM: STS and SQS on one port (told apart by the
request's SigV4 scope, X-Amz-Target or Action, as AWS's front ends do), IMDS (/latest/...) and the
container credentials endpoint (/v2/credentials/...) on the same port, a health endpoint at
/_awscreds/health (and /_localstack/health). Queues belong to the account of the credentials that
created them; queue URLs use the host the client used. The keys test/test are accepted, for the
default account, and so are AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when this shell has them. Prints the environment to export. Only STS and SQS: see docs/testing.md for the actions.

Options
  --port <n>       Port to listen on (default 4566, LocalStack's; 0 for any free one)
  --host <addr>    Address to listen on (default 127.0.0.1; 0.0.0.0 lets containers on another network in)
  --region <r>     The region the fakes claim (default us-east-1)
  --account <id>   The default account (default 123456789012)
  --env            Print only the export lines for that port and region, and exit (for eval)
  -h, --help       Show this help
`;

export const COMMAND_HELP: Readonly<Record<string, string>> = Object.freeze({ doctor: DOCTOR_HELP, demo: DEMO_HELP, fake: FAKE_HELP });
