#!/usr/bin/env bash
# End-to-end headless figures of the embedded defaults, for one build or two compared in the same
# run. Runs are interleaved (this build, baseline, this build, …) so a noisy machine hits both
# alike; each figure is the median of RUNS runs, printed beside the baseline's with the ratio.
#
#   scripts/bench-pipeline.sh [BIN] [BASELINE_BIN]
#
# BIN defaults to target/release/userstream. Environment:
#   RECORDS=1000000  records of the throughput runs      RUNS=3  runs per figure
#   LONG=0           records of one long run per binary (10000000: rate of the first and last
#                    million, memory over time, disk against rows); 0 skips it
#   PARTS="throughput randomuser latency long"           which parts run
#   MIN_FREE_MB=12288  a run is stopped (and the script fails) when the disk under TMPDIR has
#                      less free space than this; every run's data dir is deleted once measured
# The randomuser part serves 5,000-user pages of tests/data/randomuser/mixed-500.json (each
# page with its own ids) from a local HTTP server, which needs python3.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bins=("${1:-$here/target/release/userstream}")
[[ -n "${2:-}" ]] && bins+=("$2")
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
LONG=${LONG:-0}
PARTS=${PARTS:-throughput randomuser latency long}
MIN_FREE_MB=${MIN_FREE_MB:-12288}
work=$(mktemp -d "${TMPDIR:-/tmp}/userstream-bench.XXXXXX")
server_pid=
trap '[[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

# A number out of a JSON line: num LINE KEY.
num() { grep -o "\"$2\":[0-9.e+-]*" <<<"$1" | head -1 | cut -d: -f2; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR ? v[int((NR+1)/2)] : "nan")}'; }

# run NAME BIN ARGS...: one headless run on a fresh data dir. Leaves in $work/NAME: stdout,
# samples ("seconds wal_bytes rss_kib" every 0.2 s), du (bytes of the data dir, store.db*, log).
run() {
  local name=$1 bin=$2
  shift 2
  local out=$work/$name
  rm -rf "$out"
  mkdir -p "$out/data"
  local start
  start=$(date +%s.%N)
  echo "$start" >"$out/start"
  USERSTREAM_LOG=warn "$bin" --data-dir "$out/data" --headless --status-interval 1s "$@" \
    >"$out/stdout" 2>"$out/stderr" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    local wal rss free
    free=$(df --output=avail -m "$out" | tail -1 | tr -d ' ')
    if [[ "$free" -lt "$MIN_FREE_MB" ]]; then
      kill "$pid"
      wait "$pid" || true
      rm -rf "$out/data"
      echo "$name: stopped, the disk has ${free} MB free (MIN_FREE_MB=$MIN_FREE_MB)" >&2
      exit 1
    fi
    wal=$(stat -c %s "$out/data/store.db-wal" 2>/dev/null || echo 0)
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    echo "$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {print a - b}') $wal ${rss:-0}" \
      >>"$out/samples"
    sleep 0.2
  done
  if ! wait "$pid"; then
    echo "$name: $bin $* failed:" >&2
    tail -5 "$out/stderr" >&2
    exit 1
  fi
  {
    du -sb "$out/data" | cut -f1
    du -scb "$out/data"/store.db* | tail -1 | cut -f1
    du -sb "$out/data/log" 2>/dev/null | cut -f1 || echo 0
  } >"$out/du"
  # The long runs' stored values are the one figure read from the data; then it goes at once,
  # so one run's data is on the disk at a time.
  if [[ "$name" == long-* ]]; then values_mb "$name" >"$out/values"; fi
  rm -rf "$out/data"
}

