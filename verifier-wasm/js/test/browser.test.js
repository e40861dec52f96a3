// The browser page end to end in headless Chromium: serve web/, verify a good
// bundle through the file picker, then a tampered one through the URL form,
// and check what the page shows. Screenshots go to build/.
//
// TEST DOUBLE: the page is served with the `test-double` build of the module
// (from a copy of web/ under build/, never web/ itself) and test-double
// bundles, so this exercises the page, the worker, streaming and the
// bindings, not the STARK epoch verifier.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const { ROOT, TEST_PKG, GENERATOR, requireBuilt, tempDir, makeBundle, records } = require('./helpers.js');
const http = require('node:http');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');

requireBuilt();
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.SLUICE_CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const BUILD = path.join(ROOT, 'build');
const SITE = path.join(BUILD, 'web-test-double');
const EPOCHS = 6;
const OUTPUT = 'Hello, browser!';
// Where the page loads the module from (scripts/build-wasm.sh puts it there).
const WASM_DIR = path.join('sluice-verify', 'pkg', 'web');

let server;
let profile;
let context;
let page;
let base;
let good;

test.before(async () => {
  // A copy of the page with the test-double module in the library's place.
  fs.rmSync(SITE, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'web'), SITE, { recursive: true });
  for (const f of ['sluice_verifier_wasm.js', 'sluice_verifier_wasm_bg.wasm']) {
    fs.copyFileSync(path.join(TEST_PKG, 'web', f), path.join(SITE, WASM_DIR, f));
  }
  good = makeBundle(path.join(SITE, 'good.bin'), { epochs: EPOCHS, epochSizeLog2: 5, lastCycles: 9, exitCode: 0, output: OUTPUT });
  const bytes = fs.readFileSync(good.file);
  const rec = records(bytes).find((r) => r.kind === 2 && r.index === 3);
  bytes[rec.proofStart + 5] ^= 0x10;
  fs.writeFileSync(path.join(SITE, 'tampered.bin'), bytes);

  const { startServer } = await import(pathToFileURL(path.join(ROOT, 'web', 'serve.mjs')).href);
  server = await startServer({ root: SITE, port: 0 });
  base = `http://127.0.0.1:${server.address().port}/`;
  profile = tempDir('sluice-chromium-');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1000, height: 1100 },
  });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
});

test.after(async () => {
  if (context) await context.close();
  if (server) await new Promise((resolve) => server.close(resolve));
});

test('server: .wasm as application/wasm with Content-Length and no-store; no escaping the root', async () => {
  const r = await fetch(base + 'sluice-verify/pkg/web/sluice_verifier_wasm_bg.wasm');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/wasm');
  assert.equal(Number(r.headers.get('content-length')), fs.statSync(path.join(SITE, WASM_DIR, 'sluice_verifier_wasm_bg.wasm')).size);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  await r.arrayBuffer();
  const up = await fetch(base + '..%2f..%2fCargo.toml');
  assert.notEqual(up.status, 200);
  assert.equal((await fetch(base + 'nope.bin')).status, 404);
});

test('page verifies a good bundle from the file picker (test-double proof verifier)', async () => {
  assert.match(await page.textContent('#verifier-kind'), /test double/);
  await page.setInputFiles('#file', good.file);
  await page.waitForSelector('#status.ok', { timeout: 30000 });
  assert.equal(await page.textContent('#status-title'), 'Verified');
  assert.equal(await page.textContent('#s-image-id'), good.imageId);
  assert.equal(await page.textContent('#s-epochs'), String(EPOCHS));
  assert.equal(await page.textContent('#s-cycles'), String((EPOCHS - 1) * 32 + 9));
  assert.equal(await page.textContent('#s-exit-code'), '0');
  assert.equal(await page.textContent('#s-output-text'), OUTPUT);
  assert.equal(await page.textContent('#s-output-hex'), Buffer.from(OUTPUT).toString('hex'));
  assert.equal(await page.locator('#epochs li').count(), EPOCHS);
  assert.match(await page.textContent('#epochs li:last-child'), /halted/);
  assert.equal(await page.isVisible('#failure'), false);
  assert.equal(await page.$eval('#bytes-bar', (e) => e.value / e.max), 1);
  fs.mkdirSync(BUILD, { recursive: true });
  await page.screenshot({ path: path.join(BUILD, 'web-verified.png'), fullPage: true });
});

test('page rejects a tampered bundle from a URL, naming the epoch and the check (test-double proof verifier)', async () => {
  await page.fill('#url', base + 'tampered.bin');
  await page.click('#url-form button');
  await page.waitForSelector('#status.bad', { timeout: 30000 });
  assert.equal(await page.textContent('#status-title'), 'Rejected');
  const failure = await page.textContent('#failure');
  assert.match(failure, /at epoch 3/);
  assert.match(failure, /check "proof"/);
  assert.match(failure, /test-double-proof/);
  assert.equal(await page.isVisible('#summary'), false);
  // Epochs before the tampered one were verified (they arrived in the same
  // chunk as the failure, so they are counted in the message).
  assert.match(failure, /epochs 0–2 verified before it/);
  const color = await page.$eval('#failure', (e) => getComputedStyle(e).color);
  assert.equal(color, 'rgb(170, 0, 0)');
  await page.screenshot({ path: path.join(BUILD, 'web-rejected.png'), fullPage: true });
});

