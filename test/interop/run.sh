#!/usr/bin/env bash
# npm run test:interop — clients we did not write (boto3, the AWS CLI, aws-sdk v2, curl) against the fakes.
#
# Installs Debian's awscli and python3-boto3 (and curl, iproute2) when absent, then runs the suite
# (vitest.interop.config.ts) entirely inside a fresh loopback-only network namespace: the fakes and every
# client live there, so nothing can reach a real AWS endpoint even if an endpoint were ever missing.
# Needs root (ip netns, apt-get), as CI and the dev machines have. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" != "0" ]; then
  echo "test:interop needs root: it creates a network namespace (ip netns) and may apt-get install the clients." >&2
  exit 1
fi

missing=()
[ -x /usr/bin/aws ] || missing+=(awscli)
/usr/bin/python3 -c "import boto3" 2>/dev/null || missing+=(python3-boto3)
[ -x /usr/bin/curl ] || missing+=(curl)
command -v ip >/dev/null || missing+=(iproute2)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== interop clients"
dpkg-query -W -f='${Package} ${Version}\n' awscli python3-boto3 python3-botocore curl 2>/dev/null || true
/usr/bin/aws --version
for alias in aws-sdk-v2-query aws-sdk-v2-json; do
  echo "$alias $(node -p "require('./node_modules/$alias/package.json').version")"
done

ns="awscreds-interop-$$"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" ip link set lo up

start=$(date +%s)
ip netns exec "$ns" npx vitest run --config vitest.interop.config.ts "$@"
echo "== interop suite took $(( $(date +%s) - start )) s"
