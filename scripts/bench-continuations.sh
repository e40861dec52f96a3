#!/usr/bin/env bash
# Continuations benchmark (not a test): the prover's peak RSS and wall time
# as the number of epochs grows at a fixed epoch size, then native and Node
# verification of each bundle (wall time and peak RSS).
#
# The guest reads n (a u32 LE) and runs longer as n grows, so the epoch count
# is chosen by n alone: same program, same epoch size, 1 / 10 / 100 / ~1000
# epochs. The default, `fibonacci`, does the same work in every epoch (ten
# instructions per step, registers and one stack page), so any growth of the
# prover's peak RSS would come from the number of epochs. `primes` (a sieve
# of n bytes) is the contrast: each epoch touches more pages as n grows.
#
#   scripts/bench-continuations.sh [GUEST] [K] [N...]
#   (default: fibonacci 10 10 1000 10200 102300;
#    primes with the same K: N = 10 650 6700 64000)
set -euo pipefail
cd "$(dirname "$0")/.."

guest=${1:-fibonacci}
k=${2:-10}
shift 2 || shift $#
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(10 1000 10200 102300)
elf=build/guests/$guest.elf

scripts/build-guests.sh >/dev/null 2>&1
scripts/build-wasm.sh >/dev/null 2>&1
cargo build --release --locked -q -p prover
prover=target/release/prover
dir=build/bench-continuations
mkdir -p "$dir"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB; node $(node --version)"
echo "guest: $elf, epochs of 2^$k cycles, default --jobs (at most $(nproc))"
echo
echo "| n | cycles | epochs | bundle bytes | prove wall | prover peak RSS | native verify | native RSS | node verify.js | node RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${ns[@]}"; do
    input="$dir/n$n.bin"
    bundle="$dir/$guest-n$n-k$k.bundle"
    python3 -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('<I', int(sys.argv[2])))" "$input" "$n"
    run=$("$prover" execute "$elf" --input "$input" --epoch-size-log2 "$k" 2>&1)
    cycles=$(awk '/^cycles:/{print $2}' <<<"$run")
    epochs=$(awk '/^epochs:/{print $2}' <<<"$run")
    t="$dir/time.txt"
    measure() { /usr/bin/time -o "$t" -f "%e s|%M" "$@" >/dev/null 2>&1; tail -1 "$t"; }
    prove=$(measure "$prover" prove "$elf" --input "$input" --epoch-size-log2 "$k" -o "$bundle")
    native=$(measure "$prover" verify "$bundle" --elf "$elf")
    node=$(measure node verifier-wasm/verify.js "$bundle")
    size=$(stat -c %s "$bundle")
    rm -f "$bundle"
    kib() { awk -v k="$1" 'BEGIN{printf "%.1f MiB", k/1024}'; }
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$cycles" "$epochs" \
        "$size" "${prove%%|*}" "$(kib "${prove##*|}")" \
        "${native%%|*}" "$(kib "${native##*|}")" "${node%%|*}" "$(kib "${node##*|}")"
done
