#!/usr/bin/env node
// sluice-verify: verifies a Sluice proof bundle in Node, streaming, with the
// same WebAssembly verifier the browser page runs.
//
//   node verify.js bundle.bin          verify a file
//   prover prove … -o - | node verify.js -    verify while proving
//
// Memory stays flat: the file is read in fixed-size chunks, each chunk is
// pushed into the verifier and dropped, and the verifier itself keeps only the
// record it is currently reading.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const EXIT_VERIFIED = 0;
const EXIT_REJECTED = 1;
const EXIT_USAGE = 2;

// Bytes read per chunk: large enough to keep the push overhead negligible,
// small enough that memory does not depend on the bundle's size.
const CHUNK_BYTES = 256 * 1024;

const USAGE = `Usage: sluice-verify [options] <bundle.bin | ->

Verifies a Sluice proof bundle as it streams (use - for standard input) and
prints the verified result: image ID, epochs, cycles, exit code, public output.

Options:
  --image-id HEX   accept only a bundle for the program with this image ID
  --elf FILE       accept only a bundle for this RISC-V ELF (computes its image ID)
  --json           print one JSON object on stdout instead of text
  -h, --help       show this help

Exit codes: 0 verified, 1 rejected, 2 usage or I/O error.`;

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { input: null, imageId: null, elf: null, json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '-h' || arg === '--help') opts.help = true;
    else if (arg === '--json') opts.json = true;
    else if (arg === '--image-id') opts.imageId = value();
    else if (arg.startsWith('--image-id=')) opts.imageId = arg.slice('--image-id='.length);
    else if (arg === '--elf') opts.elf = value();
    else if (arg.startsWith('--elf=')) opts.elf = arg.slice('--elf='.length);
    else if (arg === '--') {
      for (const rest of argv.slice(i + 1)) setInput(opts, rest);
      break;
    } else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    else setInput(opts, arg);
  }
  if (opts.help) return opts;
  if (opts.input === null) throw new UsageError('missing the bundle to verify (a file, or - for stdin)');
  if (opts.imageId !== null && opts.elf !== null) throw new UsageError('give --image-id or --elf, not both');
  return opts;
}

function setInput(opts, arg) {
  if (opts.input !== null) throw new UsageError(`more than one bundle given (${opts.input}, ${arg})`);
  opts.input = arg;
}

/// Loads the wasm-bindgen (nodejs target) module. SLUICE_WASM_PKG points at
/// another build of it; the tests use that for the test-double build.
function loadWasm() {
  const dir = process.env.SLUICE_WASM_PKG || path.join(__dirname, 'pkg', 'node');
  const file = path.resolve(dir, 'sluice_verifier_wasm.js');
  if (!fs.existsSync(file)) {
    throw new UsageError(`WebAssembly verifier not built (${file} is missing); run scripts/build-wasm.sh`);
  }
  return require(file);
}

function humanBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/// Progress on stderr, only when a person is watching it.
function makeProgress(total) {
  if (!process.stderr.isTTY) return { update() {}, done() {} };
  let last = 0;
  let shown = false;
  return {
    update(bytes, epochs, force) {
      const now = Date.now();
      if (!force && now - last < 100) return;
      last = now;
      const of = total ? ` / ${humanBytes(total)} (${((100 * bytes) / total).toFixed(0)}%)` : '';
      process.stderr.write(`\r\x1b[Kverifying: ${humanBytes(bytes)}${of}, ${epochs} epochs verified`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

async function run(argv) {
  const opts = parseArgs(argv);
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return EXIT_VERIFIED;
  }
  const wasm = loadWasm();
  const kind = wasm.proofVerifier();
  if (kind !== 'stark') {
    process.stderr.write(
      kind === 'test-double'
        ? 'WARNING: this WebAssembly build checks epoch proofs with the TEST DOUBLE, not the STARK verifier (tests only)\n'
        : `WARNING: this WebAssembly build has no STARK epoch verifier (${kind}); it rejects every epoch\n`,
    );
  }

  let imageId = opts.imageId;
  if (opts.elf !== null) {
    if (typeof wasm.imageIdFromElf !== 'function') {
      throw new UsageError('--elf is not yet supported: this build cannot compute an image ID from an ELF; use --image-id HEX');
    }
    let elf;
    try {
      elf = fs.readFileSync(opts.elf);
    } catch (e) {
      throw new UsageError(`cannot read ${opts.elf}: ${e.message}`);
    }
    try {
      imageId = wasm.imageIdFromElf(elf);
    } catch (e) {
      throw new UsageError(`${opts.elf}: ${e.message}`);
    }
  }

  let verifier;
  try {
    verifier = new wasm.Verifier(imageId === null ? undefined : imageId);
  } catch (e) {
    throw new UsageError(e.message);
  }

  let total = null;
  let input;
  if (opts.input === '-') {
    input = process.stdin;
  } else {
    try {
      const st = fs.statSync(opts.input);
      if (!st.isFile()) throw new Error('not a regular file');
      total = st.size;
    } catch (e) {
      throw new UsageError(`cannot read ${opts.input}: ${e.message}`);
    }
    input = fs.createReadStream(opts.input, { highWaterMark: CHUNK_BYTES });
  }

  const progress = makeProgress(total);
  const epochs = [];
  let header = null;
  let bytes = 0;
  let verdict;
  try {
    try {
      for await (const chunk of input) {
        bytes += chunk.length;
        for (const ev of verifier.push(chunk)) {
          if (ev.type === 'header') header = ev;
          else if (ev.type === 'epoch') epochs.push(ev.index);
        }
        progress.update(bytes, epochs.length, false);
      }
    } catch (e) {
      if (isVerifyError(e)) throw e;
      // Not a verdict: the bytes could not be read.
      progress.done();
      const err = new UsageError(`cannot read ${opts.input === '-' ? 'standard input' : opts.input}: ${e.message}`);
      throw err;
    }
    progress.update(bytes, epochs.length, true);
    verdict = { verified: true, summary: verifier.finish() };
  } catch (e) {
    if (!isVerifyError(e)) throw e;
    verdict = { verified: false, error: e };
  } finally {
    progress.done();
  }

  if (verdict.verified) {
    const s = verdict.summary;
    if (typeof wasm.soundnessWarning === 'function') {
      process.stderr.write(wasm.soundnessWarning() + '\n');
    }
    if (opts.json) {
      process.stdout.write(JSON.stringify({ verified: true, ...plain(s), securityBits: header ? header.securityBits : null, bytes }) + '\n');
    } else {
      const lines = [
        'VERIFIED',
        `  image ID       ${s.imageId}`,
        `  epochs         ${s.epochs}`,
        `  cycles         ${s.cycles}`,
        `  exit code      ${s.exitCode}`,
        `  zero-knowledge ${s.zeroKnowledge ? 'yes' : 'no'}`,
        `  security       ${header ? header.securityBits : '?'} bits (conjectured)`,
        `  output bytes   ${s.outputLen}${s.outputTruncated ? ` (first ${s.outputHex.length / 2} shown)` : ''}`,
        `  output sha256  ${s.outputSha256}`,
        `  output (hex)   ${s.outputHex || '(empty)'}`,
      ];
      if (s.outputText !== null && s.outputText !== undefined && s.outputLen > 0) {
        lines.push(`  output (text)  ${JSON.stringify(s.outputText)}`);
      }
      lines.push(`  proof verifier ${s.proofVerifier}`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    return EXIT_VERIFIED;
  }

  const e = verdict.error;
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ verified: false, error: { message: e.message, epoch: e.epoch, check: e.check, proofCheck: e.proofCheck, offset: e.offset, epochsVerified: e.epochsVerified }, bytes }) + '\n',
    );
  } else {
    process.stderr.write(`REJECTED: ${e.message}\n`);
    process.stderr.write(`  ${e.epochsVerified} epoch${e.epochsVerified === 1 ? '' : 's'} verified before the failure\n`);
  }
  return EXIT_REJECTED;
}

function isVerifyError(e) {
  return e instanceof Error && e.name === 'VerifyError' && typeof e.check === 'string';
}

function plain(obj) {
  const out = {};
  for (const k of Object.keys(obj)) out[k] = obj[k];
  return out;
}

if (require.main === module) {
  // `sluice-verify big.bin | head`: a closed stdout is not an error of ours.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      if (e instanceof UsageError) {
        process.stderr.write(`sluice-verify: ${e.message}\n`);
        if (!e.message.startsWith('cannot read') && !e.message.includes('not built')) {
          process.stderr.write(`Try 'sluice-verify --help'.\n`);
        }
      } else {
        process.stderr.write(`sluice-verify: internal error: ${e && e.stack ? e.stack : e}\n`);
      }
      process.exitCode = EXIT_USAGE;
    },
  );
}

module.exports = { run, parseArgs };
