// Types of the sluice-verify package (Node and browser entry points alike).

/** Where the WebAssembly module comes from; the defaults serve almost everyone. */
export interface WasmOptions {
  /** A module compiled already (for example by a service worker). */
  module?: WebAssembly.Module;
  /** Where to fetch the `.wasm` from, if not next to the package's glue. */
  wasmUrl?: string | URL;
  /** Another `wasm-bindgen --target web` build of the verifier's glue (tests). */
  glueUrl?: string | URL;
}

/** The bundle header, accepted. */
export interface HeaderEvent {
  type: 'header';
  imageId: string;
  epochSizeLog2: number;
  securityBits: number;
  zeroKnowledge: boolean;
  params: {
    logBlowup: number;
    numQueries: number;
    queryPowBits: number;
    commitPowBits: number;
    logFinalPolyLen: number;
    maxLogArity: number;
    zk: boolean;
  };
}

/** One epoch passed every check, its proof included. */
export interface EpochEvent {
  type: 'epoch';
  index: number;
  cycles: number;
  outputLen: number;
  halted: boolean;
}

/** The end record matched: the bundle is complete. */
export interface DoneEvent {
  type: 'done';
}

export type VerifyEvent = HeaderEvent | EpochEvent | DoneEvent;

/** The verified claims of a complete bundle. */
export interface Summary {
  imageId: string;
  epochs: number;
  cycles: number;
  exitCode: number;
  zeroKnowledge: boolean;
  /** The first 64 KiB of the public output, as hex. */
  outputHex: string;
  /** The same bytes as text, when they are printable UTF-8; else null. */
  outputText: string | null;
  outputLen: number;
  outputTruncated: boolean;
  outputSha256: string;
  /** "stark" for the shipped module. */
  proofVerifier: string;
}

/**
 * A rejection: an `Error` named `"VerifyError"`. `epoch` is the failing
 * epoch (null for the preamble, header and end record), `check` a short
 * stable name (`"proof"`, `"chain"`, `"truncated"`, …), `offset` the byte
 * offset of the record being read, `proofCheck` the proof system's check
 * for a rejected proof, `epochsVerified` the epochs that passed before.
 */
export interface VerifyError extends Error {
  name: 'VerifyError';
  epoch: number | null;
  check: string;
  offset: number;
  proofCheck: string | null;
  epochsVerified: number;
}

/** Where and how long an epoch's proof check ran. */
export interface EpochInfo {
  worker: number;
  verifyMs: number;
}

export interface Progress {
  /** Bundle bytes read so far. */
  bytes: number;
  epochsVerified: number;
  /** Bytes the reading side holds (the record being read and the rest of a chunk). */
  bufferedBytes: number;
}

/** Bytes in any of the shapes browsers and Node hand them out. */
export type ByteSource =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

export interface VerifyOptions {
  /** Reject a bundle for any other program (64 hex digits). */
  imageId?: string | null;
  /**
   * Workers checking proofs: Node default one per core; browsers default
   * `navigator.hardwareConcurrency`, at most 8 and fewer on low-memory
   * devices. 1 checks proofs on the calling thread, with no worker.
   */
  jobs?: number;
  /**
   * Called for every event, in stream order (epochs in index order). Epoch
   * events come with where their proof was checked (`worker` 1..jobs, or 0
   * for the calling thread) and how long it took.
   */
  onEvent?: (event: VerifyEvent, info?: EpochInfo) => void;
  /** Called after each chunk of the source is consumed. */
  onProgress?: (progress: Progress) => void;
  /** Aborting stops reading and terminates the workers. */
  signal?: AbortSignal;
  wasm?: WasmOptions;
}

/**
 * Verifies a bundle as it streams in: each epoch's statement against the
 * chain in order, its proof on one of `jobs` workers. Resolves to the
 * summary, or rejects with a {@link VerifyError} (the earliest failure in
 * the stream, whatever `jobs` is), a `TypeError`/`RangeError` for bad
 * arguments, or the source's own error if it cannot be read.
 */
export function verifyStream(source: ByteSource, options?: VerifyOptions): Promise<Summary>;

/** Loads the module on this thread; the low-level classes below need it first. */
export function init(options?: WasmOptions): Promise<{ proofVerifier: string; soundnessWarning: string }>;

/** The image ID (hex) of a RISC-V ELF, to pass as `imageId`. */
export function imageIdFromElf(elf: Uint8Array, options?: WasmOptions): Promise<string>;

/** The workers `verifyStream` uses when `jobs` is not given. */
export function defaultJobs(): number;

/** Whether `e` is a verdict on the bundle (rather than a usage or I/O error). */
export function isVerifyError(e: unknown): e is VerifyError;

/** "stark" for the shipped module (after `init`). */
export function proofVerifier(): string;

/** What this protocol version does not prove yet (after `init`). */
export function soundnessWarning(): string;

/**
 * The sequential streaming verifier (after `init`): push chunks of any
 * size, collect events, then `finish()`. Errors are sticky.
 */
export class Verifier {
  constructor(expectedImageId?: string);
  push(chunk: Uint8Array): VerifyEvent[];
  finish(): Summary;
  bufferedBytes(): number;
  free(): void;
}

/** An epoch whose statement fits the chain and whose proof is still to be checked. */
export class EpochJob {
  private constructor();
  readonly index: number;
  readonly offset: number;
  /** Checks the proof here: the epoch's event, or throws its VerifyError. */
  verify(): EpochEvent;
  /** The record's bytes, for `verifyEpoch` elsewhere. */
  record(): Uint8Array;
  /** The record's length in bytes. */
  readonly recordLen: number;
  /** Copies the record to the start of `target` (≥ `recordLen` bytes, else a RangeError); returns its length. */
  copyRecord(target: Uint8Array): number;
  free(): void;
}

export type CheckerStep =
  | { type: 'header'; event: HeaderEvent; context: Uint8Array }
  | { type: 'epoch'; job: EpochJob }
  | { type: 'done' };

/**
 * The reading side of parallel verification (after `init`). The errors it
 * throws count in `epochsVerified` the statements it accepted, whose proofs
 * it does not check.
 */
export class Checker {
  constructor(expectedImageId?: string);
  push(chunk: Uint8Array): void;
  nextStep(): CheckerStep | null;
  finish(): Summary;
  bufferedBytes(): number;
  free(): void;
}

/** Checks one epoch's proof from a Checker's header `context` and a job's offset and record. */
export function verifyEpoch(context: Uint8Array, offset: number, record: Uint8Array): EpochEvent;
