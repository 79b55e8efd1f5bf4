#!/usr/bin/env bash
# Installs what the build and the tests need when it is missing (Debian). The build: librdkafka is
# compiled with TLS against the system's OpenSSL (libssl-dev, found through pkg-config), and with
# zlib (zlib1g-dev; without it a bundled copy is compiled). The tests: tmux drives the console
# test, sqlite3 is handy for reading store.db, prometheus (with promtool) scrapes the metrics
# endpoint in tests/metrics.rs, stunnel4 is the TLS terminator in front of the Kafka and CQL test
# peers, and the openssl tool makes their CA and certificates.
set -euo pipefail
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v stunnel4 >/dev/null 2>&1 || missing+=(stunnel4)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
