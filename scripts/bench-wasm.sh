#!/usr/bin/env bash
# WebAssembly verifier benchmark (not a test): per-epoch verify time in Node
# (WebAssembly) vs native on the same bundles, and peak RSS of
# `node verify.js` for 1 to 10,000 epochs.
#
# TEST DOUBLE: until the STARK verifier is wired into the WebAssembly build,
# the bundles are test-double bundles (proofs = a SHA-256 tag repeated to
# PROOF_BYTES) checked by the test-double build, so these figures are the cost
# of the stream machinery (framing, decoding, chain checks, the stream
# checksum and the proof-byte comparison) in each runtime — not of STARK
# verification.
#
#   scripts/bench-wasm.sh [PROOF_BYTES]     (default 65536)
set -euo pipefail
cd "$(dirname "$0")/.."

proof_bytes=${1:-65536}
scripts/build-wasm.sh --test-double >/dev/null 2>&1
cargo build --release --locked -q -p verifier-wasm --features test-double --examples
gen=target/release/examples/test_bundle
native=target/release/examples/verify_native
pkg=verifier-wasm/pkg-test-double/node
dir=build/bench-wasm
mkdir -p "$dir"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB; node $(node --version)"
echo "proof bytes per epoch: $proof_bytes (test-double proofs)"
printf '%-8s %-12s %-22s %-22s %-16s\n' epochs bundle "native us/epoch" "node-wasm us/epoch" "verify.js RSS"
for epochs in 1 10 100 1000 10000; do
    f="$dir/e$epochs.bin"
    "$gen" --epochs "$epochs" --epoch-size-log2 20 --last-cycles 1000 --output "bench" \
        --proof-bytes "$proof_bytes" -o "$f" >/dev/null
    size=$(stat -c %s "$f")
    # Best of three for the timings.
    n_best=; w_best=
    for _ in 1 2 3; do
        n=$("$native" "$f" | sed 's/.*"us_per_epoch":\([0-9.]*\).*/\1/')
        w=$(node verifier-wasm/js/bench.js "$pkg" "$f" | sed 's/.*"us_per_epoch":\([0-9.]*\).*/\1/')
        n_best=$(awk -v a="$n" -v b="${n_best:-$n}" 'BEGIN{print (a<b)?a:b}')
        w_best=$(awk -v a="$w" -v b="${w_best:-$w}" 'BEGIN{print (a<b)?a:b}')
    done
    rss=$( (SLUICE_WASM_PKG="$pkg" /usr/bin/time -f 'RSS %M' node verifier-wasm/verify.js --json "$f" >/dev/null) 2>&1 | sed -n 's/^RSS //p')
    printf '%-8s %-12s %-22s %-22s %-16s\n' "$epochs" "$((size / 1024)) KiB" "$n_best" "$w_best" "$((rss / 1024)) MiB"
    rm -f "$f"
done
