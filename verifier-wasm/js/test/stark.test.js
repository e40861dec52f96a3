// The shipped WebAssembly module (the real STARK epoch verifier) on a bundle
// the real prover made: `node verify.js` and the browser page, each on the
// honest bundle and on tampered copies.
//
// scripts/test.sh proves build/collatz.bundle (guest build/guests/collatz.elf)
// right before running this file; SLUICE_STARK_BUNDLE / SLUICE_STARK_ELF
// point elsewhere.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { chromium } = require('playwright-core');

const { ROOT, VERIFY_JS, tempDir, records } = require('./helpers.js');

const BUNDLE = process.env.SLUICE_STARK_BUNDLE || path.join(ROOT, 'build', 'collatz.bundle');
const ELF = process.env.SLUICE_STARK_ELF || path.join(ROOT, 'build', 'guests', 'collatz.elf');
const OTHER_ELF = path.join(ROOT, 'build', 'guests', 'fibonacci.elf');
const SHIPPED_PKG = path.join(ROOT, 'verifier-wasm', 'pkg', 'web');
const BUILD = path.join(ROOT, 'build');

for (const f of [BUNDLE, ELF, path.join(SHIPPED_PKG, 'sluice_verifier_wasm.js'), path.join(ROOT, 'web', 'sluice-verify', 'pkg', 'web', 'sluice_verifier_wasm_bg.wasm')]) {
  if (!fs.existsSync(f)) {
    throw new Error(`${f} is missing: run scripts/test.sh (it builds the module and proves the bundle first)`);
  }
}

const bytes = fs.readFileSync(BUNDLE);
const epochRecords = records(bytes).filter((r) => r.kind === 2);
const dir = tempDir('sluice-stark-test-');

// Issue 13's budget for the shipped module: at most 1 MB, at most 300 KB
// gzipped (zlib level 9). It is 880,972 / 286,816 bytes since protocol 10's
// SHA-256 tables (docs/wasm.md, Module size).
test('the shipped module stays within its size budget', () => {
  const wasm = fs.readFileSync(path.join(SHIPPED_PKG, 'sluice_verifier_wasm_bg.wasm'));
  const gzipped = require('node:zlib').gzipSync(wasm, { level: 9 }).length;
  assert.ok(wasm.length <= 1_000_000, `module is ${wasm.length} bytes, the budget 1,000,000`);
  assert.ok(gzipped <= 300_000, `module is ${gzipped} bytes gzipped, the budget 300,000`);
});

