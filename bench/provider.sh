#!/usr/bin/env bash
# Provider benchmark: plan and apply time of N ciem_entitlement resources against the AWS
# sandbox, beside N terraform_data resources (Terraform's own per-resource cost, the floor)
# in the same run, with OpenTofu (bin/tofu). Writes a Markdown fragment to $1; exits 1
# (after writing it) when ciem's plan + apply takes more than 3× the floor.
#
# Usage: bench/provider.sh OUT.md      (bench/run.sh calls it from `make bench`)
# Environment: BENCH_PROVIDER_RESOURCES (default 200), TOFU (default bin/tofu), BENCH_KEEP=1
# keeps the work folder (configurations, state, sandbox log) for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:?usage: bench/provider.sh OUT.md}
n=${BENCH_PROVIDER_RESOURCES:-200}
tofu=${TOFU:-$root/bin/tofu}
[[ -x "$tofu" ]] || { echo "bench/provider.sh: $tofu missing: run make tools" >&2; exit 1; }
(( n % 10 == 0 )) || { echo "bench/provider.sh: BENCH_PROVIDER_RESOURCES must be a multiple of 10" >&2; exit 2; }
roles=$((n / 10)) # IAM attaches at most 10 managed policies to a role

work=$(mktemp -d)
sandbox_pid=
cleanup() {
  if [[ -n "$sandbox_pid" ]]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  if [[ -n "${BENCH_KEEP:-}" ]]; then
    echo "bench/provider.sh: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

echo "bench: provider: building the provider" >&2
mkdir -p "$work/plugins"
go build -o "$work/plugins/terraform-provider-ciem" .

# The sandbox, seeded with the roles the entitlements attach to.
{
  printf '{"roles": ['
  for ((i = 0; i < roles; i++)); do
    ((i > 0)) && printf ','
    printf '{"name": "bench-%d", "trust": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}' "$i"
  done
  printf ']}\n'
} >"$work/seed.json"
"$work/plugins/terraform-provider-ciem" sandbox --addr 127.0.0.1:0 --seed "$work/seed.json" \
  --env-file "$work/sandbox.env" --trail-delivery-interval 0 >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do
  [[ -s "$work/sandbox.env" ]] && break
  sleep 0.1
done
[[ -s "$work/sandbox.env" ]] || { cat "$work/sandbox.log" >&2; echo "bench/provider.sh: the sandbox did not start" >&2; exit 1; }
# shellcheck disable=SC1091
set -a && . "$work/sandbox.env" && set +a # AWS_ENDPOINT_URL and the admin key: the provider reads them

cat >"$work/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/ciem/ciem" = "$work/plugins"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$work/cli.tfrc TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

policy='jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], Resource = ["arn:aws:s3:::bench-${count.index}", "arn:aws:s3:::bench-${count.index}/*"] }]
  })'
mkdir -p "$work/ciem" "$work/floor"
cat >"$work/ciem/main.tf" <<TF
terraform {
  required_providers {
    ciem = { source = "registry.terraform.io/ciem/ciem" }
  }
}

provider "ciem" {}

resource "ciem_entitlement" "bench" {
  count         = $n
  principal_arn = "arn:aws:iam::${AWS_ACCOUNT_ID:-111122223333}:role/bench-\${count.index % $roles}"
  name          = "bench-\${count.index}"
  policy        = $policy
}
TF
cat >"$work/floor/main.tf" <<TF
resource "terraform_data" "bench" {
  count = $n
  input = $policy
}
TF

# measure KEY CMD... runs CMD quietly and records its wall-clock seconds in t[KEY], the CPU
# seconds of CMD and its children (tofu and the provider plugin) in cpu[KEY], and the
# sandbox's CPU seconds meanwhile in sbx[KEY].
declare -A t cpu sbx
sandbox_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$sandbox_pid/stat"; }
measure() {
  local key=$1 before after times
  shift
  before=$(sandbox_cpu)
  times=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$work/cmd.log" 2>&1; } 2>&1 ) ||
    { cat "$work/cmd.log" >&2; echo "bench/provider.sh: failed: $*" >&2; exit 1; }
  after=$(sandbox_cpu)
  t[$key]=$(awk '{ printf "%.2f", $1 }' <<<"$times")
  cpu[$key]=$(awk '{ printf "%.2f", $2 + $3 }' <<<"$times")
  sbx[$key]=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
}

