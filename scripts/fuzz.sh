#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets) for SECONDS each (default
# 60), after installing what is missing (scripts/setup.sh: the nightly
# toolchain and cargo-fuzz). Seeds: the committed ones in fuzz/seeds/<target>, plus real
# bundles and proofs proven here into fuzz/generated/ (with the guests that
# scripts/build-guests.sh builds). The working corpus is fuzz/corpus/<target>
# (kept between runs); crashes land in fuzz/artifacts/<target>.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Long runs: SLUICE_FUZZ_RUNS=N stops each target after N executions (SECONDS
# still caps it), and SLUICE_FUZZ_SANITIZER=none builds the decoder targets
# without AddressSanitizer (debug assertions, overflow checks and comparison
# tracing stay; about 3x the executions per second) in fuzz/target-long.
#
# Smoke runs (CI): SLUICE_FUZZ_SMOKE=1 builds every target once, in one
# flavor (optimized, debug assertions and overflow checks, no sanitizer, no
# comparison tracing) in fuzz/target-smoke: one nightly build of the
# dependencies instead of two, about 6 minutes less on two cores.
#
# Exits non-zero as soon as a target finds a crash. See docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }

seconds="${1:-60}"
shift || true

# The nightly toolchain and cargo-fuzz come with the project's set-up.
if ! rustup toolchain list | grep -q '^nightly' || ! cargo fuzz --version >/dev/null 2>&1; then
    scripts/setup.sh
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cd fuzz && cargo +nightly fuzz list)
fi

# Real bundles and proofs: a 2-epoch run of the echo guest, in both modes.
generated=fuzz/generated
if [ ! -f "$generated/real.bundle" ] || [ ! -f "$generated/real-zk.bundle" ]; then
    [ -f build/guests/echo.elf ] || scripts/build-guests.sh
    prover=target/debug/prover
    if [ ! -x "$prover" ]; then
        log "cargo build --profile test -p prover"
        cargo build --locked --profile test -p prover --bin prover
    fi
    mkdir -p "$generated"
    printf 'fuzz' > "$generated/input"
    for mode in plain zk; do
        out="$generated/real.bundle"
        flags=()
        if [ "$mode" = zk ]; then out="$generated/real-zk.bundle"; flags=(--zk); fi
        log "proving $out"
        "$prover" prove build/guests/echo.elf --input "$generated/input" --epoch-size-log2 6 \
            "${flags[@]}" -o "$out" 2>/dev/null
    done
    # The stream targets read a chunking prefix first: 0 = one push.
    for b in real real-zk; do printf '\x00' | cat - "$generated/$b.bundle" > "$generated/stream-$b"; done
    # Each epoch proof alone, behind the epoch-size byte `epoch_proof` reads
    # (6 - 4 = 2), as epoch_proof seeds.
    python3 - "$generated" <<'EOF'
import pathlib, struct, sys
out = pathlib.Path(sys.argv[1])
for name in ["real.bundle", "real-zk.bundle"]:
    b = (out / name).read_bytes()
    at, n = 12, 0
    while at < len(b):
        kind, length = b[at], struct.unpack_from("<I", b, at + 1)[0]
        body = b[at + 5 : at + 5 + length]
        if kind == 2:  # an epoch record
            statement_len = struct.unpack_from("<I", body, 8)[0]
            proof = body[16 + statement_len :]
            (out / f"proof-{name}-{n}").write_bytes(bytes([2]) + proof)
            n += 1
        at += 5 + length
EOF
fi

for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    [ -d "fuzz/seeds/$target" ] && cp -n fuzz/seeds/"$target"/* "$corpus"/ 2>/dev/null || true
    max_len=65536
    # The targets that run the STARK verifier on every input are built
    # without comparison tracing and with branch folding (18x the
    # executions per second), in their own target directory; the decoders
    # keep the default instrumentation (AddressSanitizer, debug assertions,
    # comparison tracing).
    flavor=()
    case "${SLUICE_FUZZ_SMOKE:-}:$target" in
        1:*)
            flavor=(-O -a -s none --no-trace-compares --disable-branch-folding=false
                --target-dir target-smoke) ;;
        *:stream_stark | *:bundle_mutate)
            flavor=(-O -s none --no-trace-compares --disable-branch-folding=false
                --target-dir target-stark) ;;
        *)
            if [ "${SLUICE_FUZZ_SANITIZER:-address}" = none ]; then
                flavor=(-s none --target-dir target-long)
            fi ;;
    esac
    limits=(-max_total_time="$seconds")
    [ -n "${SLUICE_FUZZ_RUNS:-}" ] && limits+=(-runs="$SLUICE_FUZZ_RUNS")
    case "$target" in
        stream_stark) cp -n "$generated"/stream-* "$corpus"/; max_len=2097152 ;;
        epoch_proof) cp -n "$generated"/proof-* "$corpus"/; max_len=1048576 ;;
    esac
    log "$target: ${seconds} s"
    status=0
    (cd fuzz && cargo +nightly fuzz run "${flavor[@]}" "$target" "corpus/$target" -- \
        "${limits[@]}" -max_len="$max_len" -rss_limit_mb=4096 -timeout=60 \
        -print_final_stats=1) > "fuzz/$target.log" 2>&1 || status=$?
    grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|INFO: seed corpus|SUMMARY|thread '.*' panicked|error)" \
        "fuzz/$target.log" >&2 || true
    if [ "$status" -ne 0 ]; then
        tail -40 "fuzz/$target.log" >&2
        log "$target failed (exit $status); crash inputs: fuzz/artifacts/$target, log: fuzz/$target.log"
        exit 1
    fi
done
log "every target ran ${seconds} s without a crash"
