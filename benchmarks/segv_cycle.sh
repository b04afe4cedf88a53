#!/bin/bash
# Reproduce the gthread worker segfaults (benchmarks/RESULTS.md, "uncached pages, fragment
# cache"): serve INSTANCE (seeded by seed_scale.py, --seed 2026) with 2 workers x 4 threads,
# cycle the five benchmark pages under wrk ROUNDS times, count the workers killed by SIGSEGV
# (faulthandler tracebacks in LOG). Needs wrk. Never part of the test suite.
#   benchmarks/segv_cycle.sh INSTANCE PORT ROUNDS [ENV=VALUE ...]
set -u
INSTANCE=$1; PORT=$2; ROUNDS=$3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG=${LOG:-/tmp/segv-$PORT.log}
cd "$ROOT"
env PYTHONFAULTHANDLER=1 COMMUNITY_ENV=production INSTANCE_PATH="$INSTANCE" SECRET_KEY=bench \
  PAGE_CACHE_SECONDS=0 GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_WORKERS=2 GUNICORN_ACCESS_LOG= \
  LOG_LEVEL=WARNING GUNICORN_MAX_REQUESTS=0 "${@:4}" \
  .venv/bin/gunicorn -c gunicorn.conf.py --no-control-socket app:app > "$LOG" 2>&1 &
MASTER=$!; sleep 4; total=0
TOPIC="/forum/t/photo-thread-2-your-tents-at-camp-vos-tentes-au-bivouac/1022"
for _ in $(seq 1 "$ROUNDS"); do
  for P in / /forum/c/clothing "$TOPIC" "$TOPIC?page=200" /products/lumen-400-headlamp; do
    n=$(wrk -t2 -c8 -d5s "http://127.0.0.1:$PORT$P" | awk '/requests in/ {print $1}'); total=$((total + n))
  done
done
echo "requests $total, workers lost to SIGSEGV: $(grep -c SIGSEGV "$LOG")"
kill $MASTER; wait $MASTER 2>/dev/null
