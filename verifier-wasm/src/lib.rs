//! WebAssembly bindings for the Sluice streaming verifier.
//!
//! A thin JavaScript face over [`sluice_verifier::stream::StreamVerifier`]:
//! the same state machine that `prover verify` runs natively, so Node
//! (`verify.js`) and the browser page (`web/worker.js`) accept exactly the
//! bundles the native verifier accepts. Everything crossing the boundary is a
//! plain JS value (objects, strings, numbers): counts are `f64` because a Rust
//! `u64` would arrive as a `BigInt`; every count here stays far below 2^53.
//!
//! Which epoch proof verifier runs is decided in [`proof_verifier`] only.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod output;
pub mod proof_verifier;
#[cfg(any(test, feature = "test-double"))]
pub mod test_double;

use alloc::format;
use alloc::string::{String, ToString};

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use alloc::vec::Vec;

use sluice_verifier::bundle::{decode_header_body, encode_header, BundleHeader, FRAME_PREFIX_LEN};
use sluice_verifier::digest::Digest;
use sluice_verifier::stream::{
    ChainContext, EpochJob, Event, Step, StreamChecker, StreamVerifier, Summary, VerifyError,
    VerifyErrorKind,
};

pub use proof_verifier::{active_proof_verifier, ActiveProofVerifier, ACTIVE_PROOF_VERIFIER_NAME};

/// Which epoch proof verifier this module was built with: `"stark"`,
/// or `"test-double"` (tests only).
#[wasm_bindgen(js_name = proofVerifier)]
pub fn proof_verifier_name() -> String {
    ACTIVE_PROOF_VERIFIER_NAME.to_string()
}

/// What this protocol version does not prove yet; front ends show it next to
/// every result.
#[wasm_bindgen(js_name = soundnessWarning)]
pub fn soundness_warning() -> String {
    sluice_verifier::SOUNDNESS_WARNING.to_string()
}

/// `imageIdFromElf(bytes)`: the image ID (hex) of a RISC-V ELF — the state
/// digest of its initial state — to pass as the expected image ID. Throws a
/// `UsageError` if the bytes are not a loadable RV32IM program.
#[wasm_bindgen(js_name = imageIdFromElf)]
pub fn image_id_from_elf(elf: &[u8]) -> Result<String, JsValue> {
    let program = sluice_verifier::elf::Program::from_elf(elf)
        .map_err(|e| usage_error(&format!("not a loadable RISC-V ELF: {e}")))?;
    Ok(sluice_verifier::memory::image_id(&program).to_string())
}

/// A streaming bundle verifier: feed it the bundle's bytes in any chunking,
/// collect the events, then call `finish()`.
#[wasm_bindgen]
pub struct Verifier {
    /// `None` once `finish()` has consumed it.
    inner: Option<StreamVerifier<ActiveProofVerifier>>,
}

#[wasm_bindgen]
impl Verifier {
    /// `new Verifier(expectedImageIdHex?)`: with an image ID, a bundle for any
    /// other program is rejected at its header. Throws on malformed hex.
    #[wasm_bindgen(constructor)]
    pub fn new(expected_image_id: Option<String>) -> Result<Verifier, JsValue> {
        let expected = parse_image_id(expected_image_id)?;
        Ok(Verifier {
            inner: Some(StreamVerifier::new(active_proof_verifier(), expected)),
        })
    }

    /// Feeds the next bytes of the bundle; returns the events they completed,
    /// as an array of plain objects. Throws a verification error (an `Error`
    /// with `epoch` and `check`); errors are sticky.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Array, JsValue> {
        let inner = self.inner.as_mut().ok_or_else(finished_error)?;
        let events = match inner.push(chunk) {
            Ok(events) => events,
            Err(e) => return Err(verify_error(&e, inner.epochs_verified())),
        };
        Ok(events.iter().map(event_to_js).collect())
    }

    /// Ends the stream: returns the summary of a fully verified bundle, or
    /// throws if the stream stopped early or anything was rejected.
    pub fn finish(&mut self) -> Result<Object, JsValue> {
        let inner = self.inner.take().ok_or_else(finished_error)?;
        let verified = inner.epochs_verified();
        let summary = inner.finish().map_err(|e| verify_error(&e, verified))?;
        Ok(summary_to_js(&summary))
    }

    /// Bytes held waiting for the rest of a record (bounded by the largest
    /// record, never by the number of epochs).
    #[wasm_bindgen(js_name = bufferedBytes)]
    pub fn buffered_bytes(&self) -> f64 {
        self.inner.as_ref().map_or(0, |v| v.buffered_bytes()) as f64
    }
}

