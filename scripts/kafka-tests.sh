#!/usr/bin/env bash
# Runs the Kafka tests that need a real broker: installs tansu (a Kafka-protocol broker) if it is
# missing, starts it on a free loopback port with its data in a temp dir, runs
# `tests/kafka_tansu.rs` against it, and stops it by PID; then `tests/kafka_secure.rs`, whose tests
# start their own tansu behind stunnel (TLS, SASL). `--bench` also runs `benches/kafka.rs`.
set -euo pipefail

TANSU_VERSION=0.6.0
cd "$(dirname "$0")/.."

bin_dir="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
tansu="$bin_dir/tansu"
if ! [ -x "$tansu" ] || ! "$tansu" --version 2>/dev/null | grep -q "$TANSU_VERSION"; then
  echo "kafka-tests: installing tansu $TANSU_VERSION (about 15 minutes on 2 cores)" >&2
  cargo install --locked tansu --version "$TANSU_VERSION" --features libsql,dynostore
fi

# A free port: a random one that nothing answers on.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}
port=$(free_port)
data=$(mktemp -d)
pid=
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap stop EXIT

# tansu reads a sqlite:// path relative to its working directory: start it inside the data dir.
cd "$data"
"$tansu" broker \
  --listener-url "tcp://127.0.0.1:$port" \
  --advertised-listener-url "tcp://127.0.0.1:$port" \
  --storage-engine "sqlite://tansu.db" >"$data/tansu.log" 2>&1 &
pid=$!
cd - >/dev/null

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "kafka-tests: tansu exited at start:" >&2
    cat "$data/tansu.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "kafka-tests: tansu $TANSU_VERSION on 127.0.0.1:$port (pid $pid)" >&2

export USERSTREAM_KAFKA="127.0.0.1:$port"
cargo test --test kafka_tansu -- --ignored --test-threads=1
USERSTREAM_TANSU="$tansu" cargo test --test kafka_secure -- --ignored --test-threads=1
if [ "${1:-}" = "--bench" ]; then
  cargo bench --bench kafka
fi
