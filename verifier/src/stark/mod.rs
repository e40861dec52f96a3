//! The per-epoch STARK: configuration, transcript seeding, proof wire form
//! and verification.
//!
//! One epoch proof is a single `p3-batch-stark` batch proof over the tables
//! of [`crate::air`], linked by LogUp buses (`p3-lookup`). See
//! `docs/proof-system.md` for the tables, buses, parameters and known gaps.

pub mod config;
pub mod proof;
pub mod transcript;
pub mod verify;

pub use proof::{decode_proof, encode_proof, EpochProof, Rejection};
pub use verify::verify_epoch;