/// The parallel verifier's reading side: checks everything but the proofs
/// and hands each epoch out as an [`Job`] (`EpochJob` in JS) to verify here
/// or, through its record bytes and `verifyEpoch`, in a worker.
///
/// `push(chunk)` takes the next bytes (held until consumed); `nextStep()`
/// returns the next step they complete, or `null` when they are used up:
/// `{type: 'header', event, context}` (`context`: bytes for
/// `verifyEpoch`), `{type: 'epoch', job}` or `{type: 'done'}`. A caller that
/// stops calling `nextStep()` after an epoch holds that epoch's record and the
/// rest of one chunk, nothing more.
#[wasm_bindgen]
pub struct Checker {
    /// `None` once `finish()` has consumed it.
    inner: Option<StreamChecker>,
    /// The pushed bytes not yet fed to the checker.
    pending: Vec<u8>,
    pos: usize,
}

#[wasm_bindgen]
impl Checker {
    /// `new Checker(expectedImageIdHex?)`, as `new Verifier(…)`.
    #[wasm_bindgen(constructor)]
    pub fn new(expected_image_id: Option<String>) -> Result<Checker, JsValue> {
        Ok(Checker {
            inner: Some(StreamChecker::new(parse_image_id(expected_image_id)?)),
            pending: Vec::new(),
            pos: 0,
        })
    }

    /// Takes the next bytes of the bundle. Throws a `UsageError` if the
    /// previous ones were not all consumed by `nextStep()`.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        if self.pos < self.pending.len() {
            return Err(usage_error(
                "Checker.push: call nextStep() until it returns null first",
            ));
        }
        self.pending.clear();
        self.pending.extend_from_slice(chunk);
        self.pos = 0;
        Ok(())
    }

    /// The next step the pushed bytes complete, or `null`. Throws a
    /// verification error (sticky) for anything but a bad proof.
    #[wasm_bindgen(js_name = nextStep)]
    pub fn next_step(&mut self) -> Result<JsValue, JsValue> {
        let inner = self.inner.as_mut().ok_or_else(finished_error)?;
        let (taken, step) = inner
            .feed(&self.pending[self.pos..])
            .map_err(|e| verify_error(&e, inner.epochs_accepted()))?;
        self.pos += taken;
        let Some(step) = step else {
            return Ok(JsValue::NULL);
        };
        let obj = Object::new();
        match step {
            Step::Header(event) => {
                set(&obj, "type", "header");
                if let Some(ctx) = inner.context() {
                    set(
                        &obj,
                        "context",
                        js_sys::Uint8Array::from(&context_bytes(ctx)[..]),
                    );
                }
                set(&obj, "event", event_to_js(&event));
            }
            Step::Epoch(job) => {
                set(&obj, "type", "epoch");
                set(&obj, "job", Job { inner: job });
            }
            Step::Done => set(&obj, "type", "done"),
        }
        Ok(obj.into())
    }

    /// Ends the stream: the summary, valid once every job's proof passed;
    /// throws if the stream stopped early or was rejected.
    pub fn finish(&mut self) -> Result<Object, JsValue> {
        let inner = self.inner.take().ok_or_else(finished_error)?;
        let accepted = inner.epochs_accepted();
        let summary = inner.finish().map_err(|e| verify_error(&e, accepted))?;
        Ok(summary_to_js(&summary))
    }

    /// Bytes held: the record being read plus the pushed bytes not yet
    /// consumed.
    #[wasm_bindgen(js_name = bufferedBytes)]
    pub fn buffered_bytes(&self) -> f64 {
        let record = self.inner.as_ref().map_or(0, |c| c.buffered_bytes());
        (record + self.pending.len() - self.pos) as f64
    }
}