function verifyJs(args, { input } = {}) {
  const r = spawnSync(process.execPath, [VERIFY_JS, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, SLUICE_WASM_PKG: SHIPPED_PKG },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tampered(name, mutate) {
  const copy = Buffer.from(bytes);
  mutate(copy);
  const file = path.join(dir, name);
  fs.writeFileSync(file, copy);
  return file;
}

// The same bundle, checked natively, is the reference for every field.
const reference = (() => {
  const prover = [path.join(ROOT, 'target', 'debug', 'prover'), path.join(ROOT, 'target', 'release', 'prover')].find((p) => fs.existsSync(p));
  if (!prover) throw new Error('no prover binary under target/: run scripts/test.sh');
  const r = spawnSync(prover, ['verify', '--json', BUNDLE], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
})();

test('node verify.js accepts the real bundle with the STARK verifier, pinned to its ELF', () => {
  assert.ok(epochRecords.length >= 2, 'a multi-epoch bundle');
  const r = verifyJs(['--json', '--elf', ELF, BUNDLE]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.verified, true);
  assert.equal(s.proofVerifier, 'stark');
  assert.equal(s.imageId, reference.image_id);
  assert.equal(s.epochs, reference.epochs);
  assert.equal(s.cycles, reference.cycles);
  assert.equal(s.exitCode, reference.exit_code);
  assert.equal(s.epochs, epochRecords.length);
  assert.match(r.stderr, /NOTE: this protocol proves/);
});

test('node verify.js reads the real bundle from stdin', () => {
  const r = verifyJs(['-'], { input: bytes });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^VERIFIED$/m);
  assert.match(r.stdout, /proof verifier stark/);
});

test('a flipped byte inside any epoch proof is rejected at that epoch', () => {
  for (const rec of [epochRecords[0], epochRecords[Math.floor(epochRecords.length / 2)], epochRecords[epochRecords.length - 1]]) {
    const file = tampered(`flip-${rec.index}.bin`, (b) => {
      b[rec.proofStart + Math.floor((rec.end - rec.proofStart) / 2)] ^= 0x01;
    });
    const r = verifyJs(['--json', file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.verified, false);
    assert.equal(out.error.epoch, rec.index);
  }
});

// A guest with input and public output: sha256("abc") with the SHA-256
// precompile (its round table is checked by compiled code, its memory table
// by shipped data), proven by scripts/test.sh into build/sha256.bundle.
const OUTPUT_BUNDLE = path.join(ROOT, 'build', 'sha256.bundle');
const SHA256_ELF = path.join(ROOT, 'build', 'guests', 'sha256.elf');
const ABC_DIGEST = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

test('node verify.js verifies a proven public output and rejects a forged one', () => {
  const r = verifyJs(['--json', '--elf', SHA256_ELF, OUTPUT_BUNDLE]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.verified, true);
  assert.equal(s.exitCode, 0);
  assert.equal(s.outputHex, ABC_DIGEST);
  // Change one output byte inside the last epoch's statement (and nothing
  // else): the proof no longer matches.
  const out = Buffer.from(fs.readFileSync(OUTPUT_BUNDLE));
  const at = out.lastIndexOf(Buffer.from(ABC_DIGEST, 'hex'));
  assert.ok(at > 0, 'the output bytes appear in the bundle');
  out[at + 5] ^= 0x01;
  const file = path.join(dir, 'forged-output.bin');
  fs.writeFileSync(file, out);
  const bad = verifyJs(['--json', file]);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  const rejected = JSON.parse(bad.stdout);
  assert.equal(rejected.verified, false);
  assert.equal(rejected.error.epoch, s.epochs - 1, 'rejected at the epoch that claims the output');
});

// The same guest and input proven with --zk by scripts/test.sh.
const ZK_BUNDLE = path.join(ROOT, 'build', 'sha256-zk.bundle');

test('node verify.js verifies a zero-knowledge bundle and says so', () => {
  const r = verifyJs(['--json', '--elf', SHA256_ELF, ZK_BUNDLE]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.verified, true);
  assert.equal(s.zeroKnowledge, true);
  assert.equal(s.outputHex, ABC_DIGEST);
  const human = verifyJs([ZK_BUNDLE]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /zero-knowledge yes/);
  const plain = verifyJs([OUTPUT_BUNDLE]);
  assert.match(plain.stdout, /zero-knowledge no/);
  const plainJson = JSON.parse(verifyJs(['--json', OUTPUT_BUNDLE]).stdout);
  assert.equal(plainJson.zeroKnowledge, false);
});

// The Keccak precompile's tables (a compiled out-of-domain check, not a
// shipped replay): keccak256("abc") proven by scripts/test.sh in both modes.
const KECCAK_ELF = path.join(ROOT, 'build', 'guests', 'keccak.elf');
const ABC_KECCAK = '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45';

test('node verify.js verifies Keccak precompile bundles in both modes', () => {
  for (const mode of ['plain', 'zk']) {
    const file = path.join(ROOT, 'build', `keccak-${mode}.bundle`);
    const r = verifyJs(['--json', '--elf', KECCAK_ELF, file]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.verified, true, mode);
    assert.equal(s.zeroKnowledge, mode === 'zk');
    assert.equal(s.outputHex, ABC_KECCAK, mode);
    // One flipped byte in the middle of the last proof is rejected.
    const b = Buffer.from(fs.readFileSync(file));
    const last = records(b).filter((rec) => rec.kind === 2).pop();
    b[last.proofStart + Math.floor(last.proofLen / 2)] ^= 0x10;
    const bad = path.join(dir, `keccak-${mode}-flipped.bin`);
    fs.writeFileSync(bad, b);
    const t = verifyJs(['--json', bad]);
    assert.equal(t.code, 1, t.stdout + t.stderr);
    assert.equal(JSON.parse(t.stdout).verified, false);
  }
});

test('flipping the header’s zk flag is rejected, naming the proof mode', () => {
  // The collatz bundle is proven with the default parameters (valid in
  // both modes); the plain sha256 bundle, a short run, with the `short`
  // preset, which zero-knowledge mode does not allow (next test).
  for (const [name, file] of [['zk-as-plain', ZK_BUNDLE], ['plain-as-zk', BUNDLE]]) {
    const b = Buffer.from(fs.readFileSync(file));
    const header = records(b).find((r) => r.kind === 1);
    // The header body: protocol version (1 byte), then the nine parameter
    // bytes, then the zk flag.
    const at = header.bodyStart + 1 + 9;
    assert.ok(b[at] === 0 || b[at] === 1, `zk flag byte of ${name}`);
    b[at] ^= 1;
    const out = path.join(dir, `${name}.bin`);
    fs.writeFileSync(out, b);
    const r = verifyJs(['--json', out]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const e = JSON.parse(r.stdout).error;
    assert.equal(e.epoch, 0);
    assert.match(e.message, /proof mode/);
  }
});

test('a short run’s header flipped to zero knowledge is refused at the header: blowup 16 has no zk mode', () => {
  const b = Buffer.from(fs.readFileSync(OUTPUT_BUNDLE));
  const header = records(b).find((r) => r.kind === 1);
  const at = header.bodyStart + 1;
  assert.equal(b[at], 4, 'the sha256 bundle uses the short preset (log_blowup 4)');
  b[at + 9] ^= 1;
  const out = path.join(dir, 'short-as-zk.bin');
  fs.writeFileSync(out, b);
  const r = verifyJs(['--json', out]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const e = JSON.parse(r.stdout).error;
  assert.equal(e.epoch, null);
  assert.equal(e.check, 'params');
});

test('a truncated real bundle and another program’s ELF are rejected', () => {
  const cut = tampered('cut.bin', () => {});
  fs.truncateSync(cut, epochRecords[1].end);
  assert.equal(verifyJs([cut]).code, 1);
  assert.equal(verifyJs(['--elf', OTHER_ELF, BUNDLE]).code, 1);
});

test('the page verifies the real bundle in headless Chromium and rejects a tampered one', async () => {
  const { startServer } = await import(pathToFileURL(path.join(ROOT, 'web', 'serve.mjs')).href);
  const site = path.join(BUILD, 'web-stark');
  fs.rmSync(site, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'web'), site, { recursive: true });
  fs.copyFileSync(BUNDLE, path.join(site, 'real.bin'));
  fs.copyFileSync(ZK_BUNDLE, path.join(site, 'zk.bin'));
  const mid = epochRecords[Math.floor(epochRecords.length / 2)];
  const bad = Buffer.from(bytes);
  bad[mid.proofStart + 100] ^= 0x04;
  fs.writeFileSync(path.join(site, 'tampered.bin'), bad);
  const server = await startServer({ root: site, port: 0 });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const context = await chromium.launchPersistentContext(tempDir('sluice-chromium-stark-'), {
    executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 1100 },
  });
  try {
    const page = await context.newPage();
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await page.fill('#url', base + 'real.bin');
    await page.click('#url-form button');
    await page.waitForSelector('#status.ok', { timeout: 120000 });
    assert.equal(await page.textContent('#s-image-id'), reference.image_id);
    assert.equal(await page.textContent('#s-epochs'), String(reference.epochs));
    assert.equal(await page.textContent('#s-exit-code'), String(reference.exit_code));
    assert.equal(await page.textContent('#s-proof-verifier'), 'stark');
    assert.equal(await page.locator('#epochs li').count(), reference.epochs);
    await page.screenshot({ path: path.join(BUILD, 'web-stark-verified.png'), fullPage: true });

    await page.fill('#url', base + 'tampered.bin');
    await page.click('#url-form button');
    await page.waitForSelector('#status.bad', { timeout: 120000 });
    assert.match(await page.textContent('#failure'), new RegExp(`at epoch ${mid.index}\\b`));
    await page.screenshot({ path: path.join(BUILD, 'web-stark-rejected.png'), fullPage: true });

    await page.fill('#url', base + 'zk.bin');
    await page.click('#url-form button');
    await page.waitForSelector('#status.ok', { timeout: 120000 });
    assert.equal(await page.textContent('#s-zk'), 'yes');
    assert.match(await page.textContent('#header-info'), /zero-knowledge: yes/);
    await page.fill('#url', base + 'real.bin');
    await page.click('#url-form button');
    await page.waitForSelector('#status.ok', { timeout: 120000 });
    assert.equal(await page.textContent('#s-zk'), 'no');
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
