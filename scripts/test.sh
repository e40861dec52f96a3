#!/usr/bin/env bash
# Runs every Sluice test on a fresh machine: installs what is missing, builds
# the guests, then lints and tests the whole workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[test]\033[0m %s\n' "$*" >&2; }

scripts/setup.sh
scripts/build-guests.sh

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "verifier builds for wasm32-unknown-unknown without std"
cargo build --locked -p verifier --no-default-features --target wasm32-unknown-unknown

log "cargo test"
cargo test --workspace --locked
