//! The coordinator's side: an [`EpochProver`] that proves through the
//! queue (and, if asked, locally while it waits).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use redis::Commands;
use sluice_verifier::statement::EpochStatement;
use sluice_verifier::stream::ChainContext;

use super::wire::{self, JobResult};
use sluice_verifier::stark::StarkEpochVerifier;
use sluice_verifier::stream::EpochProofVerifier;

use super::{
    attempts_key, client, connect, ensure_group, fresh_id, jobs_key, now_ms, result_key, work_key,
    workers_key, KEY_TTL_SECS,
};
use crate::driver::{EpochProver, EpochWork};

/// How the coordinator uses the queue.
#[derive(Clone, Debug)]
pub struct QueueOptions {
    /// `redis://HOST:PORT[/DB]`.
    pub url: String,
    /// Epochs the coordinator proves itself at once, besides the workers.
    pub local_jobs: usize,
    /// A warning is printed when an epoch has waited this long and no
    /// worker of this protocol version is alive.
    pub warn_after: Duration,
}

impl QueueOptions {
    pub fn new(url: &str) -> Self {
        QueueOptions {
            url: url.to_owned(),
            local_jobs: 0,
            warn_after: Duration::from_secs(10),
        }
    }
}

/// Proves epochs by publishing them as jobs and waiting for a worker's
/// result; up to `local_jobs` of them are proven in-process by `local`.
pub struct QueueProver<P> {
    client: redis::Client,
    url: String,
    run: String,
    version: u32,
    local: P,
    local_free: AtomicUsize,
    warn_after: Duration,
    warned: AtomicBool,
    /// Epochs published and not yet answered: their keys are deleted by
    /// [`QueueProver::cleanup`] (and on drop) if the run stops early.
    outstanding: Arc<Mutex<BTreeSet<u64>>>,
    stats: [AtomicU64; 4],
    /// Set once an epoch failed: the epochs still waiting give up at once
    /// instead of waiting for results the run will not use.
    failed: AtomicBool,
}

/// What a run moved through the queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Epochs published as jobs (the rest were proven here).
    pub jobs: u64,
    /// Bytes of job blobs published, and the largest one.
    pub job_bytes: u64,
    pub max_job_bytes: u64,
    /// Bytes of result blobs received.
    pub result_bytes: u64,
}

impl<P> QueueProver<P> {
    /// What this run has moved through the queue so far.
    pub fn stats(&self) -> QueueStats {
        let [jobs, job_bytes, max_job_bytes, result_bytes] =
            self.stats.each_ref().map(|a| a.load(Ordering::Relaxed));
        QueueStats {
            jobs,
            job_bytes,
            max_job_bytes,
            result_bytes,
        }
    }

    /// This run's ID (its keys are `sluice:run:ID:*`).
    pub fn run_id(&self) -> &str {
        &self.run
    }

    /// Deletes what is left of this run in Redis (best effort): the
    /// attempt counters and the keys of epochs still waiting, whose jobs
    /// workers then skip. Also done on drop.
    pub fn cleanup(&self) {
        self.cleanup_handle()();
    }

    /// [`QueueProver::cleanup`] as a closure of its own, for a signal
    /// handler that exits the process while the driver still holds the
    /// prover.
    pub fn cleanup_handle(&self) -> impl FnOnce() + Send + 'static {
        let (client, run, outstanding) = (
            self.client.clone(),
            self.run.clone(),
            Arc::clone(&self.outstanding),
        );
        move || {
            let outstanding = std::mem::take(
                &mut *outstanding
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            );
            if let Ok(mut con) = connect(&client) {
                let mut keys = vec![attempts_key(&run)];
                for epoch in outstanding {
                    keys.push(work_key(&run, epoch));
                    keys.push(result_key(&run, epoch));
                }
                let _: redis::RedisResult<()> = con.del(keys);
            }
        }
    }

    fn set_outstanding(&self, epoch: u64, waiting: bool) {
        let mut set = self
            .outstanding
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if waiting {
            set.insert(epoch);
        } else {
            set.remove(&epoch);
        }
    }
}

impl<P: EpochProver> QueueProver<P> {
    /// Connects (a `PING`, so a wrong URL fails before anything runs) and
    /// starts a run with a fresh ID for protocol `version`.
    pub fn connect(options: &QueueOptions, version: u32, local: P) -> Result<Self, String> {
        let client = client(&options.url)?;
        let mut con = connect(&client)
            .map_err(|e| format!("cannot reach the queue at {}: {e}", options.url))?;
        redis::cmd("PING")
            .query::<String>(&mut con)
            .map_err(|e| format!("the queue at {} does not answer PING: {e}", options.url))?;
        ensure_group(&mut con, &jobs_key(version))
            .map_err(|e| format!("cannot create the job stream at {}: {e}", options.url))?;
        Ok(QueueProver {
            client,
            url: options.url.clone(),
            run: fresh_id(),
            version,
            local,
            local_free: AtomicUsize::new(options.local_jobs),
            warn_after: options.warn_after,
            warned: AtomicBool::new(false),
            outstanding: Arc::new(Mutex::new(BTreeSet::new())),
            stats: Default::default(),
            failed: AtomicBool::new(false),
        })
    }

