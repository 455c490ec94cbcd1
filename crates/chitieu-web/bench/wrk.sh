#!/usr/bin/env bash
# Load benchmark of `chitieu serve` with wrk (Debian's package) on loopback: a province's
# dashboard (logged in) and its public portal page, on the national-scale database that
# chitieu-bench builds (34 provinces, 3,321 communes, 60 indicators, 60 months).
# Prints requests/s and the latency percentiles wrk measures; the goal is p99 < 50 ms with
# at least 500 requests/s.
#
#   crates/chitieu-web/bench/wrk.sh            # national scale (builds the database once)
#   crates/chitieu-web/bench/wrk.sh --quick    # 2 provinces, 6 months: a smoke run
#
# Environment: BENCH_DB (database file to build or reuse), DURATION (default 20s),
# CONNECTIONS (default 16), THREADS (default 2), PROFILE (release, or debug for a smoke run).
set -euo pipefail
cd "$(dirname "$0")/../../.."
QUICK=""
[ "${1:-}" = "--quick" ] && QUICK="--quick"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WORK=$(mktemp -d)
PROFILE=${PROFILE:-release}
TARGET=${CARGO_TARGET_DIR:-target}
DB=${BENCH_DB:-$TARGET/chitieu-web-bench${QUICK:+-quick}.db}
FLAG=""
[ "$PROFILE" = release ] && FLAG="--release"
cargo build $FLAG --locked -q --bin chitieu -p chitieu-cli
cargo build $FLAG --locked -q -p chitieu-bench
BIN=$TARGET/$PROFILE/chitieu
if [ ! -f "$DB" ]; then
  "$TARGET/$PROFILE/chitieu-bench" --database "$DB" --keep --no-duckdb $QUICK >/dev/null
fi
echo "binaries: $PROFILE"
# The bench database's figures run to 2025-M12 with annual targets for 2025.
PERIOD=2025
# A province with targets for the period, by its official code (read-only look-up).
PROVINCE=${PROVINCE_CODE:-$(python3 - "$DB" "$PERIOD" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
row = db.execute(
    "SELECT v.code FROM target t JOIN unit_version v ON v.unit_id = t.unit_id "
    "WHERE v.level = 'province' AND t.period = ? AND v.valid_to IS NULL ORDER BY v.code LIMIT 1",
    (sys.argv[2],),
).fetchone()
print(row[0] if row else "")
PY
)}
[ -n "$PROVINCE" ] || { echo "no province with $PERIOD targets in $DB" >&2; exit 1; }
echo "database: $DB; unit: ${PROVINCE}; period: $PERIOD"
if ! "$BIN" --database "$DB" --user bench publish --unit "$PROVINCE" --period "$PERIOD" > "$WORK/publish.txt" 2>&1; then
  cat "$WORK/publish.txt" >&2; exit 1
fi
UNIT=$(grep -o '#[0-9]*' "$WORK/publish.txt" | tr -d '#')
CHITIEU_PASSWORD=bench-password-123 "$BIN" --database "$DB" --user bench account \
  --username "bench.viewer.$$" --role viewer --scope "$PROVINCE" >/dev/null
"$BIN" --database "$DB" serve --listen 127.0.0.1:0 --http-cookies > "$WORK/serve.txt" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do grep -q 'http://' "$WORK/serve.txt" && break; sleep 0.2; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/serve.txt")
JAR="$WORK/cookies"
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="_csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -c "$JAR" -b "$JAR" -o /dev/null -d "_csrf=$TOKEN&username=bench.viewer.$$&password=bench-password-123" "$BASE/login"
SESSION=$(awk '$6=="chitieu_session" {print $7}' "$JAR")
[ -n "$SESSION" ] || { echo "log-in failed" >&2; exit 1; }
run() {
  local name=$1 url=$2; shift 2
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")
  [ "$code" = 200 ] || { echo "$name: HTTP $code for $url" >&2; exit 1; }
  echo
  echo "== $name: $url"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" | tee "$WORK/$name.txt" | grep -E 'Requests/sec|Latency  |  50%|  90%|  99%'
}
run dashboard "$BASE/app?unit=$UNIT&period=$PERIOD" -H "Cookie: chitieu_session=$SESSION"
run portal "$BASE/portal/unit/$UNIT?period=$PERIOD"
echo
for name in dashboard portal; do
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$name.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/$name.txt")
  echo "$name: ${rps} requests/s, p99 ${p99} (goal: p99 < 50ms at >= 500 requests/s)"
done
