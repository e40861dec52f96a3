#!/usr/bin/env node
// sluice-verify: verifies a Sluice proof bundle in Node, streaming, with the
// same WebAssembly verifier the browser page runs, its proofs checked on
// worker threads.
//
//   sluice-verify bundle.bin                 verify a file
//   prover prove … -o - | sluice-verify -    verify while proving
//
// Memory stays flat: the file is read in fixed-size chunks, and at most one
// epoch record per worker plus the one being read are held.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';

// V8 optimizes a WebAssembly function once it has used up a budget of
// baseline execution. The default budget sends most of the module to the
// optimizing compiler in the first epochs, which competes with verifying
// for the cores; a larger one optimizes only what stays hot. Measured on a
// 4-epoch 2^18 bundle: 0.36-0.40 s instead of 0.43-0.70 s and less memory;
// neutral on 19 and 92 epochs (docs/wasm.md). Before the module compiles.
v8.setFlagsFromString('--wasm-tiering-budget=100000000');

import { imageIdFromElf, init, isVerifyError, verifyStream } from '../lib/node.mjs';

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
  --jobs N         check proofs on N worker threads (default: one per core;
                   1 checks them on the main thread)
  --json           print one JSON object on stdout instead of text
  -h, --help       show this help

Epochs are reported in order and a rejection names the earliest failing
epoch and check, whatever --jobs is. At most N + 1 epoch records are held.

Exit codes: 0 verified, 1 rejected, 2 usage or I/O error.`;

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { input: null, imageId: null, elf: null, json: false, help: false, jobs: null };
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
    else if (arg === '--jobs') opts.jobs = parseJobs(value());
    else if (arg.startsWith('--jobs=')) opts.jobs = parseJobs(arg.slice('--jobs='.length));
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

function parseJobs(text) {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--jobs takes a positive integer, not ${JSON.stringify(text)}`);
  return n;
}