    fn take_local_slot(&self) -> bool {
        self.local_free
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }

    fn live_workers(&self, con: &mut redis::Connection) -> redis::RedisResult<u64> {
        let since = now_ms().saturating_sub(15_000);
        con.zcount(workers_key(self.version), since, "+inf")
    }

    fn prove_remote(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        let epoch = work.record.index;
        let lost = || format!("lost the queue at {} (run {})", self.url, self.run);
        let mut con = connect(&self.client).with_context(lost)?;
        let blob = wire::encode_job(ctx, work);
        self.stats[0].fetch_add(1, Ordering::Relaxed);
        self.stats[1].fetch_add(blob.len() as u64, Ordering::Relaxed);
        self.stats[2].fetch_max(blob.len() as u64, Ordering::Relaxed);
        let (work_key, result_key) = (work_key(&self.run, epoch), result_key(&self.run, epoch));
        let _: () = con
            .set_ex(&work_key, blob, KEY_TTL_SECS)
            .with_context(lost)?;
        let _: () = con.del(&result_key).with_context(lost)?;
        self.set_outstanding(epoch, true);
        let _: String = redis::cmd("XADD")
            .arg(jobs_key(self.version))
            .arg("*")
            .arg("run")
            .arg(&self.run)
            .arg("epoch")
            .arg(epoch)
            .query(&mut con)
            .with_context(lost)?;
        let waiting = Instant::now();
        let mut checked = Instant::now();
        loop {
            if self.failed.load(Ordering::Relaxed) {
                return Err(anyhow!("stopped: the run is ending (another epoch failed)"));
            }
            let popped: Option<(String, Vec<u8>)> =
                con.blpop(&result_key, 1.0).with_context(lost)?;
            let Some((_, blob)) = popped else {
                if checked.elapsed() >= Duration::from_secs(5) {
                    checked = Instant::now();
                    if !con.exists::<_, bool>(&work_key).with_context(lost)? {
                        return Err(anyhow!(
                            "its job vanished from the queue at {} (evicted or flushed? the \
                             queue's Redis needs maxmemory-policy noeviction)",
                            self.url
                        ));
                    }
                }
                if waiting.elapsed() >= self.warn_after
                    && self.live_workers(&mut con).with_context(lost)? == 0
                    && !self.warned.swap(true, Ordering::Relaxed)
                {
                    eprintln!(
                        "warning: epoch {epoch} has waited {} s and no worker for protocol {} \
                         is alive; start one with `prover worker --queue {}`",
                        waiting.elapsed().as_secs(),
                        self.version,
                        self.url
                    );
                }
                continue;
            };
            let _: () = con.del(&[&work_key, &result_key]).with_context(lost)?;
            self.set_outstanding(epoch, false);
            self.stats[3].fetch_add(blob.len() as u64, Ordering::Relaxed);
            let result = wire::decode_result(&blob)
                .map_err(|e| anyhow!("a worker's result is unreadable: {e}"))?;
            return match result {
                JobResult::Proven { statement, proof } => {
                    // A worker is not trusted: its proof is checked before
                    // the driver writes it.
                    StarkEpochVerifier
                        .verify_epoch(ctx, epoch, &statement, &proof)
                        .map_err(|e| {
                            anyhow!("a worker returned a proof that does not verify: {e}")
                        })?;
                    Ok((statement, proof))
                }
                JobResult::Failed { worker, reason } => {
                    Err(anyhow!("worker {worker} could not prove it: {reason}"))
                }
            };
        }
    }
}

impl<P> Drop for QueueProver<P> {
    fn drop(&mut self) {
        self.cleanup();
    }
}

impl<P: EpochProver> EpochProver for QueueProver<P> {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        if self.take_local_slot() {
            let proven = self.local.prove_epoch(ctx, work, input);
            self.local_free.fetch_add(1, Ordering::AcqRel);
            return proven;
        }
        let proven = self.prove_remote(ctx, work);
        if proven.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        proven
    }

    fn statement(&self, work: &EpochWork) -> EpochStatement {
        self.local.statement(work)
    }

    fn cancel(&self) {
        self.failed.store(true, Ordering::Relaxed);
        self.local.cancel();
    }
}
