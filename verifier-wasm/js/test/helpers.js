// Shared by the Node and browser tests: where things are, and test bundles.
//
// Every bundle here is made by the test-only generator
// (`cargo run -p verifier-wasm --features test-double --example test_bundle`)
// and checked by the test-double build of the WebAssembly module: these tests
// exercise the stream, the bindings, verify.js and the page — NOT the STARK
// epoch verifier.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const VERIFY_JS = path.join(ROOT, 'verifier-wasm', 'verify.js');
const TEST_PKG = path.join(ROOT, 'verifier-wasm', 'pkg-test-double');
const GENERATOR = path.join(ROOT, 'target', 'release', 'examples', 'test_bundle');

function requireBuilt() {
  for (const f of [path.join(TEST_PKG, 'node', 'sluice_verifier_wasm.js'), path.join(TEST_PKG, 'web', 'sluice_verifier_wasm.js'), GENERATOR]) {
    if (!fs.existsSync(f)) {
      throw new Error(`${f} is missing: run scripts/build-wasm.sh --test-double and ` +
        'cargo build --release -p verifier-wasm --features test-double --example test_bundle (scripts/test.sh does both)');
    }
  }
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/// Writes a test-double bundle; returns {file, imageId} (the generator
/// prints the image ID it used on stdout).
function makeBundle(file, { epochs = 4, epochSizeLog2 = 4, lastCycles = 5, exitCode = 0, output = '', seed = 'default', imageId = null, proofBytes = null } = {}) {
  const out = execFileSync(GENERATOR, [
    ...(imageId ? ['--image-id', imageId] : []),
    ...(proofBytes ? ['--proof-bytes', String(proofBytes)] : []),
    '--epochs', String(epochs),
    '--epoch-size-log2', String(epochSizeLog2),
    '--last-cycles', String(lastCycles),
    '--exit-code', String(exitCode),
    '--output', output,
    '--seed', seed,
    '-o', file,
  ], { encoding: 'utf8' });
  return { file, imageId: out.trim() };
}

/// Byte ranges of each record of a bundle (framing of docs/bundle-format.md:
/// 12-byte preamble, then frames of kind u8 + body_len u32 LE + body).
function records(bytes) {
  const out = [];
  let at = 12;
  while (at + 5 <= bytes.length) {
    const kind = bytes[at];
    const len = bytes.readUInt32LE(at + 1);
    const rec = { kind, start: at, bodyStart: at + 5, end: at + 5 + len };
    if (kind === 2) {
      // Epoch body: index u64, statement_len u32, statement, proof_len u32, proof.
      rec.index = Number(bytes.readBigUInt64LE(rec.bodyStart));
      const stmtLen = bytes.readUInt32LE(rec.bodyStart + 8);
      rec.statementStart = rec.bodyStart + 12;
      rec.proofStart = rec.statementStart + stmtLen + 4;
      rec.proofLen = bytes.readUInt32LE(rec.statementStart + stmtLen);
    }
    out.push(rec);
    at = rec.end;
  }
  return out;
}

module.exports = { ROOT, VERIFY_JS, TEST_PKG, GENERATOR, requireBuilt, tempDir, makeBundle, records };

/// A minimal RV32 ELF: one PT_LOAD of `words` at `base`, entry at `base`.
function tinyElf(base, words) {
  const code = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => code.writeUInt32LE(w >>> 0, i * 4));
  const h = Buffer.alloc(52 + 32);
  h.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0); // ELF32, little-endian, version 1
  h.writeUInt16LE(2, 16); // ET_EXEC
  h.writeUInt16LE(243, 18); // EM_RISCV
  h.writeUInt32LE(1, 20); // EV_CURRENT
  h.writeUInt32LE(base, 24); // e_entry
  h.writeUInt32LE(52, 28); // e_phoff
  h.writeUInt32LE(0, 32); // e_shoff
  h.writeUInt32LE(0, 36); // e_flags
  h.writeUInt16LE(52, 40); // e_ehsize
  h.writeUInt16LE(32, 42); // e_phentsize
  h.writeUInt16LE(1, 44); // e_phnum
  h.writeUInt16LE(40, 46); // e_shentsize
  // Program header: PT_LOAD, offset 84, vaddr = paddr = base, R+X.
  h.writeUInt32LE(1, 52);
  h.writeUInt32LE(84, 56);
  h.writeUInt32LE(base, 60);
  h.writeUInt32LE(base, 64);
  h.writeUInt32LE(code.length, 68);
  h.writeUInt32LE(code.length, 72);
  h.writeUInt32LE(5, 76);
  h.writeUInt32LE(4, 80);
  return Buffer.concat([h, code]);
}

module.exports.tinyElf = tinyElf;
