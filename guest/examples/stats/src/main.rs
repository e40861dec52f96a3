//! Typed I/O end to end: reads a [`Job`] (a struct the host passed with
//! `Prover::input`) and a raw frame (`Prover::input_bytes`), commits a
//! [`Report`] and then the frame's first byte as a second value, and hints
//! the samples above the threshold to the host (not proven). The host side
//! is `prover/examples/stats_host.rs`.
#![no_std]
#![no_main]

use sluice_guest::io;
use stats_core::{Job, Report};

sluice_guest::entry!(main);

fn main() {
    let job: Job = io::read();
    let salt = io::read_vec();
    io::commit(&Report::of(&job, &salt));
    io::commit(&salt.first().copied());
    io::hint(&job.above_threshold());
}
