#!/usr/bin/env bash
# The chaos test in its long form: `scripts/chaos.sh [ROUNDS] [SEED]` (default 500 rounds) runs
# tests/chaos.rs against a release build. Full-disk rounds mount a tmpfs, so run it as root.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHAOS_ROUNDS="${1:-500}"
export CHAOS_SEED="${2:-20261202}"
cargo test --release --test chaos -- --ignored --nocapture
