#!/usr/bin/env bash
# The main job end to end, on a fresh machine: set up, build, run an example
# guest.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[demo]\033[0m %s\n' "$*" >&2; }

scripts/setup.sh
scripts/build-guests.sh

log "building the prover (release)"
cargo build --release --locked -p prover

prover=target/release/prover

log "fibonacci(40): the input is n as a little-endian u32"
printf '\x28\x00\x00\x00' > build/fib-input.bin
"$prover" execute build/guests/fibonacci.elf --input build/fib-input.bin --epoch-size-log2 16

log "sha256 of this script"
"$prover" execute build/guests/sha256.elf --input scripts/demo.sh --epoch-size-log2 16

log "WebAssembly verifier: build the module for Node (verify.js) and the page (web/)"
scripts/build-wasm.sh
node verifier-wasm/verify.js --help | head -3
echo "Serve the page with: node web/serve.mjs 8000  (then open http://127.0.0.1:8000/)" >&2