test('page rejects a bundle for another program when an image ID is expected', async () => {
  const other = makeBundle(path.join(SITE, 'other.bin'), { seed: 'other program' });
  await page.fill('#image-id', good.imageId);
  await page.fill('#url', base + 'other.bin');
  await page.click('#url-form button');
  await page.waitForSelector('#status.bad', { timeout: 30000 });
  assert.match(await page.textContent('#failure'), /check "image-id"/);
  assert.match(await page.textContent('#failure'), new RegExp(other.imageId));
  await page.fill('#image-id', '');
});

test('page verifies a dropped 200-epoch bundle streamed in many chunks (test-double proof verifier)', async () => {
  const big = makeBundle(path.join(SITE, 'big.bin'), { epochs: 200, epochSizeLog2: 6, lastCycles: 1, output: 'many epochs', proofBytes: 4096, seed: 'big' });
  const bytes = fs.readFileSync(big.file);
  assert.ok(bytes.length > 4 * 65536, 'several File.stream() chunks');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([raw], 'dropped.bin'));
    return dt;
  }, bytes.toString('base64'));
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  await page.waitForSelector('#status.ok', { timeout: 60000 });
  assert.equal(await page.textContent('#s-image-id'), big.imageId);
  assert.equal(await page.textContent('#s-epochs'), '200');
  assert.equal(await page.textContent('#s-cycles'), (199 * 64 + 1).toLocaleString('en'));
  assert.equal(await page.textContent('#s-output-text'), 'many epochs');
  assert.equal(await page.locator('#epochs li').count(), 200);
  assert.match(await page.textContent('#epochs-text'), /^200 epochs, 12,737 cycles$/);
});

test('page verifies and rejects the same way with 1 and 3 proof-checking workers (test-double proof verifier)', async () => {
  for (const jobs of [1, 3]) {
    const p = await context.newPage();
    try {
      await p.goto(`${base}?jobs=${jobs}&url=${encodeURIComponent(base + 'good.bin')}`);
      await p.waitForSelector('#status.ok', { timeout: 30000 });
      assert.equal(await p.getAttribute('body', 'data-jobs'), String(jobs));
      assert.equal(await p.textContent('#s-epochs'), String(EPOCHS));
      assert.equal(await p.locator('#epochs li').count(), EPOCHS);
      // Each epoch says how long its proof took and where.
      const where = await p.locator('#epochs li .where').allTextContents();
      assert.equal(where.length, EPOCHS);
      for (const w of where) assert.match(w, jobs === 1 ? /^ — \d+ ms on the coordinator$/ : /^ — \d+ ms on worker [1-3]$/);
      assert.match(await p.textContent('#rate'), new RegExp(`^[0-9.]+ (B|KiB|MiB|GiB)/s · [0-9.]+ epochs/s · [0-9.]+ s · ${jobs} workers?$`));
      // The chart drew both series: pixels of both colours on the canvas.
      const colours = await p.$eval('#chart', (c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let bytes = 0;
        let epochs = 0;
        for (let i = 0; i < d.length; i += 4) {
          const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
          if (a < 128) continue;
          // Blue-ish (#3a6ea5) and green-ish (#2e8b57), antialiasing allowed.
          if (b - g > 25 && b - r > 50) bytes++;
          if (g - r > 40 && g - b > 20) epochs++;
        }
        return { bytes, epochs };
      });
      assert.ok(colours.bytes > 20 && colours.epochs > 20, JSON.stringify(colours));
      if (jobs === 3) await p.screenshot({ path: path.join(BUILD, 'web-parallel.png'), fullPage: true });
      await p.fill('#url', base + 'tampered.bin');
      await p.click('#url-form button');
      await p.waitForSelector('#status.bad', { timeout: 30000 });
      const failure = await p.textContent('#failure');
      assert.match(failure, /at epoch 3/, `${jobs} jobs`);
      assert.match(failure, /epochs 0–2 verified before it/, `${jobs} jobs`);
    } finally {
      await p.close();
    }
  }
});

// ---- hostile URLs --------------------------------------------------------

