#!/usr/bin/env bash
# Differential test of the executor against qemu-riscv32 on N random RV32IM
# programs (default 10,000; the test suite runs 150). Prints the programs,
# the instructions executed and the count per opcode.
#
#   scripts/qemu-diff.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v qemu-riscv32 >/dev/null || scripts/setup.sh
SLUICE_REQUIRE_QEMU=1 SLUICE_QEMU_PROGRAMS="${1:-10000}" \
    cargo test --locked -p sluice-e2e --test qemu_differential -- --nocapture
