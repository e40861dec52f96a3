//! The bytes a job and its result are stored as in Redis.
//!
//! A job blob is the run context and one [`EpochWork`], a result blob the
//! epoch's statement and proof or why it failed; both are bincode 2
//! (`standard()` config, serde) of the mirror types below, prefixed by
//! [`WIRE_VERSION`]. The mirrors exist because the prover's own types hold
//! fixed-size arrays (pages, Merkle paths) that serde does not encode; they
//! are rebuilt through the same constructors as everywhere else (a Merkle
//! path of the wrong length does not decode).

use serde::{Deserialize, Serialize};
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::MerklePath;
use sluice_verifier::params::ProofParams;
use sluice_verifier::statement::EpochStatement;
use sluice_verifier::stream::ChainContext;

use crate::driver::EpochWork;
use crate::executor::{EpochRecord, PageIn, PAGE_SIZE};
use crate::memory_image::{EpochTransition, PageOpening, PageUpdate};

/// First byte of every blob; a blob of another version is refused.
pub const WIRE_VERSION: u8 = 1;

/// The most bytes a decoder allocates for one blob (a `2^20`-cycle epoch's
/// work is tens of MB at most).
const LIMIT: usize = 1 << 30;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

/// Why a blob could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("empty blob")]
    Empty,
    #[error("blob wire version {0}, this build reads {WIRE_VERSION}")]
    Version(u8),
    #[error("malformed blob: {0}")]
    Decode(String),
}

#[derive(Serialize, Deserialize)]
struct Ctx {
    protocol_version: u32,
    params: ProofParams,
    image_id: Digest,
    epoch_size_log2: u8,
}