for kind in floor ciem; do
  echo "bench: provider: $n resources ($kind)" >&2
  cd "$work/$kind"
  measure "$kind.plan" "$tofu" plan -input=false -out=plan.bin
  measure "$kind.apply" "$tofu" apply -input=false plan.bin
  measure "$kind.replan" "$tofu" plan -input=false
  cd "$root"
done
count=$("$tofu" -chdir="$work/ciem" state list 2>/dev/null | grep -c "^ciem_entitlement\." || true)

sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.1f", a / b }'; }
ms_each() { awk -v s="$1" -v n="$n" 'BEGIN { printf "%.1f", s * 1000 / n }'; }
ciem_total=$(sum "${t[ciem.plan]}" "${t[ciem.apply]}")
floor_total=$(sum "${t[floor.plan]}" "${t[floor.apply]}")
total_ratio=$(ratio "$ciem_total" "$floor_total")
ok=$(awk -v a="$ciem_total" -v b="$floor_total" 'BEGIN { print (b > 0 && a / b <= 3) ? 1 : 0 }')
verdict="ciem's plan + apply of $n entitlements takes ${total_ratio}× the time of $n terraform_data resources (required: at most 3×)."

cat >"$out" <<MD
## Terraform provider

$n \`ciem_entitlement\` resources (each a customer managed policy created and attached to one
of $roles roles) against the AWS sandbox (\`ciem sandbox\`, on loopback), beside $n
\`terraform_data\` resources with the same policy text as input: the floor of OpenTofu's own
per-resource cost. Same machine, same run, $(basename "$tofu") $("$tofu" version | head -n 1 | awk '{print $2}'),
default parallelism (10). Wall-clock seconds; the sandbox verifies every request's signature
and authorises it with ciem's engine.

| step | ciem_entitlement ×$n | terraform_data ×$n | ratio |
|---|---:|---:|---:|
| plan, empty state (\`tofu plan -out\`) | ${t[ciem.plan]} s | ${t[floor.plan]} s | $(ratio "${t[ciem.plan]}" "${t[floor.plan]}")× |
| apply of that plan | ${t[ciem.apply]} s | ${t[floor.apply]} s | $(ratio "${t[ciem.apply]}" "${t[floor.apply]}")× |
| plan + apply | $ciem_total s ($(ms_each "$ciem_total") ms a resource) | $floor_total s ($(ms_each "$floor_total") ms a resource) | ${total_ratio}× |
| re-plan with refresh, no change | ${t[ciem.replan]} s | ${t[floor.replan]} s | $(ratio "${t[ciem.replan]}" "${t[floor.replan]}")× |

CPU seconds of the same steps (user + system), tofu with its provider plugin, and the sandbox
serving the AWS calls (none for terraform_data):

| step | ciem_entitlement: tofu + provider | ciem_entitlement: sandbox | terraform_data: tofu |
|---|---:|---:|---:|
| plan | ${cpu[ciem.plan]} s | ${sbx[ciem.plan]} s | ${cpu[floor.plan]} s |
| apply | ${cpu[ciem.apply]} s | ${sbx[ciem.apply]} s | ${cpu[floor.apply]} s |
| re-plan | ${cpu[ciem.replan]} s | ${sbx[ciem.replan]} s | ${cpu[floor.replan]} s |

$verdict Policies in state after apply: $count.

Command: \`bench/provider.sh OUT.md\` (BENCH_PROVIDER_RESOURCES=$n).

MD
echo "bench: provider: wrote $out" >&2
[[ "$ok" == 1 ]] || { echo "bench: provider: $verdict" >&2; exit 1; }
