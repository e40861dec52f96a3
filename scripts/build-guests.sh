#!/usr/bin/env bash
# Builds every guest program the tests and the demo run:
#   guest/examples/<name>  (Rust, sluice-guest SDK) -> build/guests/<name>.elf
#   guest/patches/hashes   (patched sha2/tiny-keccak) -> build/guests/hashes.elf
#   tests/programs/<name>.S (GNU assembler)         -> build/programs/<name>.elf
#   tests/programs/<name>.c (C, guest/c SDK)        -> build/programs/<name>.elf
# and checks that each ELF holds only RV32IM instructions: no compressed (C)
# and no atomic (A) encodings, which the VM does not implement.
# `scripts/build-guests.sh --check ELF...` runs only that check.
#
# Idempotent and fast when nothing changed: cargo rebuilds only what changed,
# an assembled or C program is rebuilt only when its source (or an include,
# the C SDK or this script) is newer than its ELF, and an ELF is copied into
# build/ only when it differs.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

log() { printf '\033[1m[build-guests]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[build-guests] error:\033[0m %s\n' "$*" >&2; exit 1; }

TARGET=riscv32im-unknown-none-elf
GCC=riscv64-unknown-elf-gcc
OBJDUMP=riscv64-unknown-elf-objdump

tools_present() {
    command -v "$GCC" >/dev/null && command -v "$OBJDUMP" >/dev/null &&
        rustup target list --installed 2>/dev/null | grep -qx "$TARGET"
}
if ! tools_present; then
    log "toolchain incomplete: running scripts/setup.sh"
    scripts/setup.sh
fi

mkdir -p build/guests build/programs

# Fails loudly if the ELF contains a compressed or atomic instruction.
check_rv32im() {
    local elf=$1 bad
    # objdump prints "addr:<TAB>hex<TAB>mnemonic operands"; a 16-bit (C)
    # instruction has 4 hex digits instead of 8.
    bad=$("$OBJDUMP" -d -M no-aliases "$elf" | awk -F'\t' '
            /^ +[0-9a-f]+:\t/ {
                raw = $2; gsub(/ /, "", raw)
                split($3, m, /[ \t]/); op = m[1]
                if (length(raw) == 4 || op ~ /^c\./) { print "compressed: " $0; next }
                if (op ~ /^(lr|sc|amo)[a-z]*\./) { print "atomic: " $0 }
            }')
    if [ -n "$bad" ]; then
        printf '%s\n' "$bad" | head -20 >&2
        die "$elf contains instructions outside RV32IM (see above)"
    fi
}

# `build-guests.sh --check ELF...` only runs the RV32IM check on the given
# files (used by the tests to show that the check rejects C/A instructions).
if [ "${1:-}" = --check ]; then
    shift
    [ "$#" -gt 0 ] || die "usage: $0 --check ELF..."
    for elf in "$@"; do check_rv32im "$elf"; done
    log "ok: $* contain only RV32IM instructions"
    exit 0
fi

# Copies $1 to $2 only if the contents differ (keeps mtimes stable).
install_if_changed() {
    if ! cmp -s "$1" "$2"; then
        cp "$1" "$2"
        log "updated $2"
    fi
}

# --- Rust guests -----------------------------------------------------------
# Cargo reads guest/.cargo/config.toml (target, linker script) only when run
# from inside guest/.
(cd guest && cargo build --release --locked --quiet)
for manifest in guest/examples/*/Cargo.toml; do
    name=$(basename "$(dirname "$manifest")")
    # Libraries the examples share (types a guest and its host both use).
    [ -f "guest/examples/$name/src/main.rs" ] || continue
    elf=guest/target/$TARGET/release/$name
    [ -f "$elf" ] || die "cargo did not produce $elf"
    check_rv32im "$elf"
    install_if_changed "$elf" "build/guests/$name.elf"
done

# The guest whose `sha2` and `tiny-keccak` are patched to the precompiles
# (guest/patches: a workspace of its own, since a patch is workspace-wide).
(cd guest/patches && cargo build --release --locked --quiet -p hashes)
elf=guest/patches/target/$TARGET/release/hashes
[ -f "$elf" ] || die "cargo did not produce $elf"
check_rv32im "$elf"
install_if_changed "$elf" build/guests/hashes.elf

# --- Assembled test programs -----------------------------------------------
# -Ttext-segment (not -Ttext) keeps the ELF header segment at 0x10000 instead
# of 0xf000, which the loader rejects as reserved. --no-relax: these programs
# never set gp, so the linker must not turn accesses into gp-relative ones.
# A program is rebuilt when it, a shared include, or this script is newer.
newer_than() {
    local elf=$1 dep
    shift
    for dep in "$@"; do
        [ -e "$dep" ] && [ "$dep" -nt "$elf" ] && return 0
    done
    return 1
}
for src in tests/programs/*.S; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .S)
    elf=build/programs/$name.elf
    if [ ! -f "$elf" ] || newer_than "$elf" "$src" "$self" tests/programs/*.inc; then
        "$GCC" -march=rv32im -mabi=ilp32 -nostdlib -nostartfiles -static \
            -Wl,-Ttext-segment=0x10000 -Wl,--build-id=none -Wl,--no-relax \
            -o "$elf.tmp" "$src"
        check_rv32im "$elf.tmp"
        # The self-check's expected values, recomputed from the spec.
        if [ "$name" = rv32im_selfcheck ]; then
            if command -v python3 >/dev/null; then
                python3 tests/programs/check_selfcheck_values.py >&2 ||
                    die "expected values in $src disagree with the spec"
            else
                log "python3 not found: not re-checking $src's expected values"
            fi
        fi
        mv "$elf.tmp" "$elf"
        log "assembled $elf"
    fi
done

# --- C test programs --------------------------------------------------------
# The C SDK (guest/c): crt0.S sets sp and gp, zeroes .bss, calls main and
# exits with its result; sluice.c holds read/write/_exit and the mem*
# functions gcc may call; sluice.ld places the image at 0x10000. The line is
# the one docs/guests.md gives for C guests.
C_SDK=(guest/c/sluice.h guest/c/sluice.c guest/c/crt0.S guest/c/sluice.ld)
for src in tests/programs/*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    [ -e "tests/programs/$name.S" ] && die "both $name.S and $name.c would build $name.elf"
    elf=build/programs/$name.elf
    if [ ! -f "$elf" ] || newer_than "$elf" "$src" "$self" "${C_SDK[@]}"; then
        "$GCC" -march=rv32im -mabi=ilp32 -O2 -ffreestanding -nostdlib \
            -Wall -Wextra -Werror -Iguest/c -T guest/c/sluice.ld \
            -Wl,--no-warn-rwx-segments \
            guest/c/crt0.S guest/c/sluice.c "$src" -lgcc -o "$elf.tmp"
        check_rv32im "$elf.tmp"
        mv "$elf.tmp" "$elf"
        log "compiled $elf"
    fi
done

log "ok: $(ls build/guests/*.elf | wc -l) guests, $(ls build/programs/*.elf 2>/dev/null | wc -l) programs"
