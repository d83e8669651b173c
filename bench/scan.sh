#!/usr/bin/env bash
# Account-scan benchmark, a section of bench/run.sh: writes its results as a Markdown
# fragment to $1.
#
# Generates (ciem scan generate, deterministic by seed) an account of 5,000 roles, 1,000
# users and 20,000 customer managed policies, and one of a quarter of that, as
# get-account-authorization-details JSON; then scans each from the file, in one run, with
# the escalation graph, and records wall time, CPU time and peak memory (max RSS). The
# scan must scale linearly: the full account may take at most 4 x 1.5 = 6 times the
# quarter's CPU time.
#
# Environment: CIEM (binary, default bin/ciem), SCAN_BENCH_SEED (default 1),
# SCAN_BENCH_SCALE (multiplies every size, default 1; for quick trials use 0.1).
set -euo pipefail

out=${1:?usage: bench/scan.sh RESULTS_FRAGMENT.md}
root=$(cd "$(dirname "$0")/.." && pwd)
ciem=${CIEM:-$root/bin/ciem}
seed=${SCAN_BENCH_SEED:-1}
scale=${SCAN_BENCH_SCALE:-1}

for tool in jq /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench/scan.sh: $tool is needed (apt-get install jq time)" >&2; exit 1; }
done
[ -x "$ciem" ] || { echo "bench/scan.sh: $ciem not built (make build)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

size() { awk -v n="$1" -v s="$scale" 'BEGIN { printf "%d", n * s }'; }
roles=$(size 5000) users=$(size 1000) policies=$(size 20000)
qroles=$((roles / 4)) qusers=$((users / 4)) qpolicies=$((policies / 4))

echo "scan bench: generating the accounts (seed $seed) ..." >&2
"$ciem" scan generate --seed "$seed" --roles "$roles" --users "$users" --policies "$policies" --out "$tmp/full.json" 2>&2
"$ciem" scan generate --seed "$seed" --roles "$qroles" --users "$qusers" --policies "$qpolicies" --out "$tmp/quarter.json" 2>&2
cat "$tmp/full.json" "$tmp/quarter.json" >/dev/null # warm the page cache

# run NAME FILE: scan FILE to JSON; fields: wall seconds, max RSS (KB), user s, system s.
run() {
	echo "scan bench: scanning $1 ..." >&2
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/$1.time" "$ciem" scan --auth-details "$2" --format json --out "$tmp/$1.report.json"
}
run quarter "$tmp/quarter.json"
run full "$tmp/full.json"

summary() { jq -r '.summary | [.users, .roles, .groups, .managed_policies, .admins, .admin_reachable, .escalation_edges] | @tsv' "$1"; }
read -r fu fr fg fp fa far fe < <(summary "$tmp/full.report.json")
read -r qu qr qg qp qa qar qe < <(summary "$tmp/quarter.report.json")
read -r f_wall f_rss f_user f_sys <"$tmp/full.time"
read -r q_wall q_rss q_user q_sys <"$tmp/quarter.time"
f_mb=$(du -m "$tmp/full.json" | cut -f1)
q_mb=$(du -m "$tmp/quarter.json" | cut -f1)
fr_mb=$(du -m "$tmp/full.report.json" | cut -f1)

awk -v seed="$seed" -v cpus="$(nproc)" \
	-v fu="$fu" -v fr="$fr" -v fg="$fg" -v fp="$fp" -v fa="$fa" -v far="$far" -v fe="$fe" -v fmb="$f_mb" -v frmb="$fr_mb" \
	-v qu="$qu" -v qr="$qr" -v qg="$qg" -v qp="$qp" -v qa="$qa" -v qar="$qar" -v qe="$qe" -v qmb="$q_mb" \
	-v fw="$f_wall" -v fk="$f_rss" -v fus="$f_user" -v fsy="$f_sys" \
	-v qw="$q_wall" -v qk="$q_rss" -v qus="$q_user" -v qsy="$q_sys" '
function commas(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); return s }
function row(name, u, r, g, p, mb, e, a, ar, wall, user, sys, rss) {
	printf "| %s | %s | %s | %s | %s | %d MB | %s | %s | %s | %.2f | %.2f | %.0f MB |\n", name, commas(u), commas(r), commas(g), commas(p), mb,
		commas(e), commas(a), commas(ar), wall, user + sys, rss / 1024
}
BEGIN {
	print "## Account scan"
	print ""
	printf "Generated accounts (`ciem scan generate --seed %d`), scanned from the exported file with `ciem scan --auth-details FILE --format json --out FILE`: reading, effective permissions of every principal, the escalation graph with every principal’s shortest path to administrator, trust, risk findings and CIS mapping, and writing the JSON report (%d MB for the full account). One run each, in the same run of this script; %d CPUs.\n\n", seed, frmb, cpus
	print "| account | users | roles | groups | managed policies | file | escalation edges | administrators | can become administrator | wall (s) | CPU (s) | peak RSS |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	row("full", fu, fr, fg, fp, fmb, fe, fa, far, fw, fus, fsy, fk)
	row("a quarter", qu, qr, qg, qp, qmb, qe, qa, qar, qw, qus, qsy, qk)
	cpu = (fus + fsy) / (qus + qsy)
	wall = fw / qw
	printf "\nThe full account is 4× the quarter; it took %.1f× the CPU time, %.1f× the wall time and %.1f× the memory.\n", cpu, wall, fk / qk
	printf "Goal: linear scaling, at most 6× the quarter’s CPU time (4× with 50%% slack): %s (%.1f×).\n", (cpu <= 6 ? "met" : "MISSED"), cpu
	if (cpus < 4) printf "\nWall times on a machine with %d CPUs shared with other work vary from run to run; CPU seconds show the work done.\n", cpus
}' >"$out"
cat "$out" >&2
