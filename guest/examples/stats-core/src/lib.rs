//! The values the `stats` guest and its host exchange. Both sides depend on
//! this crate, so they cannot disagree on a field: postcard, the codec of
//! `sluice_guest::io` and of the host library, encodes fields in order
//! without names.
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// What the host asks for (private input).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub label: String,
    pub samples: Vec<i64>,
    /// Samples strictly above it are counted in [`Report::above`].
    pub threshold: i64,
}

impl Job {
    /// The samples strictly above the threshold, in order: what the guest
    /// hints to the host (not proven).
    pub fn above_threshold(&self) -> Vec<i64> {
        self.samples
            .iter()
            .copied()
            .filter(|&s| s > self.threshold)
            .collect()
    }
}

/// What the guest proves (public output).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub label: String,
    pub count: u32,
    pub sum: i64,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub above: u32,
    /// Length of the raw-bytes frame the host passed after the job.
    pub salt_len: u32,
}

impl Report {
    /// The report of `job` (the guest's computation, also used by the host
    /// to check what it decodes).
    pub fn of(job: &Job, salt: &[u8]) -> Report {
        Report {
            label: job.label.clone(),
            count: job.samples.len() as u32,
            sum: job.samples.iter().fold(0i64, |a, &s| a.wrapping_add(s)),
            min: job.samples.iter().copied().min(),
            max: job.samples.iter().copied().max(),
            above: job.samples.iter().filter(|&&s| s > job.threshold).count() as u32,
            salt_len: salt.len() as u32,
        }
    }
}
