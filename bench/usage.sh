#!/usr/bin/env bash
# Usage-digest benchmark, a section of bench/run.sh: writes its results as a Markdown
# fragment to $1.
#
# Generates 1,000,000 synthetic CloudTrail events (about 1.5 KB each) once into a cache
# (bench/.data, git-ignored), then times in one run, on the same files, warm in the page cache:
#   ciem      bin/ciem usage digest --source cloudtrail-dir=DIR (every core)
#   (a) jq    zcat | jq doing the same aggregation: counts per principal, eventSource, eventName
#   (b) gzip  gzip -dc > /dev/null, one core: the floor
# and ciem's peak memory (max RSS). Goals: at least 6x faster than jq, no slower than the
# gzip floor, peak memory under 500 MB; the script exits 1 when one is missed (after
# writing the fragment), as bench/run.sh expects of a section.
#
# Environment: CIEM (binary, default bin/ciem), USAGE_BENCH_EVENTS (default 1000000),
# USAGE_BENCH_SEED (default 1), USAGE_BENCH_DATA (cache directory, default bench/.data),
# USAGE_BENCH_REPEAT (runs of ciem and of gzip, the best counts; default 3).
set -euo pipefail

out=${1:?usage: bench/usage.sh RESULTS_FRAGMENT.md}
root=$(cd "$(dirname "$0")/.." && pwd)
ciem=${CIEM:-$root/bin/ciem}
events=${USAGE_BENCH_EVENTS:-1000000}
seed=${USAGE_BENCH_SEED:-1}
repeat=${USAGE_BENCH_REPEAT:-3}
cache=${USAGE_BENCH_DATA:-$root/bench/.data}
data=$cache/usage-trail-seed$seed-$events

for tool in jq gzip zcat /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench/usage.sh: $tool is needed (apt-get install jq time)" >&2; exit 1; }
done
[ -x "$ciem" ] || { echo "bench/usage.sh: $ciem not built (make build)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$data/.complete" ]; then
	echo "usage bench: generating $events events (seed $seed) into $data ..." >&2
	rm -rf "$data" "$data.partial"
	mkdir -p "$cache"
	"$ciem" usage generate --seed "$seed" --events "$events" --out "$data.partial" >&2
	mv "$data.partial" "$data"
	touch "$data/.complete"
fi

find "$data" -name '*.json.gz' | LC_ALL=C sort >"$tmp/files"
nfiles=$(wc -l <"$tmp/files")
gz_bytes=$(xargs -a "$tmp/files" -d '\n' stat -c %s | awk '{s+=$1} END {print s}')
cpus=$(nproc)

# Warm the page cache so that every run reads from memory, not from disk.
xargs -a "$tmp/files" -d '\n' cat >/dev/null
json_bytes=$(xargs -a "$tmp/files" -d '\n' gzip -dc | wc -c)

