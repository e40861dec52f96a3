// BENCHMARK ONLY (scripts/bench-wasm.sh): times the WebAssembly verifier in
// Node on one bundle, reading it the way verify.js does (256 KiB chunks), and
// reports peak RSS. Usage: node js/bench.js PKG_DIR BUNDLE
'use strict';

const fs = require('node:fs');
const path = require('node:path');

async function main() {
  const [pkg, file] = process.argv.slice(2);
  const wasm = require(path.resolve(pkg, 'sluice_verifier_wasm.js'));
  const started = process.hrtime.bigint();
  const v = new wasm.Verifier(undefined);
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
    bytes += chunk.length;
    v.push(chunk);
  }
  const s = v.finish();
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({
    proofVerifier: wasm.proofVerifier(),
    epochs: s.epochs,
    bytes,
    seconds: +secs.toFixed(6),
    us_per_epoch: +((secs * 1e6) / s.epochs).toFixed(3),
    max_rss_mib: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
