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

log "ready"
