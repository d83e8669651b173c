#!/usr/bin/env bash
# Broker benchmark, a section of bench/run.sh: writes its results as a Markdown fragment
# to $1.
#
# Runs bench/cmd/brokerbench: the expiry lag (a grant's end to its access taken back)
# with 10,000 active grants on SQLite and on a throwaway PostgreSQL cluster, and the
# request -> approve -> credentials latency and create + approve throughput through the
# HTTP API with the direct-STS issuer on an in-process sandbox. Goal: expiry lag p99
# under 250 ms; the script exits 1 when it is missed (after writing the fragment).
#
# Needs PostgreSQL's server binaries (apt-get install postgresql); as root the cluster
# runs as the "postgres" user.
#
# Environment: BROKER_BENCH_GRANTS (default 10000), BROKER_BENCH_STORES (default
# sqlite,postgres), BROKER_BENCH_CYCLES (default 300).
set -euo pipefail

out=${1:?usage: bench/broker.sh RESULTS_FRAGMENT.md}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
go run ./bench/cmd/brokerbench -out "$out" \
	-grants "${BROKER_BENCH_GRANTS:-10000}" \
	-stores "${BROKER_BENCH_STORES:-sqlite,postgres}" \
	-cycles "${BROKER_BENCH_CYCLES:-300}"
