// BENCHMARK ONLY (docs/benchmarks.md, "Issues 12 and 13, protocol 6"):
// verifies one bundle ROUNDS times in one Node process with the package's
// low-level `Verifier`, and prints each pass's time. The first pass pays
// V8's tier-up from baseline code and the verifier's one-time work per
// shape; later passes show the steady state.
//
//   node verifier-wasm/js/bench-passes.mjs BUNDLE [ROUNDS]   (default 4)
//
// SLUICE_WASM_PKG is not read: it times the module the package loads
// (verifier-wasm/pkg/web, from scripts/build-wasm.sh).
import { readFileSync } from 'node:fs';

import { init, Verifier } from '../lib/node.mjs';

const [bundle, rounds = '4'] = process.argv.slice(2);
if (!bundle) {
  console.error('usage: node verifier-wasm/js/bench-passes.mjs BUNDLE [ROUNDS]');
  process.exit(2);
}
const started = performance.now();
await init();
console.log(`load and instantiate: ${(performance.now() - started).toFixed(1)} ms`);
const data = readFileSync(bundle);
for (let round = 0; round < Number(rounds); round++) {
  const t = performance.now();
  const v = new Verifier();
  for (let i = 0; i < data.length; i += 1 << 20) v.push(data.subarray(i, i + (1 << 20)));
  v.finish();
  console.log(`pass ${round + 1}: ${(performance.now() - t).toFixed(1)} ms`);
}
