#!/usr/bin/env bash
# Builds the WebAssembly verifier and its JavaScript glue.
#
#   scripts/build-wasm.sh                 the shipped module (profile
#       wasm-release: fat LTO, stripped):
#       verifier-wasm/pkg/web/   (wasm-bindgen --target web): the npm package
#           (lib/, verify.js) loads it in Node and browsers; copied with
#           the browser part of lib/ to web/sluice-verify/ for the page
#       verifier-wasm/pkg/node/  (wasm-bindgen --target nodejs): for the tests
#           of the low-level bindings
#   scripts/build-wasm.sh --test-double   the test-only module whose epoch proof
#       verifier is the test double, into verifier-wasm/pkg-test-double/{node,web}
#       (never copied into web/; the tests serve it from a copy of the page).
#
# Idempotent: cargo rebuilds only what changed, and wasm-bindgen runs only when
# the module is newer than its glue. Prints the module size.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[build-wasm]\033[0m %s\n' "$*" >&2; }

features=()
out=verifier-wasm/pkg
copy_to_web=1
case "${1:-}" in
    "") ;;
    --test-double)
        features=(--features test-double)
        out=verifier-wasm/pkg-test-double
        copy_to_web=0
        ;;
    *)
        echo "usage: scripts/build-wasm.sh [--test-double]" >&2
        exit 2
        ;;
esac

want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    echo "wasm-bindgen CLI ${have:-missing}, need $want: run scripts/setup.sh" >&2
    exit 2
fi

log "cargo build --profile wasm-release --target wasm32-unknown-unknown -p verifier-wasm ${features[*]:-}"
cargo build --profile wasm-release --locked --target wasm32-unknown-unknown -p verifier-wasm "${features[@]}"
# Cargo keeps one uplifted copy per crate; keep our own per flavour so the two
# builds do not keep re-running wasm-bindgen on each other's output.
module=target/wasm32-unknown-unknown/wasm-release/sluice_verifier_wasm.wasm
mkdir -p "$out"
if ! cmp -s "$module" "$out/module.wasm"; then
    cp "$module" "$out/module.wasm"
fi

for target in nodejs web; do
    dir="$out/${target/nodejs/node}"
    if [ ! -f "$dir/sluice_verifier_wasm_bg.wasm" ] || [ "$out/module.wasm" -nt "$dir/sluice_verifier_wasm_bg.wasm" ]; then
        log "wasm-bindgen --target $target -> $dir"
        rm -rf "$dir"
        wasm-bindgen --target "$target" --out-dir "$dir" --no-typescript "$out/module.wasm" --out-name sluice_verifier_wasm
    fi
done
# The web glue is an ES module; the npm package (lib/*.mjs) loads it in Node
# too, where a .js file is ESM only under a "type": "module" package.json.
echo '{ "type": "module" }' >"$out/web/package.json"

if [ "$copy_to_web" -eq 1 ]; then
    # The page (web/) runs the npm package's browser build: its lib/ and the
    # web glue, in the package's own layout.
    rm -rf web/pkg
    mkdir -p web/sluice-verify/lib web/sluice-verify/pkg/web
    for f in core.mjs browser.mjs worker-browser.mjs; do
        cmp -s "verifier-wasm/lib/$f" "web/sluice-verify/lib/$f" || cp "verifier-wasm/lib/$f" "web/sluice-verify/lib/$f"
    done
    for f in package.json sluice_verifier_wasm.js sluice_verifier_wasm_bg.wasm; do
        cmp -s "$out/web/$f" "web/sluice-verify/pkg/web/$f" || cp "$out/web/$f" "web/sluice-verify/pkg/web/$f"
    done
fi

size=$(stat -c %s "$out/web/sluice_verifier_wasm_bg.wasm")
gz=$(gzip -9 -c "$out/web/sluice_verifier_wasm_bg.wasm" | wc -c)
log "module: $size bytes ($gz gzipped) in $out"
