#!/usr/bin/env bash
# Provider benchmark: plan and apply time of N ciem_entitlement resources against the AWS
# sandbox, beside N terraform_data resources (Terraform's own per-resource cost, the floor)
# in the same run. A third column is a yardstick: bench/cmd/noopprovider serves the same
# provider and resource schema from terraform-plugin-framework but does no work, so the
# gap between ciem and the floor splits into what the CLI and the framework cost for a
# plugin resource of this shape and what ciem itself adds.
#
# Each CLI runs the three kinds interleaved, BENCH_PROVIDER_REPS times (fresh state and a
# fresh sandbox each time); the tables show medians. Each run also plans and applies a
# tenth as many resources, so that the cost of one more resource (the slope, without the
# fixed cost of starting the CLI and the plugin) is reported beside the totals. OpenTofu
# (bin/tofu) always runs, HashiCorp Terraform too when `terraform` is on PATH. Writes a
# Markdown fragment to $1; exits 1 (after writing it) when, on any CLI, ciem's plan +
# apply or its cost of one more resource is more than 3× the floor's.
#
# Usage: bench/provider.sh OUT.md      (bench/run.sh calls it from `make bench`)
# Environment: BENCH_PROVIDER_RESOURCES (default 200), BENCH_PROVIDER_REPS (default 5),
# TOFU (default bin/tofu), TERRAFORM (default: terraform on PATH; "none" to leave it
# out), BENCH_KEEP=1 keeps the work folder (configurations, state, logs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:?usage: bench/provider.sh OUT.md}
n=${BENCH_PROVIDER_RESOURCES:-200}
reps=${BENCH_PROVIDER_REPS:-5}
tofu=${TOFU:-$root/bin/tofu}
[[ -x "$tofu" ]] || { echo "bench/provider.sh: $tofu missing: run make tools" >&2; exit 1; }
(( n % 100 == 0 )) || { echo "bench/provider.sh: BENCH_PROVIDER_RESOURCES must be a multiple of 100" >&2; exit 2; }
small=$((n / 10))
roles=$((n / 10)) # IAM attaches at most 10 managed policies to a role
clis=("$tofu")
terraform=${TERRAFORM:-$(command -v terraform || true)}
[[ -n "$terraform" && "$terraform" != none ]] && clis+=("$terraform")

work=$(mktemp -d)
sandbox_pid=
stop_sandbox() {
  if [[ -n "$sandbox_pid" ]]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
    sandbox_pid=
  fi
}
cleanup() {
  stop_sandbox
  if [[ -n "${BENCH_KEEP:-}" ]]; then
    echo "bench/provider.sh: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

echo "bench: provider: building the provider and the no-op yardstick" >&2
mkdir -p "$work/plugins/ciem" "$work/plugins/noop"
go build -o "$work/plugins/ciem/terraform-provider-ciem" .
go build -o "$work/plugins/noop/terraform-provider-ciem" ./bench/cmd/noopprovider

# The sandbox's seed: the roles the entitlements attach to.
{
  printf '{"roles": ['
  for ((i = 0; i < roles; i++)); do
    ((i > 0)) && printf ','
    printf '{"name": "bench-%d", "trust": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}' "$i"
  done
  printf ']}\n'
} >"$work/seed.json"

# start_sandbox starts a fresh sandbox and exports its endpoint and admin key, which the
# provider reads (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...).
start_sandbox() {
  rm -f "$work/sandbox.env"
  "$work/plugins/ciem/terraform-provider-ciem" sandbox --addr 127.0.0.1:0 --seed "$work/seed.json" \
    --env-file "$work/sandbox.env" --trail-delivery-interval 0 >"$work/sandbox.log" 2>&1 &
  sandbox_pid=$!
  for _ in $(seq 100); do
    [[ -s "$work/sandbox.env" ]] && break
    sleep 0.1
  done
  [[ -s "$work/sandbox.env" ]] || { cat "$work/sandbox.log" >&2; echo "bench/provider.sh: the sandbox did not start" >&2; exit 1; }
  # shellcheck disable=SC1091
  set -a && . "$work/sandbox.env" && set +a
}

for kind in ciem noop; do
  cat >"$work/$kind.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/ciem/ciem" = "$work/plugins/$kind"
  }
  direct {}
}
RC
done
cp "$work/ciem.tfrc" "$work/floor.tfrc" # terraform_data needs no plugin
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

policy='jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], Resource = ["arn:aws:s3:::bench-${count.index}", "arn:aws:s3:::bench-${count.index}/*"] }]
  })'