/// One epoch whose statement the chain accepted and whose proof is still
/// to be checked.
#[wasm_bindgen(js_name = EpochJob)]
pub struct Job {
    inner: EpochJob,
}

#[wasm_bindgen(js_class = EpochJob)]
impl Job {
    /// The epoch's position in the chain.
    #[wasm_bindgen(getter)]
    pub fn index(&self) -> f64 {
        self.inner.index() as f64
    }

    /// Stream offset of the epoch's record.
    #[wasm_bindgen(getter)]
    pub fn offset(&self) -> f64 {
        self.inner.offset() as f64
    }

    /// Checks the proof here; returns the epoch's event or throws its
    /// verification error.
    pub fn verify(&self) -> Result<JsValue, JsValue> {
        self.inner
            .verify(&active_proof_verifier())
            .map(|event| event_to_js(&event))
            .map_err(|e| verify_error(&e, self.inner.index()))
    }

    /// A copy of the record's bytes, for `verifyEpoch` in a worker.
    pub fn record(&self) -> Vec<u8> {
        self.inner.record().to_vec()
    }

    /// The record's length in bytes.
    #[wasm_bindgen(getter, js_name = recordLen)]
    pub fn record_len(&self) -> f64 {
        self.inner.record().len() as f64
    }

    /// Copies the record's bytes to the start of `target` (at least
    /// `recordLen` bytes) and returns their number: [`Self::record`]
    /// without a new buffer, so a caller that hands records to workers can
    /// reuse the buffers they send back.
    #[wasm_bindgen(js_name = copyRecord)]
    pub fn copy_record(&self, target: &js_sys::Uint8Array) -> Result<f64, JsValue> {
        let record = self.inner.record();
        if (target.length() as usize) < record.len() {
            return Err(JsValue::from(js_sys::RangeError::new(&alloc::format!(
                "copyRecord: the target holds {} bytes, the record {}",
                target.length(),
                record.len()
            ))));
        }
        target.subarray(0, record.len() as u32).copy_from(record);
        Ok(record.len() as f64)
    }
}

/// `verifyEpoch(context, offset, record)`: checks one epoch's proof from
/// the bytes a `Checker` handed out (the header step's `context`, the job's
/// `offset` and `record()`); returns the epoch's event or throws its
/// verification error. The chain was checked by that `Checker`: this is the
/// proof check alone, for a worker.
#[wasm_bindgen(js_name = verifyEpoch)]
pub fn verify_epoch(context: &[u8], offset: f64, record: Vec<u8>) -> Result<JsValue, JsValue> {
    let ctx = context_from_bytes(context)?;
    let job = EpochJob::from_record(ctx, offset as u64, record).map_err(|e| verify_error(&e, 0))?;
    let index = job.index();
    job.verify(&active_proof_verifier())
        .map(|event| event_to_js(&event))
        .map_err(|e| verify_error(&e, index))
}

/// A chain context as the bytes of a header record.
fn context_bytes(ctx: &ChainContext) -> Vec<u8> {
    encode_header(&BundleHeader {
        protocol_version: ctx.protocol_version,
        params: ctx.params,
        image_id: ctx.image_id,
        epoch_size_log2: ctx.epoch_size_log2,
    })
}

fn context_from_bytes(bytes: &[u8]) -> Result<ChainContext, JsValue> {
    let header = bytes
        .get(FRAME_PREFIX_LEN..)
        .ok_or(())
        .and_then(|body| decode_header_body(body).map_err(|_| ()))
        .map_err(|()| usage_error("verifyEpoch: the context is not a Checker's header context"))?;
    Ok(ChainContext {
        protocol_version: header.protocol_version,
        params: header.params,
        image_id: header.image_id,
        epoch_size_log2: header.epoch_size_log2,
    })
}