/// Resident memory of the whole browser (every Chromium process of this
/// test's profile and their children), in bytes.
function browserRss() {
  const procs = new Map();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const rssLine = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
      procs.set(pid, { ppid, cmd, rss: rssLine ? Number(rssLine.split(/\s+/)[1]) * 1024 : 0 });
    } catch {
      // The process ended while being read.
    }
  }
  const ours = new Set([...procs].filter(([, p]) => p.cmd.includes(profile)).map(([pid]) => pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!ours.has(pid) && ours.has(p.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of ours) total += procs.get(pid).rss;
  return total;
}

/// A server on another origin (CORS allowed) whose responses never end:
/// /valid streams test-double epochs forever (test_bundle --endless),
/// /junk a valid preamble then random bytes forever, /stall a bad proof
/// then silence. Counts what each
/// response sent and notes when the browser closed it.
async function startHostileServer() {
  const responses = [];
  const srv = http.createServer((req, res) => {
    const r = { path: req.url, sent: 0, closed: false };
    responses.push(r);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' });
    res.on('close', () => (r.closed = true));
    if (req.url === '/stall') {
      // The tampered bundle up to the end of epoch 4 (epoch 3's proof is
      // bad), then silence: the connection stays open.
      const bytes = fs.readFileSync(path.join(SITE, 'tampered.bin'));
      const upTo = records(bytes).find((x) => x.kind === 2 && x.index === 4).end;
      res.write(bytes.subarray(0, upTo));
      r.sent += upTo;
    } else if (req.url === '/valid') {
      // 64 KiB proofs: a page that kept each record would grow by 64 KiB
      // an epoch, far above the noise of summing Chromium's processes.
      const gen = spawn(GENERATOR, ['--endless', '--proof-bytes', '65536', '--epoch-size-log2', '4', '-o', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
      gen.stdout.on('data', (d) => (r.sent += d.length));
      gen.stdout.pipe(res);
      res.on('close', () => gen.kill());
    } else {
      const preamble = Buffer.from('89534c554943450a03000000', 'hex');
      res.write(preamble);
      r.sent += preamble.length;
      const more = () => {
        while (!r.closed) {
          const junk = crypto.randomBytes(65536);
          r.sent += junk.length;
          if (!res.write(junk)) return res.once('drain', more);
        }
      };
      more();
    }
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { srv, responses, url: `http://127.0.0.1:${srv.address().port}` };
}

test('page against a URL that streams valid epochs forever: memory stays flat (test-double proof verifier)', async () => {
  const hostile = await startHostileServer();
  const p = await context.newPage();
  try {
    await p.goto(`${base}?url=${encodeURIComponent(hostile.url + '/valid')}`);
    const epochsShown = async () => Number((await p.textContent('#epochs-text')).match(/^(\d+)/)?.[1] ?? 0);
    const waitEpochs = async (n) => {
      const deadline = Date.now() + 120000;
      while ((await epochsShown()) < n) {
        assert.ok(Date.now() < deadline, `fewer than ${n} epochs after 120 s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await waitEpochs(1000);
    const early = browserRss();
    await waitEpochs(10000);
    const late = browserRss();
    const sent = hostile.responses.find((r) => r.path === '/valid').sent;
    console.log(`endless URL: browser RSS ${(early / 2 ** 20).toFixed(0)} MiB at 1,000 epochs, ${(late / 2 ** 20).toFixed(0)} MiB at 10,000 (${(sent / 2 ** 20).toFixed(0)} MiB received)`);
    // The sum over Chromium's processes moves by about ±100 MiB on its own
    // (measured over 120,000 small epochs); keeping the 9,000 records in
    // between would add 560 MiB.
    assert.ok(late - early < 256 * 2 ** 20, `browser RSS grew from ${early} to ${late}`);
    // The list keeps the latest epochs only.
    assert.ok((await p.locator('#epochs li').count()) <= 1000);
    assert.equal(await p.isVisible('#summary'), false);
  } finally {
    await p.close();
    await new Promise((resolve) => hostile.srv.close(resolve));
    hostile.srv.closeAllConnections?.();
  }
});

test('page against a URL that streams junk forever: rejected, and the download is cancelled', async () => {
  const hostile = await startHostileServer();
  const p = await context.newPage();
  try {
    await p.goto(`${base}?url=${encodeURIComponent(hostile.url + '/junk')}`);
    await p.waitForSelector('#status.bad', { timeout: 30000 });
    assert.match(await p.textContent('#failure'), /in the bundle header or framing/);
    const r = hostile.responses.find((x) => x.path === '/junk');
    const deadline = Date.now() + 10000;
    while (!r.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(`junk URL: rejected; ${(r.sent / 2 ** 20).toFixed(1)} MiB sent before the page closed the response`);
    assert.ok(r.closed, 'the page kept the response open after its verdict');
    assert.ok(r.sent < 64 * 2 ** 20, `${r.sent} bytes sent`);
  } finally {
    await p.close();
    await new Promise((resolve) => hostile.srv.close(resolve));
    hostile.srv.closeAllConnections?.();
  }
});

test('page against a URL that sends a bad proof then stalls: rejected at once, and the download is cancelled', async () => {
  const hostile = await startHostileServer();
  const p = await context.newPage();
  try {
    for (const jobs of [1, 3]) {
      await p.goto(`${base}?jobs=${jobs}&url=${encodeURIComponent(hostile.url + '/stall')}`);
      await p.waitForSelector('#status.bad', { timeout: 30000 });
      assert.match(await p.textContent('#failure'), /at epoch 3/, `${jobs} jobs`);
      const r = hostile.responses.filter((x) => x.path === '/stall').at(-1);
      const deadline = Date.now() + 10000;
      while (!r.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(r.closed, `${jobs} jobs: the page kept the stalled response open after its verdict`);
    }
  } finally {
    await p.close();
    await new Promise((resolve) => hostile.srv.close(resolve));
    hostile.srv.closeAllConnections?.();
  }
});
