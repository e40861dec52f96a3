#!/usr/bin/env bash
# The main job end to end, on a fresh machine: set up, build, prove an example
# guest into bundle.bin while it streams, then verify that bundle natively and
# with `node verify.js` (the WebAssembly verifier).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[demo]\033[0m %s\n' "$*" >&2; }

scripts/setup.sh
scripts/build-guests.sh

log "building the prover (release)"
cargo build --release --locked -p prover
prover=target/release/prover

log "building the WebAssembly verifier (Node and browser)"
scripts/build-wasm.sh

log "run the guests natively (no proof): fibonacci(40) and sha256 of this script"
printf '\x28\x00\x00\x00' > build/fib-input.bin
"$prover" execute build/guests/fibonacci.elf --input build/fib-input.bin --epoch-size-log2 16
"$prover" execute build/guests/sha256.elf --input scripts/demo.sh --epoch-size-log2 16

# The guest proven here is sha256: it reads its private input and commits the
# digest as public output. The verifiers print that output; anyone can check
# it against `printf 'The quick brown fox jumps over the lazy dog' | sha256sum`.
printf 'The quick brown fox jumps over the lazy dog' > build/demo-input.txt
log "prove sha256 of build/demo-input.txt in epochs of 2^12 cycles into bundle.bin"
"$prover" prove build/guests/sha256.elf --input build/demo-input.txt --epoch-size-log2 12 -o bundle.bin

log "verify bundle.bin natively, pinned to the ELF's image ID"
"$prover" verify bundle.bin --elf build/guests/sha256.elf

log "verify bundle.bin with node verify.js (WebAssembly)"
node verifier-wasm/verify.js --elf build/guests/sha256.elf bundle.bin

log "live: prove to stdout and verify the stream as it is produced"
"$prover" prove build/guests/sha256.elf --input build/demo-input.txt --epoch-size-log2 12 -o - 2>/dev/null |
    node verifier-wasm/verify.js --elf build/guests/sha256.elf -

log "done. To verify in a browser: node web/serve.mjs 8000, open http://127.0.0.1:8000/ and drop bundle.bin"
