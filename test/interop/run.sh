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

# Pinned, as every install of CI is: the clients' versions are what the suite was written against
# (Debian 12's). curl is part of the machine; a machine without it is refused rather than given any version.
missing=()
[ -x /usr/bin/aws ] || missing+=(awscli=2.9.19-1)
/usr/bin/python3 -c "import boto3" 2>/dev/null || missing+=(python3-boto3=1.26.27+dfsg-1 python3-botocore=1.29.27+repack-1)
command -v ip >/dev/null || missing+=(iproute2=6.1.0-3)
if [ ! -x /usr/bin/curl ]; then
  echo "test:interop needs /usr/bin/curl (Debian's curl) for the curl --aws-sigv4 tests." >&2
  exit 1
fi
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
