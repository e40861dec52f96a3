#!/usr/bin/env bash
# Installs everything Sluice needs on a fresh machine. Idempotent: every step
# checks first and does nothing when its tool is already there.
set -euo pipefail

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        log "apt-get update"
        as_root apt-get update -qq
        apt_updated=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Rust targets: the verifier must build for WebAssembly, guests for RV32IM.
for target in wasm32-unknown-unknown riscv32im-unknown-none-elf; do
    if ! rustup target list --installed | grep -qx "$target"; then
        log "rustup target add $target"
        rustup target add "$target"
    fi
done

# Debian's bare-metal RISC-V gcc assembles the test programs; its objdump
# checks that every guest is pure RV32IM.
if ! command -v riscv64-unknown-elf-gcc >/dev/null || ! command -v riscv64-unknown-elf-objdump >/dev/null; then
    apt_install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf
fi

# WebAssembly verifier: the wasm-bindgen CLI must be exactly the version of the
# `wasm-bindgen` crate pinned in Cargo.toml, or the generated glue does not
# match the module.
wasm_bindgen_version=0.2.129
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
    log "cargo install wasm-bindgen-cli $wasm_bindgen_version"
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --locked
fi

# Node packages of verify.js and its tests (playwright-core drives the system
# Chromium; it downloads no browser). Reinstalled only when the lock changed.
verifier_wasm="$(cd "$(dirname "$0")/.." && pwd)/verifier-wasm"
if ! cmp -s "$verifier_wasm/package-lock.json" "$verifier_wasm/node_modules/.sluice-installed-lock"; then
    log "npm ci (verifier-wasm)"
    (cd "$verifier_wasm" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$verifier_wasm/package-lock.json" "$verifier_wasm/node_modules/.sluice-installed-lock"
fi

# Headless Chromium for the browser end-to-end test.
if ! command -v chromium >/dev/null || ! [ -d /usr/share/fonts/truetype/liberation ]; then
    apt_install chromium fonts-liberation
fi

# QEMU's RISC-V user-mode emulator: the executor's differential test
# (tests/tests/qemu_differential.rs).
if ! command -v qemu-riscv32 >/dev/null; then
    apt_install qemu-user
fi

# Redis for distributed proving's tests (prover/tests/distributed.rs starts
# its own server on a free port, data in a temp dir).
if ! command -v redis-server >/dev/null; then
    apt_install redis-server
fi

# Coverage-guided fuzzing (scripts/fuzz.sh): cargo-fuzz needs nightly.
if ! rustup toolchain list | grep -q '^nightly'; then
    log "rustup toolchain install nightly --profile minimal"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    log "cargo install cargo-fuzz --locked"
    cargo install cargo-fuzz --locked
fi

log "ready"