function setInput(opts, arg) {
  if (opts.input !== null) throw new UsageError(`more than one bundle given (${opts.input}, ${arg})`);
  opts.input = arg;
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

/// The largest ELF read (as `prover`): guest memory plus 256 MiB of
/// headers, symbols and debug sections.
const MAX_ELF_BYTES = 1280 * 1024 * 1024;

/// A file's bytes, refusing more than `limit`: a regular file from its size,
/// anything else (a pipe, /dev/zero) after reading `limit + 1` bytes.
function readBounded(file, limit) {
  const tooBig = () => new UsageError(`cannot read ${file}: larger than ${limit / (1 << 20)} MiB, the most sluice-verify reads`);
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new Error('is a directory');
    if (st.isFile() && st.size > limit) throw tooBig();
    const parts = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 24, limit + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      parts.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooBig();
    }
    return Buffer.concat(parts, total);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${file}: ${e.message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/// A regular file's bytes, CHUNK_BYTES at a time, read into one buffer that
/// every read reuses: the verifier copies each piece in before it asks for
/// the next. (A stream's fresh buffer per read made Node's RSS grow with the
/// bundle: 61 → 94 MiB from 10 to 1,000 epochs; docs/benchmarks.md.)
async function* fileChunks(file, onError) {
  let handle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    onError(e);
    throw e;
  }
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (;;) {
      let bytesRead;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (e) {
        onError(e);
        throw e;
      }
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/// Where the module comes from: the package's own, or SLUICE_WASM_PKG (a
/// directory holding another `wasm-bindgen --target web` build of it; the
/// tests use that for the test-double build).
function wasmOptions() {
  const dir = process.env.SLUICE_WASM_PKG;
  if (!dir) return {};
  const glue = path.resolve(dir, 'sluice_verifier_wasm.js');
  if (!fs.existsSync(glue)) {
    throw new UsageError(`WebAssembly verifier not built (${glue} is missing); run scripts/build-wasm.sh`);
  }
  return { glueUrl: pathToFileURL(glue).href };
}

async function run(argv) {
  const opts = parseArgs(argv);
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return EXIT_VERIFIED;
  }
  const wasm = wasmOptions();
  let info;
  try {
    info = await init(wasm);
  } catch (e) {
    throw new UsageError(`cannot load the WebAssembly verifier: ${e.message}`);
  }
  if (info.proofVerifier !== 'stark') {
    process.stderr.write(
      info.proofVerifier === 'test-double'
        ? 'WARNING: this WebAssembly build checks epoch proofs with the TEST DOUBLE, not the STARK verifier (tests only)\n'
        : `WARNING: this WebAssembly build has no STARK epoch verifier (${info.proofVerifier}); it rejects every epoch\n`,
    );
  }

  let imageId = opts.imageId;
  if (opts.elf !== null) {
    const elf = readBounded(opts.elf, MAX_ELF_BYTES);
    try {
      imageId = await imageIdFromElf(elf, wasm);
    } catch (e) {
      throw new UsageError(`${opts.elf}: ${e.message}`);
    }
  }

  let total = null;
  let input;
  // Read errors are not verdicts: tell them apart from the verifier's.
  let readError = null;
  if (opts.input === '-') {
    input = process.stdin;
    input.on('error', (e) => {
      readError = e;
    });
  } else {
    try {
      const st = fs.statSync(opts.input);
      if (!st.isFile()) throw new Error('not a regular file');
      total = st.size;
    } catch (e) {
      throw new UsageError(`cannot read ${opts.input}: ${e.message}`);
    }
    input = fileChunks(opts.input, (e) => {
      readError = e;
    });
  }

  const progress = makeProgress(total);
  let header = null;
  let bytes = 0;
  let epochsVerified = 0;
  let verdict;
  try {
    const summary = await verifyStream(input, {
      imageId: imageId ?? undefined,
      jobs: opts.jobs ?? undefined,
      wasm,
      onEvent(ev) {
        if (ev.type === 'header') header = ev;
        else if (ev.type === 'epoch') epochsVerified += 1;
      },
      onProgress(p) {
        bytes = p.bytes;
        progress.update(bytes, epochsVerified, false);
      },
    });
    progress.update(bytes, epochsVerified, true);
    verdict = { verified: true, summary };
  } catch (e) {
    if (e && e.name === 'UsageError') throw new UsageError(e.message);
    if (!isVerifyError(e)) {
      if (readError) throw new UsageError(`cannot read ${opts.input === '-' ? 'standard input' : opts.input}: ${readError.message}`);
      throw e;
    }
    verdict = { verified: false, error: e };
  } finally {
    progress.done();
  }

  if (verdict.verified) {
    const s = verdict.summary;
    process.stderr.write(info.soundnessWarning + '\n');
    if (opts.json) {
      process.stdout.write(JSON.stringify({ verified: true, ...plain(s), securityBits: header ? header.securityBits : null, bytes: total ?? bytes }) + '\n');
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

function plain(obj) {
  const out = {};
  for (const k of Object.keys(obj)) out[k] = obj[k];
  return out;
}

/// Runs the command and sets the exit code (verify.js and the npm bin).
export function main(argv) {
  // `sluice-verify big.bin | head`: a closed stdout is not an error of ours.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  return run(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      if (e instanceof UsageError) {
        process.stderr.write(`sluice-verify: ${e.message}\n`);
        if (!e.message.startsWith('cannot read') && !e.message.includes('not built') && !e.message.startsWith('cannot load')) {
          process.stderr.write(`Try 'sluice-verify --help'.\n`);
        }
      } else {
        process.stderr.write(`sluice-verify: internal error: ${e && e.stack ? e.stack : e}\n`);
      }
      process.exitCode = EXIT_USAGE;
    },
  );
}

export { run, parseArgs };

if (import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1] ?? '')).href) {
  main(process.argv.slice(2));
}
