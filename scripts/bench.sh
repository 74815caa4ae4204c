#!/usr/bin/env bash
# bench.sh - the documented default benchmark (BENCHMARKS.md), run by
# `make bench` against a running server (by default the one `make run`
# serves on :8080, in development mode so that X-Tenant-ID picks the tenant).
#
# It generates a seeded dataset once (kept under .data/bench/), imports it
# into its own tenant unless the server holds it already (the import is
# rerun-safe), then runs every scenario at every concurrency and writes
# bench/results/<date>-<commit>-<tier>.{json,md,svg} (tier: 10k, 100k, ...).
#
# Environment (defaults in brackets):
#   BENCH_URL [http://localhost:8080/fhir]  BENCH_TENANT [bench]
#   BENCH_PATIENTS [10000]  BENCH_SEED [1]  BENCH_DATA [.data/bench/<patients>-<seed>]
#   BENCH_C [1,16,64]  BENCH_DURATION [10s]  BENCH_SCENARIOS [all]
#   FHIR_DATABASE_URL, FHIR_APP_DATABASE_URL: the import's and the floor's
#   database, which must be the server's.
set -euo pipefail
cd "$(dirname "$0")/.."

URL=${BENCH_URL:-http://localhost:8080/fhir}
TENANT=${BENCH_TENANT:-bench}
PATIENTS=${BENCH_PATIENTS:-10000}
SEED=${BENCH_SEED:-1}
DATA=${BENCH_DATA:-.data/bench/$PATIENTS-$SEED}
BIN=${BENCH_BIN:-bin/fhird}
# The tier names the results: 10k for 10000 patients, 2500 for 2500.
if [ $((PATIENTS % 1000)) -eq 0 ]; then TAG=$((PATIENTS / 1000))k; else TAG=$PATIENTS; fi

if ! curl -fsS -o /dev/null "$URL/metadata"; then
	echo "bench: no FHIR server answers at $URL; start one with 'make run' in another terminal" >&2
	exit 1
fi

if [ ! -f "$DATA/.complete" ]; then
	rm -rf "$DATA"
	"$BIN" gen -patients "$PATIENTS" -seed "$SEED" -out "$DATA"
	touch "$DATA/.complete"
fi

# count TYPE prints how many resources of TYPE the server holds for the tenant.
count() {
	curl -fsS -H "X-Tenant-ID: $TENANT" "$URL/$1?_summary=count" | sed -n 's/.*"total": *\([0-9]*\).*/\1/p'
}

loaded=yes
for f in "$DATA"/*.ndjson; do
	t=$(basename "$f" .ndjson)
	want=$(wc -l <"$f")
	have=$(count "$t")
	if [ "${have:-0}" -lt "$want" ]; then
		echo "bench: the tenant holds ${have:-0} of the dataset's $want $t resources" >&2
		loaded=no
	fi
done
if [ "$loaded" = no ]; then
	"$BIN" import -tenant "$TENANT" "$DATA"
fi

"$BIN" bench -url "$URL" -tenant "$TENANT" -c "${BENCH_C:-1,16,64}" -duration "${BENCH_DURATION:-10s}" \
	-scenarios "${BENCH_SCENARIOS:-all}" -gen-patients "$PATIENTS" -gen-seed "$SEED" -tag "$TAG" \
	-dataset "fhird gen -patients $PATIENTS -seed $SEED ($(du -sh "$DATA" | cut -f1) of NDJSON)"