# write_configs SIZE writes the ciem (and no-op) and terraform_data configurations of SIZE
# resources into $work/config/SIZE/.
write_configs() {
  local size=$1 dir=$work/config/$1
  mkdir -p "$dir/ciem" "$dir/floor"
  cat >"$dir/ciem/main.tf" <<TF
terraform {
  required_providers {
    ciem = { source = "registry.terraform.io/ciem/ciem" }
  }
}

provider "ciem" {}

resource "ciem_entitlement" "bench" {
  count         = $size
  principal_arn = "arn:aws:iam::${AWS_ACCOUNT_ID:-111122223333}:role/bench-\${count.index % $((size / 10))}"
  name          = "bench-\${count.index}"
  policy        = $policy
}
TF
  cat >"$dir/floor/main.tf" <<TF
resource "terraform_data" "bench" {
  count = $size
  input = $policy
}
TF
}
write_configs "$small"
write_configs "$n"

# measure CLI KIND STEP CMD... runs CMD quietly in KIND's working folder and appends a
# line "CLI KIND STEP wall cpu sandbox-cpu" to the samples: wall-clock seconds, CPU
# seconds of CMD and its children (the CLI and the provider plugin), and the sandbox's
# CPU seconds meanwhile.
sandbox_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$sandbox_pid/stat"; }
measure() {
  local cli=$1 kind=$2 step=$3 before after times
  shift 3
  before=$(sandbox_cpu)
  times=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$work/cmd.log" 2>&1; } 2>&1 ) ||
    { cat "$work/cmd.log" >&2; echo "bench/provider.sh: failed ($cli, $kind): $*" >&2; exit 1; }
  after=$(sandbox_cpu)
  awk -v c="$cli" -v k="$kind" -v s="$step" -v a="$before" -v b="$after" \
    '{ printf "%s %s %s %.3f %.3f %.3f\n", c, k, s, $1, $2 + $3, b - a }' <<<"$times" >>"$work/samples"
}

declare -A version
for cli in "${clis[@]}"; do
  name=$(basename "$cli")
  version[$name]=$(TF_CLI_CONFIG_FILE=$work/floor.tfrc "$cli" version | awk 'NR == 1')
  for ((rep = 1; rep <= reps; rep++)); do
    for size in "$small" "$n"; do
      echo "bench: provider: $name, run $rep of $reps: $size resources each of terraform_data, the no-op provider, ciem" >&2
      start_sandbox # fresh, so that each size finds its roles without attachments
      for kind in floor noop ciem; do
        key=$kind
        [[ $size == "$n" ]] || key=$kind@small
        dir=$work/run/$kind
        rm -rf "$dir" && mkdir -p "$dir"
        if [[ $kind == floor ]]; then cp "$work/config/$size/floor/main.tf" "$dir/"; else cp "$work/config/$size/ciem/main.tf" "$dir/"; fi
        export TF_CLI_CONFIG_FILE=$work/$kind.tfrc
        (
          cd "$dir"
          measure "$name" "$key" plan "$cli" plan -input=false -out=plan.bin
          measure "$name" "$key" apply "$cli" apply -input=false plan.bin
          [[ $size != "$n" ]] || measure "$name" "$key" replan "$cli" plan -input=false
        )
      done
      count=$(cd "$work/run/ciem" && "$cli" state list 2>/dev/null | grep -c "^ciem_entitlement\." || true)
      [[ "$count" == "$size" ]] || { echo "bench/provider.sh: $name: $count entitlements in state after apply, want $size" >&2; exit 1; }
      stop_sandbox
    done
  done
done

# median prints the median of the numbers on its input, one a line, to two decimals.
median() {
  sort -n | awk '{ x[NR] = $1 } END { printf "%.2f", (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2 }'
}
# med CLI KIND STEP FIELD prints the median of a field (4 wall, 5 cpu, 6 sandbox) over the
# runs; STEP "total" is plan + apply of the same run.
med() {
  awk -v c="$1" -v k="$2" -v s="$3" -v f="$4" '
    $1 == c && $2 == k && (s == "total" ? ($3 == "plan" || $3 == "apply") : $3 == s) {
      run[$3] = run[$3] + 1; v[$3 "," run[$3]] = $f
    }
    END {
      if (s == "total") { for (i = 1; i <= run["plan"]; i++) print v["plan," i] + v["apply," i] }
      else { for (i = 1; i <= run[s]; i++) print v[s "," i] }
    }' "$work/samples" | median
}
# slope CLI KIND prints, in milliseconds, the median over the runs of the plan + apply time
# one more resource costs: (time at N - time at N/10) / (N - N/10), both from the same run.
slope() {
  awk -v c="$1" -v k="$2" -v d="$((n - small))" '
    $1 == c && ($3 == "plan" || $3 == "apply") {
      if ($2 == k) { big[++nb] = $4 } else if ($2 == k "@small") { sm[++ns] = $4 }
    }
    END { for (i = 1; i <= nb / 2; i++) print (big[2*i-1] + big[2*i] - sm[2*i-1] - sm[2*i]) * 1000 / d }' "$work/samples" | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.1f", a / b }'; }