summary() { tail -1 "$work/$1/stdout"; }
wal_peak_mb() { awk '$2 > m {m = $2} END {printf "%.1f\n", m / 1048576}' "$work/$1/samples"; }
du_mb() { sed -n "${2}p" "$work/$1/du" | awk '{printf "%.1f\n", $1 / 1048576}'; }
du_mb_1() { du_mb "$1" 1; }
du_mb_2() { du_mb "$1" 2; }
# The stored values' size in MB (every column's length, ids as text), when sqlite3 is there.
values_mb() {
  command -v sqlite3 >/dev/null || { echo nan; return; }
  local db=$work/$1/data/store.db sum
  sum=$(sqlite3 "$db" "SELECT group_concat('length(' || name || ')', ' + ')
    FROM pragma_table_info('created_users')")
  sqlite3 "$db" "SELECT printf('%.1f', SUM($sum) / 1048576.0) FROM created_users"
}

# report LABEL UNIT VALUE...: one figure per binary, with the ratio of the first two.
report() {
  local label=$1 unit=$2
  shift 2
  local ratio=""
  if [[ $# -ge 2 ]]; then
    ratio=$(awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 != 0) printf "ratio %.2f", a / b}')
  fi
  printf '%-46s' "$label"
  for v in "$@"; do printf ' %12s' "$v"; done
  printf ' %-10s %s\n' "$unit" "$ratio"
}

# interleaved PART ARGS...: RUNS runs of every binary, alternating; runs are named PART-i-b.
interleaved() {
  local part=$1
  shift
  for i in $(seq 1 "$RUNS"); do
    for b in "${!bins[@]}"; do run "$part-$i-$b" "${bins[$b]}" "$@"; done
  done
}

# per_bin PART FUNCTION: the median over runs of FUNCTION RUN_NAME, for every binary.
per_bin() {
  local part=$1 f=$2 out=()
  for b in "${!bins[@]}"; do
    out+=("$(for i in $(seq 1 "$RUNS"); do $f "$part-$i-$b"; done | median)")
  done
  echo "${out[@]}"
}

rate() { num "$(summary "$1")" records_per_s; }
rss_mb() { num "$(summary "$1")" peak_rss_mb; }
p50() { summary "$1" | grep -o '"p50":[0-9.]*' | head -1 | cut -d: -f2; }
p99() { summary "$1" | grep -o '"p99":[0-9.]*' | head -1 | cut -d: -f2; }
stored_ok() {
  local stored
  stored=$(num "$(summary "$1")" stored)
  [[ "$stored" == "$2" ]] || { echo "$1 stored $stored of $2 records" >&2; exit 1; }
}

names=()
for b in "${bins[@]}"; do names+=("$(basename "$b")"); done
echo "userstream pipeline figures: $(nproc) cores, medians of $RUNS runs, runs interleaved"
report "" "" "${names[@]}"

if [[ " $PARTS " == *" throughput "* ]]; then
  interleaved sy --max-records "$RECORDS" --rate max
  for i in $(seq 1 "$RUNS"); do for b in "${!bins[@]}"; do stored_ok "sy-$i-$b" "$RECORDS"; done; done
  read -ra synthetic <<<"$(per_bin sy rate)"
  report "synthetic, $RECORDS records, --rate max" records/s "${synthetic[@]}"
  report "  peak RSS" MB $(per_bin sy rss_mb)
  report "  peak store.db-wal" MB $(per_bin sy wal_peak_mb)
  report "  store.db and WAL at the end" MB $(per_bin sy "du_mb_2")
  report "  data dir at the end" MB $(per_bin sy "du_mb_1")
fi
if [[ " $PARTS " == *" randomuser "* ]]; then
  if ! command -v python3 >/dev/null; then
    echo "randomuser part skipped: python3 is not installed" >&2
  else
    port_file=$work/port
    python3 - "$here/tests/data/randomuser/mixed-500.json" "$port_file" <<'PY' &
import http.server, json, sys, threading
users = json.load(open(sys.argv[1]))["results"]
page0 = []
for i in range(5000):
    u = json.loads(json.dumps(users[i % len(users)]))
    u["login"]["uuid"] = "00000000-0000-4000-8000-%012x" % i
    page0.append(u)
template = json.dumps({"results": page0, "info": {"results": 5000, "version": "1.4"}})
lock, counter = threading.Lock(), [0]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with lock:
            counter[0] += 1
            page = counter[0]
        body = template.replace("00000000-0000-4000-8000-",
                                "%08x-%04x-4000-8000-" % (page & 0xffffffff, page >> 32)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
    server_pid=$!
    for _ in $(seq 50); do [[ -s "$port_file" ]] && break; sleep 0.1; done
    url="http://127.0.0.1:$(cat "$port_file")/api/"
    interleaved ru --source randomuser --api-url "$url" --batch-size 5000 \
      --max-records "$RECORDS" --rate max
    read -ra random <<<"$(per_bin ru rate)"
    report "randomuser (local server, 5000/page), $RECORDS" records/s "${random[@]}"
    if [[ -n "${synthetic:-}" ]]; then
      share=()
      for b in "${!bins[@]}"; do
        share+=("$(awk -v r="${random[$b]}" -v s="${synthetic[$b]}" 'BEGIN {printf "%.0f", 100 * r / s}')")
      done
      report "  as a share of synthetic" % "${share[@]}"
    fi
    kill "$server_pid"
    server_pid=
  fi
fi

if [[ " $PARTS " == *" latency "* ]]; then
  interleaved la --rate 10000 --duration 10s
  report "10,000 records/s offered for 10 s: p50" ms $(per_bin la p50)
  report "  p99" ms $(per_bin la p99)
  report "  stored" records/s $(per_bin la rate)
fi

# The seconds from NAME's start until its stored count reached N, interpolated between the
# status lines' timestamps (a loaded machine prints them late, so their count is no clock):
# at NAME N.
at() {
  awk -v n="$2" -v start="$(cat "$work/$1/start")" '
    # Seconds since 1970 of an RFC 3339 UTC time ("2026-12-02T15:13:09.905236Z").
    function epoch(ts,   y, mo, era, yoe, mp, doe) {
      y = substr(ts, 1, 4) + 0; mo = substr(ts, 6, 2) + 0
      if (mo <= 2) y--
      era = int(y / 400); yoe = y - era * 400; mp = (mo + 9) % 12
      doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + int((153 * mp + 2) / 5) \
        + substr(ts, 9, 2) - 1
      return (era * 146097 + doe - 719468) * 86400 + substr(ts, 12, 2) * 3600 \
        + substr(ts, 15, 2) * 60 + substr(ts, 18) + 0
    }
    match($0, /"stored":[0-9]+/) && match($0, /"ts":"[^"]+"/) {
      stored = substr($0, index($0, "\"stored\":") + 9) + 0
      t = epoch(substr($0, RSTART + 6, RLENGTH - 7)) - start
      if (stored >= n) {
        step = stored - prev
        print prev_t + (step > 0 ? (n - prev) * (t - prev_t) / step : 0)
        exit
      }
      prev = stored; prev_t = t
    }' "$work/$1/stdout"
}

if [[ " $PARTS " == *" long "* && "$LONG" -gt 0 ]]; then
  million=$((LONG < 1000000 ? LONG : 1000000))
  for b in "${!bins[@]}"; do
    run "long-$b" "${bins[$b]}" --max-records "$LONG" --rate max
    stored_ok "long-$b" "$LONG"
  done
  first=() last=() flat=() rss60=() rss_after=() rows=() ratio=()
  for b in "${!bins[@]}"; do
    f=$(awk -v m="$million" -v t="$(at "long-$b" "$million")" 'BEGIN {printf "%.0f", m / t}')
    l=$(awk -v m="$million" -v a="$(at "long-$b" $((LONG - million)))" \
      -v z="$(at "long-$b" "$LONG")" 'BEGIN {printf "%.0f", m / (z - a)}')
    first+=("$f")
    last+=("$l")
    flat+=("$(awk -v f="$f" -v l="$l" 'BEGIN {printf "%.0f", 100 * l / f}')")
    rss60+=("$(awk '$1 >= 60 && $3 > 0 {printf "%.1f", $3 / 1024; exit}' "$work/long-$b/samples")")
    rss_after+=("$(awk '$1 >= 60 && $3 > m {m = $3} END {printf "%.1f", m / 1024}' "$work/long-$b/samples")")
  done
  report "$LONG records: overall" records/s $(for b in "${!bins[@]}"; do rate "long-$b"; done)
  report "  first million" records/s "${first[@]}"
  report "  last million" records/s "${last[@]}"
  report "  last as a share of first" % "${flat[@]}"
  report "  peak RSS" MB $(for b in "${!bins[@]}"; do rss_mb "long-$b"; done)
  report "  RSS at 60 s" MB "${rss60[@]}"
  report "  highest RSS after 60 s" MB "${rss_after[@]}"
  report "  peak store.db-wal" MB $(for b in "${!bins[@]}"; do wal_peak_mb "long-$b"; done)
  report "  store.db and WAL at the end" MB $(for b in "${!bins[@]}"; do du_mb "long-$b" 2; done)
  report "  stored values (ids as text)" MB $(for b in "${!bins[@]}"; do cat "$work/long-$b/values"; done)
  report "  log at the end" MB $(for b in "${!bins[@]}"; do du_mb "long-$b" 3; done)
  report "  data dir at the end" MB $(for b in "${!bins[@]}"; do du_mb "long-$b" 1; done)
fi
