// Times verification of one bundle in headless Chromium through the page
// (module Web Worker, streaming fetch), for docs/benchmarks.md.
//
//   node verifier-wasm/js/bench-browser.js BUNDLE [JOBS]
//
// JOBS: proof-checking workers (the page's ?jobs=; default: the page's).
// Prints epochs, wall seconds from the click to the verdict, ms/epoch, and
// the summed peak RSS (VmHWM) of every Chromium process of the run. With
// SLUICE_BENCH_THREADS=1 it also prints the CPU seconds the run's Chromium
// threads used from the click to the verdict, by process type and thread
// name, busiest first: what shares the cores with the proof-checking
// workers (threads that ended before the verdict are not counted).
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
    // The verdict is awaited with a MutationObserver inside the page, not
    // Playwright's waitForSelector, which polls on every animation frame and
    // so keeps the page's thread and the compositor busy beside the workers.
    const verdict = page.evaluate(() => new Promise((resolve) => {
      const status = document.getElementById('status');
      const done = () => status.classList.contains('ok') || status.classList.contains('bad');
      new MutationObserver((_, observer) => {
        if (done()) {
          observer.disconnect();
          resolve();
        }
      }).observe(status, { attributes: true, attributeFilter: ['class'] });
    }));
    const cpuBefore = process.env.SLUICE_BENCH_THREADS ? threadCpu(profile) : null;
    const started = process.hrtime.bigint();
    await page.click('#url-form button');
    await verdict;
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
    if (cpuBefore) {
      // CPU used from the click to the verdict (threads that ended meanwhile,
      // such as the proof workers, are not counted).
      const after = threadCpu(profile);
      const used = Object.entries(after).map(([k, v]) => [k, Math.round((v - (cpuBefore[k] ?? 0)) * 100) / 100]);
      console.log(JSON.stringify(Object.fromEntries(used.filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]))));
    }
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

/// Summed VmHWM of the processes whose command line names `profile`
/// (Chromium's browser, renderer, GPU and utility processes of this run).
function peakRssMiB(profile) {
  let kib = 0;
  for (const { pid } of runProcesses(profile)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kib += Number(m[1]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return Math.round(kib / 1024);
}

/// CPU seconds (user + system) so far of every thread of this run's
/// Chromium processes, summed by "process type/thread name".
function threadCpu(profile) {
  const ticks = 100; // USER_HZ
  const byName = {};
  for (const { pid, cmdline } of runProcesses(profile)) {
    const type = (/--type=([a-z-]+)/.exec(cmdline) || [null, 'browser'])[1];
    try {
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = statFields(stat);
        const key = `${type}/${name}`;
        byName[key] = (byName[key] ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticks;
      }
    } catch {
      // The process or thread ended meanwhile.
    }
  }
  return byName;
}

/// The live processes of this run: those whose command line names
/// `profile`, and those forked from one.
function runProcesses(profile) {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(profile) || isChildOf(pid, profile)) found.push({ pid, cmdline });
    } catch {
      // The process ended meanwhile.
    }
  }
  return found;
}

/// The fields of a `/proc/…/stat` line after the command name: the state
/// is field 0, the parent's pid field 1.
function statFields(stat) {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function isChildOf(pid, profile) {
  // Zygote-forked renderers do not repeat the profile; their parent chain does.
  for (let p = pid, depth = 0; p && p !== '1' && depth < 6; depth++) {
    p = statFields(fs.readFileSync(`/proc/${p}/stat`, 'utf8'))[1];
    if (p !== '1' && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(profile)) return true;
  }
  return false;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
