// Times verification of one bundle in headless Chromium through the page
// (module Web Worker, streaming fetch), for docs/benchmarks.md.
//
//   node verifier-wasm/js/bench-browser.js BUNDLE [JOBS]
//
// JOBS: proof-checking workers (the page's ?jobs=; default: the page's).
// Prints epochs, wall seconds from the click to the verdict, ms/epoch, and
// the summed peak RSS (VmHWM) of every Chromium process of the run.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { chromium } = require('playwright-core');

async function main() {
  const bundle = process.argv[2];
  if (!bundle || !fs.existsSync(bundle)) {
    console.error('usage: node verifier-wasm/js/bench-browser.js BUNDLE');
    process.exit(2);
  }
  const root = path.resolve(__dirname, '..', '..');
  const jobs = process.argv[3];
  const site = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-web-'));
  fs.cpSync(path.join(root, 'web'), site, { recursive: true });
  fs.copyFileSync(bundle, path.join(site, 'bundle.bin'));
  const { startServer } = await import(pathToFileURL(path.join(root, 'web', 'serve.mjs')).href);
  const server = await startServer({ root: site, port: 0 });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Extra flags to measure with, e.g. SLUICE_CHROMIUM_ARGS='--js-flags=--no-wasm-dynamic-tiering'.
      ...(process.env.SLUICE_CHROMIUM_ARGS ? process.env.SLUICE_CHROMIUM_ARGS.split(' ') : [])],
  });
  try {
    const page = await context.newPage();
    await page.goto(jobs ? `${base}?jobs=${jobs}` : base);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await page.fill('#url', base + 'bundle.bin');
    const started = process.hrtime.bigint();
    await page.click('#url-form button');
    await page.waitForSelector('#status.ok, #status.bad', { timeout: 600000 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ok = await page.$('#status.ok');
    const epochs = ok ? Number((await page.textContent('#s-epochs')).replace(/,/g, '')) : NaN;
    const workers = Number(await page.getAttribute('body', 'data-jobs'));
    // Where the proofs were checked and for how long (the page lists the
    // last 500 epochs as "— N ms on worker K"): summed per worker, to tell
    // contention (each proof slower) from serialisation (workers idle).
    const perWorker = {};
    for (const text of await page.$$eval('#epochs .where', (spans) => spans.map((e) => e.textContent))) {
      const m = / (\d+) ms on (?:worker (\d+)|the coordinator)/.exec(text);
      if (!m) continue;
      const w = perWorker[m[2] ?? '0'] ?? (perWorker[m[2] ?? '0'] = { epochs: 0, ms: 0 });
      w.epochs += 1;
      w.ms += Number(m[1]);
    }
    console.log(JSON.stringify({ verified: Boolean(ok), epochs, jobs: workers, seconds, msPerEpoch: (seconds * 1000) / epochs, perWorker, chromiumPeakRssMiB: peakRssMiB(profile) }));
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

/// Summed VmHWM of the processes whose command line names `profile`
/// (Chromium's browser, renderer, GPU and utility processes of this run).
function peakRssMiB(profile) {
  let kib = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profile) && !isChildOf(pid, profile)) continue;
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kib += Number(m[1]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return Math.round(kib / 1024);
}

function isChildOf(pid, profile) {
  // Zygote-forked renderers do not repeat the profile; their parent chain does.
  for (let p = pid, depth = 0; p && p !== '1' && depth < 6; depth++) {
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    p = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    if (p !== '1' && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(profile)) return true;
  }
  return false;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
