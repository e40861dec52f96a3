#!/usr/bin/env bash
# Runs every Sluice test on a fresh machine: installs what is missing, builds
# the guests, then lints and tests the whole workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each stage's line says how long the run has taken so far (CI's budget is
# 45 minutes on two cores).
log() { printf '\033[1m[test]\033[0m [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

scripts/setup.sh
scripts/build-guests.sh

log "cargo fmt --check"
cargo fmt --all -- --check
(cd fuzz && cargo fmt -- --check)
(cd guest && cargo fmt --all -- --check)
(cd guest/patches && cargo fmt --all -- --check)

log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "guest SDK, precompiles and patched sha2 / tiny-keccak: unit tests on the host (in software)"
host_target=$(rustc -vV | sed -n 's/^host: //p')
(cd guest && cargo test --locked -p sluice-guest -p sluice-precompiles --no-default-features \
    --target "$host_target" && cargo clippy --locked -p sluice-guest -p sluice-precompiles \
    --no-default-features --all-targets --target "$host_target" -- -D warnings)
(cd guest/patches && cargo test --locked -p sha2 -p tiny-keccak --features tiny-keccak/fips202 \
    --target "$host_target" && cargo clippy --locked -p sha2 -p tiny-keccak --all-targets \
    --features tiny-keccak/fips202,sha2/oid --target "$host_target" -- -D warnings)
# The tiny-keccak replacement refuses the constructions it lacks, by name.
refusal=$(cd guest/patches && cargo check --locked -p tiny-keccak --features kmac \
    --target "$host_target" 2>&1 || true)
grep -q "provides only Keccak, SHA-3 and SHAKE" <<<"$refusal" ||
    { printf '%s\n' "$refusal" >&2; log "tiny-keccak with kmac was not refused"; exit 1; }

log "verifier builds for wasm32-unknown-unknown without std"
cargo build --locked -p verifier --no-default-features --target wasm32-unknown-unknown

log "cargo test"
# The executor's differential test against QEMU must run here, not skip.
SLUICE_REQUIRE_QEMU=1 cargo test --workspace --locked

# The tamper suites again, in zero-knowledge mode: every forged witness and
# tampered proof must be rejected by the ZK verifier too
# (`sluice_prover::prove::params_under_test`).
log "tamper suites in zero-knowledge mode (SLUICE_TEST_ZK=1)"
# One --workspace invocation reuses what `cargo test --workspace` built.
SLUICE_TEST_ZK=1 cargo test --workspace --locked --lib --test io_tables --test input_state \
    --test precompile_pointers \
    --test stark_chain

# WebAssembly verifier: the shipped module, then the test-only build whose
# epoch proof verifier is the test double, and the generator of test-double
# bundles. The Node and Chromium tests below exercise the stream, the
# bindings, verify.js and the page with those: not the STARK verifier.
log "WebAssembly verifier (clippy for wasm32, build, test-double build)"
cargo clippy --locked -p verifier-wasm --target wasm32-unknown-unknown -- -D warnings
scripts/build-wasm.sh
scripts/build-wasm.sh --test-double
cargo build --release --locked -p verifier-wasm --features test-double --example test_bundle

log "a real bundle for the WebAssembly tests: prove the collatz guest"
# The test profile reuses the dependencies `cargo test` just built (all at
# opt-level 3) and puts the binary in target/debug/.
cargo build --locked --profile test -p prover --bin prover
rm -f build/collatz.bundle
status=0
target/debug/prover prove build/guests/collatz.elf --epoch-size-log2 12 -o build/collatz.bundle || status=$?
# `prove` exits 1 when the guest's exit code (here 97, its answer) is not 0.
if [ "$status" -ne 1 ] || [ ! -f build/collatz.bundle ]; then
    log "proving build/collatz.bundle failed (exit $status)"
    exit 1
fi

log "a real bundle with input and public output: sha256(\"abc\") with the SHA-256 precompile"
rm -f build/sha256.bundle
printf 'abc' > build/abc.txt
target/debug/prover prove build/guests/sha256.elf --input build/abc.txt --epoch-size-log2 12 \
    -o build/sha256.bundle

log "the same in zero-knowledge mode"
rm -f build/sha256-zk.bundle
target/debug/prover prove build/guests/sha256.elf --input build/abc.txt --epoch-size-log2 12 \
    --zk -o build/sha256-zk.bundle

log "Keccak precompile bundles: keccak256(\"abc\"), plain and zero-knowledge"
for mode in plain zk; do
    rm -f "build/keccak-$mode.bundle"
    target/debug/prover prove build/guests/keccak.elf --input build/abc.txt --epoch-size-log2 12 \
        $([ "$mode" = zk ] && echo --zk) -o "build/keccak-$mode.bundle"
done

log "the host library examples: typed input in, typed output out (stats guest)"
rm -f build/stats.bundle
cargo run --locked --profile test -p prover --example stats_host -- build/guests/stats.elf \
    build/stats.bundle
cargo run --locked --profile test -p verifier --example verify_bundle -- build/stats.bundle \
    build/guests/stats.elf
# The same bundle checked against another guest's image ID must be rejected
# (exit 1, "rejected"), not fail for another reason.
status=0
target/debug/examples/verify_bundle build/stats.bundle build/guests/echo.elf \
    2> build/stats-wrong-image.txt || status=$?
if [ "$status" -ne 1 ] || ! grep -q "^rejected: .*image-id" build/stats-wrong-image.txt; then
    log "verify_bundle did not reject build/stats.bundle as a proof of echo.elf (exit $status)"
    cat build/stats-wrong-image.txt >&2
    exit 1
fi

log "node --test: verify.js and the browser page (headless Chromium)"
node --test verifier-wasm/js/test/verify.test.js verifier-wasm/js/test/library.test.mjs \
    verifier-wasm/js/test/package.test.mjs verifier-wasm/js/test/browser.test.js \
    verifier-wasm/js/test/stark.test.js verifier-wasm/js/test/hostile.test.js

log "fuzzing smoke run: every cargo-fuzz target for 15 s, one build (scripts/fuzz.sh)"
SLUICE_FUZZ_SMOKE=1 scripts/fuzz.sh 15
log "every test passed"