ms_each() { awk -v s="$1" -v n="$n" 'BEGIN { printf "%.1f", s * 1000 / n }'; }

failed=()
{
  cat <<MD
## Terraform provider

$n \`ciem_entitlement\` resources (each a customer managed policy created and attached to one
of $roles roles) against the AWS sandbox (\`ciem sandbox\`, on loopback), beside $n
\`terraform_data\` resources with the same policy text as input: the floor of the CLI's own
per-resource cost. The middle column is a yardstick, not a product: \`bench/cmd/noopprovider\`
serves ciem's provider and \`ciem_entitlement\` schemas (attributes, blocks, validators,
defaults, identity) from terraform-plugin-framework and does nothing else, no AWS call and
no policy engine. Medians of $reps runs per CLI, the three kinds interleaved in each run,
fresh state and a fresh sandbox each time; default parallelism (10); wall-clock seconds.
The sandbox verifies every request's signature and authorises it with ciem's engine. The
cost of one more resource is the slope between $small and $n resources in the same run:
the per-resource cost without the fixed cost of starting the CLI and the plugin (a plugin
provider is started two or three times a command; terraform_data is built in).
MD
  for cli in "${clis[@]}"; do
    name=$(basename "$cli")
    c_total=$(med "$name" ciem total 4)
    o_total=$(med "$name" noop total 4)
    f_total=$(med "$name" floor total 4)
    c_slope=$(slope "$name" ciem) o_slope=$(slope "$name" noop) f_slope=$(slope "$name" floor)
    cat <<MD

### ${version[$name]}

| step | ciem_entitlement ×$n | no-op framework provider ×$n | terraform_data ×$n | ciem ÷ floor | no-op ÷ floor |
|---|---:|---:|---:|---:|---:|
MD
    for step in plan apply total replan; do
      case $step in
        plan) label='plan, empty state (`plan -out`)' ;;
        apply) label='apply of that plan' ;;
        total) label='**plan + apply**' ;;
        replan) label='re-plan with refresh, no change' ;;
      esac
      c=$(med "$name" ciem $step 4) o=$(med "$name" noop $step 4) f=$(med "$name" floor $step 4)
      if [[ $step == total ]]; then
        echo "| $label | $c s ($(ms_each "$c") ms a resource) | $o s | $f s ($(ms_each "$f") ms a resource) | **$(ratio "$c" "$f")×** | $(ratio "$o" "$f")× |"
        echo "| **one more resource** (plan + apply, slope from $small to $n) | $c_slope ms | $o_slope ms | $f_slope ms | **$(ratio "$c_slope" "$f_slope")×** | $(ratio "$o_slope" "$f_slope")× |"
      else
        echo "| $label | $c s | $o s | $f s | $(ratio "$c" "$f")× | $(ratio "$o" "$f")× |"
      fi
    done
    cat <<MD

CPU seconds (user + system; medians): the CLI with its provider plugin, and for ciem the
sandbox serving the AWS calls.

| step | ciem: CLI + provider | ciem: sandbox | no-op: CLI + provider | terraform_data: CLI |
|---|---:|---:|---:|---:|
MD
    for step in plan apply replan; do
      echo "| $step | $(med "$name" ciem $step 5) s | $(med "$name" ciem $step 6) s | $(med "$name" noop $step 5) s | $(med "$name" floor $step 5) s |"
    done
    verdict="$name: ciem's plan + apply of $n entitlements takes $(ratio "$c_total" "$f_total")× the time of $n terraform_data resources, and one more entitlement $(ratio "$c_slope" "$f_slope")× the time of one more terraform_data (required: at most 3× each); the no-op framework provider with the same schema takes $(ratio "$o_total" "$f_total")× and $(ratio "$o_slope" "$f_slope")×."
    echo
    echo "$verdict"
    if ! awk -v a="$c_total" -v b="$f_total" -v c="$c_slope" -v d="$f_slope" 'BEGIN { exit !(b > 0 && a / b <= 3 && d > 0 && c / d <= 3) }'; then
      failed+=("$verdict")
    fi
  done
  cat <<MD

Command: \`bench/provider.sh OUT.md\` (BENCH_PROVIDER_RESOURCES=$n, BENCH_PROVIDER_REPS=$reps).

MD
} >"$out"
echo "bench: provider: wrote $out" >&2
for f in "${failed[@]}"; do
  echo "bench: provider: $f" >&2
done
((${#failed[@]} == 0))