fn parse_image_id(text: Option<String>) -> Result<Option<Digest>, JsValue> {
    text.map(|text| {
        Digest::from_hex(&text)
            .map_err(|e| usage_error(&format!("expected image ID {text:?} is not a digest: {e}")))
    })
    .transpose()
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

fn event_to_js(event: &Event) -> JsValue {
    let obj = Object::new();
    match event {
        Event::Header {
            image_id,
            epoch_size_log2,
            params,
            security_bits,
        } => {
            set(&obj, "type", "header");
            set(&obj, "imageId", image_id.to_string());
            set(&obj, "epochSizeLog2", *epoch_size_log2 as f64);
            set(&obj, "securityBits", *security_bits as f64);
            let p = Object::new();
            set(&p, "logBlowup", params.log_blowup as f64);
            set(&p, "numQueries", params.num_queries as f64);
            set(&p, "queryPowBits", params.query_pow_bits as f64);
            set(&p, "commitPowBits", params.commit_pow_bits as f64);
            set(&p, "logFinalPolyLen", params.log_final_poly_len as f64);
            set(&p, "maxLogArity", params.max_log_arity as f64);
            set(&p, "zk", params.zk);
            set(&obj, "params", p);
            set(&obj, "zeroKnowledge", params.zk);
        }
        Event::EpochVerified {
            index,
            cycles,
            output_len,
            halted,
        } => {
            set(&obj, "type", "epoch");
            set(&obj, "index", *index as f64);
            set(&obj, "cycles", *cycles as f64);
            set(&obj, "outputLen", *output_len as f64);
            set(&obj, "halted", *halted);
        }
        Event::Done => set(&obj, "type", "done"),
    }
    obj.into()
}

fn summary_to_js(summary: &Summary) -> Object {
    let obj = Object::new();
    set(&obj, "imageId", summary.image_id.to_string());
    set(&obj, "epochs", summary.epochs as f64);
    set(&obj, "cycles", summary.cycles as f64);
    set(&obj, "exitCode", summary.exit_code as f64);
    set(&obj, "zeroKnowledge", summary.zero_knowledge);
    set(&obj, "outputHex", output::to_hex(&summary.output));
    let text = output::printable_text(&summary.output).map_or(JsValue::NULL, JsValue::from_str);
    set(&obj, "outputText", text);
    set(&obj, "outputLen", summary.output_len as f64);
    set(
        &obj,
        "outputTruncated",
        (summary.output.len() as u64) < summary.output_len,
    );
    set(&obj, "outputSha256", output::to_hex(&summary.output_sha256));
    set(&obj, "proofVerifier", ACTIVE_PROOF_VERIFIER_NAME);
    obj
}

/// A rejection as a JS `Error` whose message names the epoch and the check,
/// with `epoch` (number or null), `check` (short stable name), `offset`
/// (byte offset of the record being read) and `proofCheck` (for a rejected
/// proof: the proof system's check, else null) properties.
///
/// `epochsVerified` counts the epochs that passed before the failure: a push
/// that fails returns no events, so epochs completed earlier in the same
/// chunk are reported only through this count.
fn verify_error(error: &VerifyError, epochs_verified: u64) -> JsValue {
    let err = js_sys::Error::new(&error.to_string());
    err.set_name("VerifyError");
    set(
        &err,
        "epoch",
        error.epoch.map_or(JsValue::NULL, |e| (e as f64).into()),
    );
    set(&err, "check", error.check());
    set(&err, "offset", error.offset as f64);
    // For a rejected proof, which check of the proof system failed.
    let proof_check = match &error.kind {
        VerifyErrorKind::ProofRejected(rejected) => JsValue::from_str(rejected.check),
        _ => JsValue::NULL,
    };
    set(&err, "proofCheck", proof_check);
    set(&err, "epochsVerified", epochs_verified as f64);
    err.into()
}

/// Bad arguments from the caller (not a verdict on the bundle).
fn usage_error(message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("UsageError");
    err.into()
}

fn finished_error() -> JsValue {
    usage_error("this Verifier has already finished; create a new one")
}
