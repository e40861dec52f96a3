// verify.js and the Node bindings, end to end.
//
// TEST DOUBLE: the bundles come from the test-only generator and are checked
// by the `test-double` build of the module, so these tests exercise the
// stream verifier, the bindings and the CLI, not the STARK epoch verifier.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');

const { VERIFY_JS, TEST_PKG, requireBuilt, tempDir, makeBundle, records, tinyElf } = require('./helpers.js');

requireBuilt();
const wasm = require(path.join(TEST_PKG, 'node', 'sluice_verifier_wasm.js'));

const EPOCHS = 5;
const K = 4; // epochs of 16 cycles
const LAST = 7;
const OUTPUT = 'hello from epoch land\n';
const dir = tempDir('sluice-verify-test-');
const good = makeBundle(path.join(dir, 'good.bin'), { epochs: EPOCHS, epochSizeLog2: K, lastCycles: LAST, exitCode: 3, output: OUTPUT });
const goodBytes = fs.readFileSync(good.file);

function verifyJsWith(args, input) {
  const r = spawnSync(process.execPath, [VERIFY_JS, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, SLUICE_WASM_PKG: path.join(TEST_PKG, 'web') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/// Runs verify.js with proofs checked on the main thread (--jobs 1) and on
/// three workers (--jobs 3) and asserts identical results, so every case in
/// this file holds parallel verification to sequential verification.
function verifyJs(args, { input } = {}) {
  const one = verifyJsWith(['--jobs', '1', ...args], input);
  const three = verifyJsWith(['--jobs', '3', ...args], input);
  assert.deepEqual(three, one, `--jobs 3 and --jobs 1 disagree on ${args.join(' ')}`);
  return one;
}

function withBytes(name, bytes) {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
}

const expectedCycles = (EPOCHS - 1) * 2 ** K + LAST;

test('test-double module says it is the test double', () => {
  assert.equal(wasm.proofVerifier(), 'test-double');
});

test('good bundle verifies: summary printed, exit 0 (test-double proof verifier)', () => {
  const r = verifyJs([good.file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^VERIFIED$/m);
  assert.match(r.stdout, new RegExp(`image ID\\s+${good.imageId}`));
  assert.match(r.stdout, new RegExp(`epochs\\s+${EPOCHS}$`, 'm'));
  assert.match(r.stdout, new RegExp(`cycles\\s+${expectedCycles}$`, 'm'));
  assert.match(r.stdout, /exit code\s+3$/m);
  assert.match(r.stdout, new RegExp(`output \\(hex\\)\\s+${Buffer.from(OUTPUT).toString('hex')}$`, 'm'));
  assert.ok(r.stdout.includes(`output (text)  ${JSON.stringify(OUTPUT)}`), r.stdout);
  assert.match(r.stderr, /TEST DOUBLE/);
});

test('--json prints one object with the verified summary (test-double proof verifier)', () => {
  const r = verifyJs(['--json', good.file]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.verified, true);
  assert.equal(j.imageId, good.imageId);
  assert.equal(j.epochs, EPOCHS);
  assert.equal(j.cycles, expectedCycles);
  assert.equal(j.exitCode, 3);
  assert.equal(j.outputHex, Buffer.from(OUTPUT).toString('hex'));
  assert.equal(j.outputText, OUTPUT);
  assert.equal(j.outputLen, Buffer.byteLength(OUTPUT));
  assert.equal(j.outputTruncated, false);
  assert.equal(j.outputSha256, crypto.createHash('sha256').update(OUTPUT).digest('hex'));
  assert.equal(j.proofVerifier, 'test-double');
  assert.equal(j.bytes, goodBytes.length);
  assert.equal(typeof j.securityBits, 'number');
});

test('stdin input (-) verifies the same bundle (test-double proof verifier)', () => {
  const r = verifyJs(['--json', '-'], { input: goodBytes });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.verified, true);
  assert.equal(j.imageId, good.imageId);
  assert.equal(j.cycles, expectedCycles);
});

test('binary output is shown as hex only', () => {
  const bin = makeBundle(path.join(dir, 'binary.bin'), { epochs: 2, output: '\u0001\u0002ctl' });
  const j = JSON.parse(verifyJs(['--json', bin.file]).stdout);
  assert.equal(j.outputHex, '0102' + Buffer.from('ctl').toString('hex'));
  assert.equal(j.outputText, null);
});

test('a flipped byte in an epoch proof is rejected at that epoch, exit 1', () => {
  const bytes = Buffer.from(goodBytes);
  const rec = records(bytes).find((r) => r.kind === 2 && r.index === 2);
  assert.ok(rec && rec.proofLen > 0);
  bytes[rec.proofStart + Math.floor(rec.proofLen / 2)] ^= 0x01;
  const f = withBytes('tampered-proof.bin', bytes);
  const text = verifyJs([f]);
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stderr, /^REJECTED: .*epoch 2/m);
  assert.doesNotMatch(text.stdout, /VERIFIED/);
  const j = JSON.parse(verifyJs(['--json', f]).stdout);
  assert.equal(j.verified, false);
  assert.equal(j.error.epoch, 2);
  assert.equal(j.error.check, 'proof');
  assert.equal(j.error.proofCheck, 'test-double-proof');
  assert.equal(j.error.offset, rec.start);
  assert.equal(j.error.epochsVerified, 2);
});

test('a flipped byte in an epoch statement is rejected, exit 1', () => {
  const bytes = Buffer.from(goodBytes);
  const rec = records(bytes).find((r) => r.kind === 2 && r.index === 1);
  // The `end` digest's first byte (after the 32-byte start digest).
  bytes[rec.statementStart + 32] ^= 0x01;
  const r = verifyJs(['--json', withBytes('tampered-statement.bin', bytes)]);
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.verified, false);
  assert.equal(j.error.epoch, 1);
});

test('every single-byte flip anywhere is rejected (sampled), exit 1', () => {
  // One flip every 97 bytes across the whole bundle, header and end included.
  for (let at = 0; at < goodBytes.length; at += 97) {
    const bytes = Buffer.from(goodBytes);
    bytes[at] ^= 0x80;
    const r = verifyJs(['--json', withBytes('flip.bin', bytes)]);
    assert.equal(r.code, 1, `flip at ${at}: ${r.stdout}${r.stderr}`);
  }
});

test('a truncated bundle is rejected, exit 1', () => {
  for (const keep of [0, 11, 30, Math.floor(goodBytes.length / 2), goodBytes.length - 1]) {
    const r = verifyJs(['--json', withBytes('truncated.bin', goodBytes.subarray(0, keep))]);
    assert.equal(r.code, 1, `keep ${keep}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.equal(j.verified, false);
    assert.equal(j.error.check, 'truncated', `keep ${keep}: ${j.error.message}`);
  }
});

test('trailing bytes after the end record are rejected, exit 1', () => {
  const r = verifyJs([withBytes('extended.bin', Buffer.concat([goodBytes, Buffer.from([0])]))]);
  assert.equal(r.code, 1, r.stderr);
});

test('an epoch record dropped from the middle is rejected, exit 1', () => {
  const rec = records(goodBytes).find((r) => r.kind === 2 && r.index === 1);
  const spliced = Buffer.concat([goodBytes.subarray(0, rec.start), goodBytes.subarray(rec.end)]);
  const j = JSON.parse(verifyJs(['--json', withBytes('dropped.bin', spliced)]).stdout);
  assert.equal(j.verified, false);
  assert.equal(j.error.epoch, 1);
});

test('--image-id: the right one verifies, another is rejected (exit 1), malformed is a usage error (exit 2)', () => {
  assert.equal(verifyJs(['--image-id', good.imageId, good.file]).code, 0);
  const other = makeBundle(path.join(dir, 'other.bin'), { seed: 'another program' });
  assert.notEqual(other.imageId, good.imageId);
  const r = verifyJs(['--json', '--image-id', other.imageId, good.file]);
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.verified, false);
  assert.equal(j.error.check, 'image-id');
  assert.equal(j.error.epoch, null);
  const bad = verifyJs(['--image-id', 'xyz', good.file]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /image ID/);
});

test('usage and I/O errors exit 2', () => {
  const cases = [
    [[], /missing the bundle/],
    [['--bogus', good.file], /unknown option --bogus/],
    [[good.file, good.file], /more than one bundle/],
    [[path.join(dir, 'does-not-exist.bin')], /cannot read/],
    [[dir], /cannot read/],
    [['--image-id'], /needs a value/],
    [['--image-id', good.imageId, '--elf', 'x.elf', good.file], /not both/],
  ];
  for (const [args, re] of cases) {
    const r = verifyJs(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
});

test('--elf: the image ID of the ELF is expected (known answer from the core), others rejected, bad ELF exit 2', () => {
  // `addi a0, x0, 0; addi a7, x0, 93; ecall` at 0x1_0000: the core's
  // image-ID known answer (verifier/src/memory/state.rs).
  const EXIT0_IMAGE_ID = '073ee31fc160801f6c863238d19b1463936be3461f0b1a36971b0e7a4dd83059';
  const elf = withBytes('exit0.elf', tinyElf(0x1_0000, [0x0000_0513, 0x05d0_0893, 0x0000_0073]));
  assert.equal(wasm.imageIdFromElf(fs.readFileSync(elf)), EXIT0_IMAGE_ID);
  const forElf = makeBundle(path.join(dir, 'for-elf.bin'), { imageId: EXIT0_IMAGE_ID });
  assert.equal(forElf.imageId, EXIT0_IMAGE_ID);
  const ok = verifyJs(['--json', '--elf', elf, forElf.file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).imageId, EXIT0_IMAGE_ID);
  const other = verifyJs(['--json', '--elf', elf, good.file]);
  assert.equal(other.code, 1, other.stderr);
  assert.equal(JSON.parse(other.stdout).error.check, 'image-id');
  const bad = verifyJs(['--elf', good.file, good.file]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a loadable RISC-V/);
  const missing = verifyJs(['--elf', path.join(dir, 'missing.elf'), good.file]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read/);
});

test('--help prints usage, exit 0', () => {
  const r = verifyJs(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: sluice-verify/);
  assert.match(r.stdout, /Exit codes: 0 verified, 1 rejected, 2 usage or I\/O error/);
});

test('bindings: any chunking gives the same events and summary (test-double proof verifier)', () => {
  function run(chunkSize) {
    const v = new wasm.Verifier(undefined);
    const events = [];
    for (let at = 0; at < goodBytes.length; at += chunkSize) {
      events.push(...v.push(goodBytes.subarray(at, at + chunkSize)));
    }
    return { events, summary: v.finish() };
  }
  const whole = run(goodBytes.length);
  assert.deepEqual(whole.events.map((e) => e.type), ['header', ...Array(EPOCHS).fill('epoch'), 'done']);
  const header = whole.events[0];
  assert.equal(header.imageId, good.imageId);
  assert.equal(header.epochSizeLog2, K);
  assert.deepEqual(whole.events.slice(1, -1).map((e) => [e.index, e.cycles, e.halted]),
    [...Array(EPOCHS).keys()].map((i) => [i, i === EPOCHS - 1 ? LAST : 2 ** K, i === EPOCHS - 1]));
  assert.equal(whole.events.slice(1, -1).reduce((n, e) => n + e.outputLen, 0), Buffer.byteLength(OUTPUT));
  for (const size of [1, 7, 64, 1000]) {
    const r = run(size);
    assert.deepEqual(r.events, whole.events, `chunk ${size}`);
    assert.deepEqual(r.summary, whole.summary, `chunk ${size}`);
  }
});

test('bindings: errors are Error objects with epoch and check, and are sticky', () => {
  const v = new wasm.Verifier(undefined);
  let err;
  try {
    v.push(Buffer.from('definitely not a sluice bundle'));
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'VerifyError');
  assert.equal(err.epoch, null);
  assert.equal(typeof err.check, 'string');
  assert.throws(() => v.push(goodBytes), (e) => e.name === 'VerifyError' && e.check === err.check);
  assert.throws(() => v.finish(), (e) => e.name === 'VerifyError');
  assert.throws(() => v.finish(), /already finished/);
});

test('bindings: bufferedBytes is a number bounded by one record', () => {
  const v = new wasm.Verifier(good.imageId);
  const recs = records(goodBytes);
  const largest = Math.max(...recs.map((r) => r.end - r.start));
  let max = 0;
  for (let at = 0; at < goodBytes.length; at += 3) {
    v.push(goodBytes.subarray(at, at + 3));
    assert.equal(typeof v.bufferedBytes(), 'number');
    max = Math.max(max, v.bufferedBytes());
  }
  assert.ok(max <= largest, `${max} > ${largest}`);
  assert.equal(v.finish().epochs, EPOCHS);
});

test('the shipped module (scripts/build-wasm.sh) is not the test double and rejects test-double bundles', () => {
  const shipped = path.join(__dirname, '..', '..', 'pkg', 'node');
  assert.ok(fs.existsSync(path.join(shipped, 'sluice_verifier_wasm.js')), 'run scripts/build-wasm.sh');
  const r = spawnSync(process.execPath, [VERIFY_JS, '--json', good.file], {
    encoding: 'utf8',
    env: { ...process.env, SLUICE_WASM_PKG: '' },
  });
  assert.equal(r.status, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.verified, false);
  assert.equal(j.error.epoch, 0);
  assert.equal(j.error.check, 'proof');
  assert.doesNotMatch(r.stderr, /TEST DOUBLE/);
  const mod = require(path.join(shipped, 'sluice_verifier_wasm.js'));
  assert.notEqual(mod.proofVerifier(), 'test-double');
});
