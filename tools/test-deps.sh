#!/usr/bin/env bash
# Installs the Debian packages the tests drive, when they are missing. Run by `make test`
# (CI runs as root on a clean machine); a developer without root gets told what to install.
set -euo pipefail
# package:command-that-proves-it-is-there
want=(
  "awscli:/usr/bin/aws"   # AWS CLI v2, for the sandbox's shell-level test (a pip-installed v1 on PATH does not count)
  "chromium:/usr/bin/chromium"   # headless, for the scan's HTML report test
  "fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"   # so the report's screenshot has text
  "jq:/usr/bin/jq"   # the usage benchmark's peer and bench scripts
  "time:/usr/bin/time"   # peak memory in the benchmarks
  "postgresql:/usr/lib/postgresql"   # the broker's PostgreSQL store tests (a throwaway cluster per run)
)
missing=()
for w in "${want[@]}"; do
  pkg=${w%%:*} cmd=${w#*:}
  [ -e "$cmd" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "tools/test-deps.sh: the tests need these Debian packages: ${missing[*]} (install them with apt-get as root)" >&2
  exit 1
fi
echo "tools/test-deps.sh: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
