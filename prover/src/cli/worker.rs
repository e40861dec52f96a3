//! `prover worker`: prove epochs published by coordinators on a queue.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use sluice_prover::distributed::{run_worker, WorkerOptions};
use sluice_prover::prove::StarkEpochProver;

use super::exit;

pub const LONG_HELP: &str = "\
Takes jobs from the Redis at URL (published by `prover prove --queue URL`),
proves each epoch and returns its proof to the coordinator. Run any number
of workers on any number of machines; each takes jobs of its own protocol
version only. A job whose worker stops renewing it (killed, crashed, cut
off) for --claim-after seconds is taken over by another worker; an epoch
taken 3 times without a result fails its run. Ctrl-C or SIGTERM stops the
worker after the epochs it is proving; a second one stops it at once. If
Redis goes away the worker retries every second. See docs/distributed.md.

Exit status:
  0  stopped by Ctrl-C or SIGTERM
  1  stopped by a second Ctrl-C or SIGTERM
  2  invalid queue URL";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The queue: `redis://HOST:PORT[/DB]`.
    #[arg(long, value_name = "URL")]
    pub queue: String,
    /// Epochs proven at once (each needs one epoch's proving memory, see
    /// `prover prove --help`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub jobs: usize,
    /// Seconds after which a job that its worker stopped renewing is taken
    /// over.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub claim_after: u64,
    /// How the worker trades memory for time, its proofs the same byte for
    /// byte either way (see `prover prove --help`): `auto` (the default) is
    /// `low`, since a worker cannot know in advance whether its jobs are
    /// zero-knowledge (those then use only `low`'s allocator); or `fast`.
    #[arg(long, value_enum, default_value_t = super::Memory::Auto)]
    pub memory: super::Memory,
}

pub fn run(args: Args) -> u8 {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal exits at once (exit code 1), even in a long proof.
        let registered =
            signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&stop))
                .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&stop)));
        if let Err(e) = registered {
            eprintln!(
                "warning: cannot watch for signal {signal} ({e}); stop the worker with SIGKILL"
            );
        }
    }
    let options = WorkerOptions {
        jobs: args.jobs.max(1),
        claim_after: Duration::from_secs(args.claim_after.max(1)),
        ..WorkerOptions::new(&args.queue)
    };
    eprintln!(
        "worker: {} job(s) from {} (protocol {})",
        options.jobs, options.url, options.protocol_version
    );
    match run_worker(&options, &StarkEpochProver, &stop) {
        Ok(report) => {
            eprintln!(
                "worker stopped: {} epoch(s) proven, {} failed, {} skipped",
                report.proven, report.failed, report.skipped
            );
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE_OR_INPUT
        }
    }
}
