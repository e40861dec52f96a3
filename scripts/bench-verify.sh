#!/usr/bin/env bash
# Verification benchmark (not a test): wall time and peak RSS of
# `prover verify`, `node verify.js` and the page in headless Chromium at 1
# and 2 proof-checking workers on real STARK bundles, the module's size, and
# Node's peak RSS from 10 to 1,000 epochs (test-double bundles, so that the
# stream and the worker pool, not the proofs, are what grows).
#
#   scripts/bench-verify.sh             bundles under build/bench-verify/
#
# The bundles are proven once (fibonacci, n = 100,000 and 400,000, epochs of
# 2^14 cycles; n = 100,000 at 2^18) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build/bench-verify
mkdir -p "$dir"
scripts/build-guests.sh >/dev/null
scripts/build-wasm.sh >/dev/null 2>&1
scripts/build-wasm.sh --test-double >/dev/null 2>&1
cargo build --release --locked -q -p prover
cargo build --release --locked -q -p verifier-wasm --features test-double --example test_bundle
prover=target/release/prover

bundle() { # NAME N K
    local f="$dir/$1.bundle"
    if [ ! -f "$f" ]; then
        python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<I', $2))" >"$dir/$1.in"
        "$prover" prove build/guests/fibonacci.elf --input "$dir/$1.in" --epoch-size-log2 "$3" -o "$f" >/dev/null 2>&1
    fi
    echo "$f"
}
e14=$(bundle e14 100000 14)
e14long=$(bundle e14-long 400000 14)
e18=$(bundle e18 100000 18)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^avx' | sort -u | tr '\n' ' ')"
echo "node $(node --version); chromium $(chromium --version 2>/dev/null | awk '{print $2}')"
size=$(stat -c %s verifier-wasm/pkg/web/sluice_verifier_wasm_bg.wasm)
gz=$(gzip -9 -c verifier-wasm/pkg/web/sluice_verifier_wasm_bg.wasm | wc -c)
echo "module: $size bytes, $gz gzipped"

epochs_of() { "$prover" verify --json --jobs 1 "$1" 2>/dev/null | sed 's/.*"epochs":\([0-9]*\).*/\1/'; }
timed() { # prints "seconds peak_KiB" of a command (best of 3 for the time, its RSS)
    local best= rss=
    for _ in 1 2 3; do
        local out
        /usr/bin/time -o "$dir/time.txt" -f '%e %M' "$@" >/dev/null 2>&1 || true
        out=$(tail -1 "$dir/time.txt")
        local t=${out% *}
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; rss=${out#* }; fi
    done
    echo "$best $rss"
}

printf '\n%-22s %-7s %-6s %-12s %-12s %-10s\n' bundle epochs jobs runner seconds "peak RSS"
for f in "$e18" "$e14" "$e14long"; do
    n=$(epochs_of "$f")
    for jobs in 1 2; do
        read -r t r < <(timed "$prover" verify --jobs "$jobs" "$f")
        printf '%-22s %-7s %-6s %-12s %-12s %-10s\n' "$(basename "$f")" "$n" "$jobs" native "$t" "$((r / 1024)) MiB"
        read -r t r < <(timed node verifier-wasm/verify.js --jobs "$jobs" "$f")
        printf '%-22s %-7s %-6s %-12s %-12s %-10s\n' "$(basename "$f")" "$n" "$jobs" node "$t" "$((r / 1024)) MiB"
        j=$(node verifier-wasm/js/bench-browser.js "$f" "$jobs")
        t=$(echo "$j" | sed 's/.*"seconds":\([0-9.]*\).*/\1/')
        r=$(echo "$j" | sed 's/.*"chromiumPeakRssMiB":\([0-9]*\).*/\1/')
        printf '%-22s %-7s %-6s %-12s %-12.2f %-10s\n' "$(basename "$f")" "$n" "$jobs" chromium "$t" "$r MiB*"
    done
done
echo "(* Chromium: summed peak RSS of all its processes, browser and GPU included; seconds from the click to the verdict)"

printf '\n%-8s %-10s %-16s %-16s\n' epochs bundle "node RSS jobs=1" "node RSS jobs=2"
gen=target/release/examples/test_bundle
for n in 10 100 1000; do
    f="$dir/td-$n.bin"
    "$gen" --epochs "$n" --epoch-size-log2 20 --last-cycles 1000 --proof-bytes 300000 -o "$f" >/dev/null
    SLUICE_WASM_PKG=verifier-wasm/pkg-test-double/web /usr/bin/time -o "$dir/time.txt" -f '%M' node verifier-wasm/verify.js --jobs 1 "$f" >/dev/null 2>&1
    r1=$(tail -1 "$dir/time.txt")
    SLUICE_WASM_PKG=verifier-wasm/pkg-test-double/web /usr/bin/time -o "$dir/time.txt" -f '%M' node verifier-wasm/verify.js --jobs 2 "$f" >/dev/null 2>&1
    r2=$(tail -1 "$dir/time.txt")
    printf '%-8s %-10s %-16s %-16s\n' "$n" "$(( $(stat -c %s "$f") / 1048576 )) MiB" "$((r1 / 1024)) MiB" "$((r2 / 1024)) MiB"
    rm -f "$f"
done
