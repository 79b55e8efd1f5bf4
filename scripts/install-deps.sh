#!/usr/bin/env bash
# Installs the system tools the tests use when they are missing (Debian): tmux drives the console
# test, sqlite3 is handy for reading store.db, prometheus (with promtool) scrapes the metrics
# endpoint in tests/metrics.rs, stunnel4 and openssl put a real TLS server (and its certificates)
# in front of the CQL test peer. The build itself needs only cargo and gcc.
set -euo pipefail
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v stunnel4 >/dev/null 2>&1 || missing+=(stunnel4)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