# The aggregation jq does: events per principal (sessions rolled up to their role or
# issuer, AWS services by invokedBy), eventSource and eventName. Counted per file with
# group_by, then summed over files by a second jq: jq 1.6 updates a large object in a
# reduce over every event far more slowly (about 2x the CPU for the same result).
cat >"$tmp/per-file.jq" <<'JQ'
[.Records[] | (.userIdentity // {}) as $u
  | (if $u.type == "AssumedRole" or $u.type == "FederatedUser" then ($u.sessionContext.sessionIssuer.arn // $u.arn // "unknown")
     elif $u.type == "AWSService" or ($u.type == null and $u.invokedBy != null) then "service:" + $u.invokedBy
     else ($u.arn // ("type:" + ($u.type // "none"))) end)
  + " " + (.eventSource // "") + " " + (.eventName // "")]
| group_by(.) | map([.[0], length])[]
JQ
cat >"$tmp/sum.jq" <<'JQ'
reduce inputs as [$key, $n] ({}; .[$key] += $n)
JQ

# run NAME CMD...: time one run; fields: wall seconds, max RSS (KB), user s, system s.
run() {
	local name=$1
	shift
	echo "usage bench: $name ..." >&2
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/$name.time" "$@"
}

# best NAME: the run of NAME_1..NAME_n with the least wall time becomes NAME.time.
best() { sort -n "$tmp/$1"_*.time | head -n 1 >"$tmp/$1.time"; }

# ciem and the gzip floor take a few seconds each: the best of $repeat runs, interleaved,
# so that a burst of other work on a shared machine does not decide the comparison. jq
# takes a minute or more and runs once.
for i in $(seq "$repeat"); do
	run "gzip_$i" bash -c 'xargs -a "$1" -d "\n" gzip -dc >/dev/null' _ "$tmp/files"
	run "ciem_$i" "$ciem" usage digest --source "cloudtrail-dir=$data" --since all --format json >"$tmp/ciem.json"
done
best gzip
best ciem
run jq bash -c 'xargs -a "$1" -d "\n" zcat | jq -c -f "$2" | jq -n -c -f "$3" >"$4"' _ "$tmp/files" "$tmp/per-file.jq" "$tmp/sum.jq" "$tmp/jq.json"

# Both must have seen every event.
ciem_records=$(jq '.totals.records' "$tmp/ciem.json")
jq_records=$(jq '[.[]] | add' "$tmp/jq.json")
ciem_problems=$(jq '[.problems.counts[]] | add // 0' "$tmp/ciem.json")
if [ "$ciem_records" != "$events" ] || [ "$jq_records" != "$events" ]; then
	echo "bench/usage.sh: records seen: ciem $ciem_records, jq $jq_records, want $events" >&2
	exit 1
fi

read -r g_wall g_rss g_user g_sys <"$tmp/gzip.time"
read -r c_wall c_rss c_user c_sys <"$tmp/ciem.time"
read -r j_wall j_rss j_user j_sys <"$tmp/jq.time"

awk -v events="$events" -v nfiles="$nfiles" -v repeat="$repeat" -v gz="$gz_bytes" -v js="$json_bytes" -v cpus="$cpus" \
	-v gw="$g_wall" -v gu="$g_user" -v gs="$g_sys" \
	-v cw="$c_wall" -v cr="$c_rss" -v cu="$c_user" -v cs="$c_sys" \
	-v jw="$j_wall" -v ju="$j_user" -v js2="$j_sys" \
	-v principals="$(jq '.principals | length' "$tmp/ciem.json")" -v problems="$ciem_problems" '
function commas(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); return s }
function row(name, wall, user, sys, rss) {
	printf "| %s | %.2f | %.2f | %s | %s | %s |\n", name, wall, user + sys, commas(events / wall), (name ~ /^ciem/ ? "—" : sprintf("%.1f×", wall / cw)), rss
}
BEGIN {
	printf "## Usage digest: CloudTrail, %s events\n\n", commas(events)
	printf "%s synthetic events (`ciem usage generate`), %s files, %.0f MB of JSON (%.0f bytes/event), %.0f MB gzipped; %d CPUs; files warm in the page cache. Side by side in one run: ciem and gzip the best of %d runs each, interleaved; jq once.\n\n", commas(events), commas(nfiles), js / 1e6, js / events, gz / 1e6, cpus, repeat
	print "| run | wall (s) | CPU (s) | events/s | ciem faster by | peak RSS |"
	print "|---|---:|---:|---:|---:|---:|"
	row("ciem usage digest (all cores)", cw, cu, cs, sprintf("%.0f MB", cr / 1024))
	row("(a) zcat \\| jq, same aggregation", jw, ju, js2, "")
	row("(b) gzip -dc > /dev/null (one core, the floor)", gw, gu, gs, "")
	printf "\nciem attributed the events to %d principals and reported %d input problems; both ciem and jq saw all %s events.\n\n", principals, problems, commas(events)
	ok1 = jw / cw >= 6; ok2 = cw <= gw; ok3 = cr / 1024 < 500
	printf "Goals: at least 6× faster than jq: %s (%.1f×); no slower than single-core gzip -dc: %s (%.2f s vs %.2f s); peak memory under 500 MB: %s (%.0f MB).\n", (ok1 ? "met" : "MISSED"), jw / cw, (ok2 ? "met" : "MISSED"), cw, gw, (ok3 ? "met" : "MISSED"), cr / 1024
	if (cpus < 4) printf "\nWall times on a machine with %d CPUs shared with other work vary from run to run; CPU seconds show the work done.\n", cpus
}' >"$out"
{
	printf '\nThe jq run: `zcat FILES | jq -c -f per-file.jq | jq -n -c -f sum.jq`, with per-file.jq:\n\n```jq\n'
	cat "$tmp/per-file.jq"
	printf '```\n\nand sum.jq:\n\n```jq\n'
	cat "$tmp/sum.jq"
	printf '```\n'
} >>"$out"
cat "$out" >&2
# bench/run.sh counts a section as failed when its script exits non-zero.
if grep -q 'MISSED' "$out"; then
	echo "bench/usage.sh: a goal was missed" >&2
	exit 1
fi
