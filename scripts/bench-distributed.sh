#!/usr/bin/env bash
# Local proving against distributed proving on this machine
# (docs/distributed.md, "Overhead"): `prove --jobs 2` against a coordinator
# (`prove --queue`) with two `prover worker --jobs 1`, on the same guest and
# epoch size, alternating ROUNDS times. Prints wall times and checks the
# bundles are identical.
#
#   scripts/bench-distributed.sh [ELF] [EPOCH_LOG2] [ROUNDS] [INPUT]
set -euo pipefail
cd "$(dirname "$0")/.."
elf=${1:-build/guests/primes.elf}
k=${2:-16}
rounds=${3:-2}
input=${4:-}
prover=target/release/prover
[ -x "$prover" ] || cargo build --release --locked -p prover
command -v redis-server >/dev/null || scripts/setup.sh

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" \
    >/dev/null 2>&1 &
redis_pid=$!
workers=()
cleanup() {
    kill "${workers[@]}" "$redis_pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
url=redis://127.0.0.1:$port
in_args=()
[ -n "$input" ] && in_args=(--input "$input")

for _ in 1 2; do
    "$prover" worker --queue "$url" --jobs 1 2>>"$dir/workers.log" &
    workers+=($!)
done

now() { date +%s.%N; }
for r in $(seq "$rounds"); do
    t0=$(now)
    "$prover" prove "$elf" "${in_args[@]}" --epoch-size-log2 "$k" --jobs 2 \
        -o "$dir/local.bundle" 2>"$dir/local.log" || [ $? -eq 1 ]
    t1=$(now)
    "$prover" prove "$elf" "${in_args[@]}" --epoch-size-log2 "$k" --jobs 2 --queue "$url" \
        -o "$dir/queue.bundle" 2>"$dir/queue.log" || [ $? -eq 1 ]
    t2=$(now)
    cmp -s "$dir/local.bundle" "$dir/queue.bundle" || { echo "bundles differ" >&2; exit 1; }
    epochs=$(grep -o 'proved [0-9]* epochs' "$dir/local.log" | grep -o '[0-9]*')
    printf 'round %s: %s epochs of 2^%s; local --jobs 2: %.2f s; queue, 2 workers --jobs 1: %.2f s; %s\n' \
        "$r" "$epochs" "$k" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" \
        "$(grep '^queue:' "$dir/queue.log")"
done
echo "bundles identical; $(wc -c < "$dir/local.bundle") bytes"