#[derive(Serialize, Deserialize)]
struct Page {
    index: u32,
    data: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Record {
    index: u64,
    start_cycle: u64,
    cycles: u64,
    start_pc: u32,
    start_registers: Vec<u32>,
    end_pc: u32,
    end_registers: Vec<u32>,
    exit_code: Option<u32>,
    public_output: Vec<u8>,
    pages: Vec<Page>,
    start_input_eof: bool,
    end_input_eof: bool,
    read_results: Vec<u32>,
    row_cap_log2: u32,
    input_start: u64,
    input_end: u64,
    input: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Opening {
    index: u32,
    leaf: Digest,
    path: Vec<Digest>,
}

#[derive(Serialize, Deserialize)]
struct Update {
    index: u32,
    old_leaf: Digest,
    new_leaf: Digest,
    path: Vec<Digest>,
    root_after: Digest,
}

#[derive(Serialize, Deserialize)]
struct Transition {
    index: u64,
    start_root: Digest,
    end_root: Digest,
    start_state: Digest,
    end_state: Digest,
    page_ins: Vec<Opening>,
    page_outs: Vec<Update>,
    end_pages: Vec<Page>,
}

#[derive(Serialize, Deserialize)]
struct Job {
    ctx: Ctx,
    record: Record,
    transition: Transition,
}

/// What a worker returns for one epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobResult {
    Proven {
        statement: EpochStatement,
        proof: Vec<u8>,
    },
    /// Proving failed; the run fails with this message, the epoch named.
    Failed { worker: String, reason: String },
}

fn page_out(p: &PageIn) -> Page {
    Page {
        index: p.index,
        data: p.data.to_vec(),
    }
}

fn page_in(p: Page) -> Result<PageIn, WireError> {
    let data: Box<[u8; PAGE_SIZE]> = p
        .data
        .into_boxed_slice()
        .try_into()
        .map_err(|d: Box<[u8]>| WireError::Decode(format!("a page of {} bytes", d.len())))?;
    Ok(PageIn {
        index: p.index,
        data,
    })
}

fn path(siblings: Vec<Digest>) -> Result<MerklePath, WireError> {
    MerklePath::new(&siblings).map_err(|e| WireError::Decode(e.to_string()))
}

fn registers(v: Vec<u32>) -> Result<[u32; 32], WireError> {
    v.try_into()
        .map_err(|v: Vec<u32>| WireError::Decode(format!("{} registers", v.len())))
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![WIRE_VERSION];
    out.extend(bincode::serde::encode_to_vec(value, config()).expect("wire types encode"));
    out
}

fn decode<T: serde::de::DeserializeOwned>(blob: &[u8]) -> Result<T, WireError> {
    let (&version, body) = blob.split_first().ok_or(WireError::Empty)?;
    if version != WIRE_VERSION {
        return Err(WireError::Version(version));
    }
    let (value, used) = bincode::serde::decode_from_slice(body, config())
        .map_err(|e| WireError::Decode(e.to_string()))?;
    if used != body.len() {
        return Err(WireError::Decode(format!(
            "{} bytes after the value",
            body.len() - used
        )));
    }
    Ok(value)
}

/// A job blob: the run context and one epoch's work.
pub fn encode_job(ctx: &ChainContext, work: &EpochWork) -> Vec<u8> {
    let r = &work.record;
    let t = &work.transition;
    encode(&Job {
        ctx: Ctx {
            protocol_version: ctx.protocol_version,
            params: ctx.params,
            image_id: ctx.image_id,
            epoch_size_log2: ctx.epoch_size_log2,
        },
        record: Record {
            index: r.index,
            start_cycle: r.start_cycle,
            cycles: r.cycles,
            start_pc: r.start_pc,
            start_registers: r.start_registers.to_vec(),
            end_pc: r.end_pc,
            end_registers: r.end_registers.to_vec(),
            exit_code: r.exit_code,
            public_output: r.public_output.clone(),
            pages: r.pages.iter().map(page_out).collect(),
            start_input_eof: r.start_input_eof,
            end_input_eof: r.end_input_eof,
            read_results: r.read_results.clone(),
            row_cap_log2: r.row_cap_log2,
            input_start: r.input_start,
            input_end: r.input_end,
            input: r.input.clone(),
        },
        transition: Transition {
            index: t.index,
            start_root: t.start_root,
            end_root: t.end_root,
            start_state: t.start_state,
            end_state: t.end_state,
            page_ins: t
                .page_ins
                .iter()
                .map(|o| Opening {
                    index: o.index,
                    leaf: o.leaf,
                    path: o.path.siblings().to_vec(),
                })
                .collect(),
            page_outs: t
                .page_outs
                .iter()
                .map(|u| Update {
                    index: u.index,
                    old_leaf: u.old_leaf,
                    new_leaf: u.new_leaf,
                    path: u.path.siblings().to_vec(),
                    root_after: u.root_after,
                })
                .collect(),
            end_pages: t.end_pages.iter().map(page_out).collect(),
        },
    })
}

/// Decodes a job blob.
pub fn decode_job(blob: &[u8]) -> Result<(ChainContext, EpochWork), WireError> {
    let job: Job = decode(blob)?;
    let ctx = ChainContext {
        protocol_version: job.ctx.protocol_version,
        params: job.ctx.params,
        image_id: job.ctx.image_id,
        epoch_size_log2: job.ctx.epoch_size_log2,
    };
    let r = job.record;
    let record = EpochRecord {
        index: r.index,
        start_cycle: r.start_cycle,
        cycles: r.cycles,
        start_pc: r.start_pc,
        start_registers: registers(r.start_registers)?,
        end_pc: r.end_pc,
        end_registers: registers(r.end_registers)?,
        exit_code: r.exit_code,
        public_output: r.public_output,
        pages: r.pages.into_iter().map(page_in).collect::<Result<_, _>>()?,
        start_input_eof: r.start_input_eof,
        end_input_eof: r.end_input_eof,
        read_results: r.read_results,
        row_cap_log2: r.row_cap_log2,
        input_start: r.input_start,
        input_end: r.input_end,
        input: r.input,
    };
    let t = job.transition;
    let transition = EpochTransition {
        index: t.index,
        start_root: t.start_root,
        end_root: t.end_root,
        start_state: t.start_state,
        end_state: t.end_state,
        page_ins: t
            .page_ins
            .into_iter()
            .map(|o| {
                Ok(PageOpening {
                    index: o.index,
                    leaf: o.leaf,
                    path: path(o.path)?,
                })
            })
            .collect::<Result<_, WireError>>()?,
        page_outs: t
            .page_outs
            .into_iter()
            .map(|u| {
                Ok(PageUpdate {
                    index: u.index,
                    old_leaf: u.old_leaf,
                    new_leaf: u.new_leaf,
                    path: path(u.path)?,
                    root_after: u.root_after,
                })
            })
            .collect::<Result<_, WireError>>()?,
        end_pages: t
            .end_pages
            .into_iter()
            .map(page_in)
            .collect::<Result<_, _>>()?,
    };
    Ok((ctx, EpochWork { record, transition }))
}

/// A result blob.
pub fn encode_result(result: &JobResult) -> Vec<u8> {
    encode(result)
}

/// Decodes a result blob.
pub fn decode_result(blob: &[u8]) -> Result<JobResult, WireError> {
    decode(blob)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_verifier::memory::DEPTH;
    use sluice_verifier::statement::EpochRole;

    fn digest(seed: u32) -> Digest {
        Digest(core::array::from_fn(|i| seed * 8 + i as u32))
    }

    fn work() -> (ChainContext, EpochWork) {
        let mut data = Box::new([0u8; PAGE_SIZE]);
        data[7] = 42;
        let page = PageIn { index: 3, data };
        let path = MerklePath::new(&(0..DEPTH as u32).map(digest).collect::<Vec<_>>()).unwrap();
        let record = EpochRecord {
            index: 5,
            start_cycle: 1 << 20,
            cycles: 77,
            start_pc: 0x1_0000,
            start_registers: core::array::from_fn(|i| i as u32),
            end_pc: 0x1_0040,
            end_registers: core::array::from_fn(|i| 100 + i as u32),
            exit_code: Some(3),
            public_output: b"out".to_vec(),
            pages: vec![page.clone()],
            start_input_eof: false,
            end_input_eof: true,
            read_results: vec![4, 0],
            row_cap_log2: 12,
            input_start: 10,
            input_end: 14,
            input: b"abcd".to_vec(),
        };
        let transition = EpochTransition {
            index: 5,
            start_root: digest(1),
            end_root: digest(2),
            start_state: digest(3),
            end_state: digest(4),
            page_ins: vec![PageOpening {
                index: 3,
                leaf: digest(5),
                path: path.clone(),
            }],
            page_outs: vec![PageUpdate {
                index: 3,
                old_leaf: digest(5),
                new_leaf: digest(6),
                path,
                root_after: digest(2),
            }],
            end_pages: vec![page],
        };
        let ctx = ChainContext {
            protocol_version: 5,
            params: ProofParams::DEFAULT,
            image_id: digest(9),
            epoch_size_log2: 12,
        };
        (ctx, EpochWork { record, transition })
    }

    #[test]
    fn a_job_and_a_result_round_trip() {
        let (ctx, work) = work();
        let (ctx2, work2) = decode_job(&encode_job(&ctx, &work)).unwrap();
        assert_eq!(ctx2, ctx);
        assert_eq!(work2.record, work.record);
        assert_eq!(work2.transition, work.transition);
        let result = JobResult::Proven {
            statement: EpochStatement {
                start: digest(1),
                end: digest(2),
                cycles: 77,
                role: EpochRole::Halt { exit_code: 3 },
                output: b"out".to_vec(),
            },
            proof: vec![1, 2, 3],
        };
        assert_eq!(decode_result(&encode_result(&result)).unwrap(), result);
    }

    #[test]
    fn damaged_blobs_are_refused_not_misread() {
        let (ctx, work) = work();
        let blob = encode_job(&ctx, &work);
        assert!(matches!(decode_job(&[]), Err(WireError::Empty)));
        let mut other = blob.clone();
        other[0] = WIRE_VERSION + 1;
        assert!(matches!(decode_job(&other), Err(WireError::Version(_))));
        for cut in [1, blob.len() / 2, blob.len() - 1] {
            assert!(
                matches!(decode_job(&blob[..cut]), Err(WireError::Decode(_))),
                "cut at {cut}"
            );
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert!(matches!(decode_job(&longer), Err(WireError::Decode(_))));
        // A page of the wrong size and a Merkle path of the wrong length.
        let mut job: Job = decode(&blob).unwrap();
        job.record.pages[0].data.pop();
        assert!(decode_job(&encode(&job)).is_err());
        let mut job: Job = decode(&blob).unwrap();
        job.transition.page_ins[0].path.pop();
        assert!(decode_job(&encode(&job)).is_err());
        let mut job: Job = decode(&blob).unwrap();
        job.record.start_registers.push(0);
        assert!(decode_job(&encode(&job)).is_err());
    }
}
