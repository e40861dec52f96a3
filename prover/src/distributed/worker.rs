//! The worker's side: take jobs, prove them, return the proofs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};
use redis::Commands;

use super::wire::{self, JobResult};
use super::{
    attempts_key, client, connect, ensure_group, fresh_id, jobs_key, now_ms, push_result,
    result_key, work_key, workers_key, GROUP, KEY_TTL_SECS, MAX_ATTEMPTS, MAX_PROVE,
};
use crate::driver::{prove_catching_panics, EpochProver};

/// How often a worker that is proving says it is alive (the coordinator
/// counts workers seen in the last 15 s).
const HEARTBEAT: Duration = Duration::from_secs(5);

/// How a worker runs.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// `redis://HOST:PORT[/DB]`.
    pub url: String,
    /// Epochs proven at once (one consumer each).
    pub jobs: usize,
    /// A job taken by a worker that has not renewed it for this long is
    /// taken over (its worker is presumed dead). Workers renew their jobs
    /// every third of it while they prove.
    pub claim_after: Duration,
    /// The protocol version whose jobs this worker takes.
    pub protocol_version: u32,
    /// Stop after this many jobs (proven or failed); `None`: until stopped.
    pub max_jobs: Option<u64>,
}

impl WorkerOptions {
    pub fn new(url: &str) -> Self {
        WorkerOptions {
            url: url.to_owned(),
            jobs: 1,
            claim_after: Duration::from_secs(60),
            protocol_version: sluice_verifier::PROTOCOL_VERSION,
            max_jobs: None,
        }
    }
}

/// What a worker did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkerReport {
    pub proven: u64,
    pub failed: u64,
    pub skipped: u64,
}

struct Shared<'a, P> {
    options: &'a WorkerOptions,
    client: redis::Client,
    name: String,
    prover: &'a P,
    stop: &'a AtomicBool,
    proven: AtomicU64,
    failed: AtomicU64,
    skipped: AtomicU64,
}

impl<P: EpochProver> Shared<'_, P> {
    fn done(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
            || self.options.max_jobs.is_some_and(|max| {
                self.proven.load(Ordering::Relaxed) + self.failed.load(Ordering::Relaxed) >= max
            })
    }

    /// One consumer: connects (and reconnects after any Redis error) and
    /// takes jobs until stopped.
    fn consume(&self, consumer: &str) {
        let stream = jobs_key(self.options.protocol_version);
        let mut reported = false;
        while !self.done() {
            let result = connect(&self.client).and_then(|mut con| {
                ensure_group(&mut con, &stream)?;
                if reported {
                    eprintln!("worker {consumer}: connected to {}", self.options.url);
                    reported = false;
                }
                self.serve(&mut con, &stream, consumer)
            });
            if let Err(e) = result {
                if !reported {
                    eprintln!(
                        "worker {consumer}: queue at {} unavailable ({e}); retrying every second",
                        self.options.url
                    );
                    reported = true;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }

    fn serve(
        &self,
        con: &mut redis::Connection,
        stream: &str,
        consumer: &str,
    ) -> redis::RedisResult<()> {
        let workers = workers_key(self.options.protocol_version);
        // XAUTOCLAIM scans the pending list from this cursor, a few entries
        // per call, so a dead worker's job deep in it is reached too.
        let mut cursor = String::from("0-0");
        while !self.done() {
            let _: () = con.zadd(&workers, consumer, now_ms())?;
            // Workers that vanished an hour ago leave the set.
            let _: () = con.zrembyscore(&workers, "-inf", now_ms().saturating_sub(3_600_000))?;
            let claim_ms = self.options.claim_after.as_millis() as u64;
            let reclaimed: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
                .arg(stream)
                .arg(GROUP)
                .arg(consumer)
                .arg(claim_ms)
                .arg(&cursor)
                .arg("COUNT")
                .arg(1)
                .query(con)?;
            cursor = reclaimed.next_stream_id;
            let taken_over = reclaimed.claimed.into_iter().next();
            if let Some(entry) = &taken_over {
                eprintln!(
                    "worker {consumer}: taking over job {} (its worker stopped renewing it)",
                    entry.id
                );
            }
            let entry = match taken_over {
                Some(entry) => Some(entry),
                None => {
                    let read: Option<StreamReadReply> = redis::cmd("XREADGROUP")
                        .arg("GROUP")
                        .arg(GROUP)
                        .arg(consumer)
                        .arg("COUNT")
                        .arg(1)
                        .arg("BLOCK")
                        .arg(1000)
                        .arg("STREAMS")
                        .arg(stream)
                        .arg(">")
                        .query(con)?;
                    read.and_then(|r| r.keys.into_iter().next())
                        .and_then(|k| k.ids.into_iter().next())
                }
            };
            if let Some(entry) = entry {
                self.handle(con, stream, consumer, &entry)?;
            }
        }
        let _: () = con.zrem(&workers, consumer)?;
        Ok(())
    }

    /// Returns `result` (only while the coordinator still waits for it) and
    /// retires the job. Retried on fresh connections, so a proof is not
    /// thrown away for one Redis error after a long proof.
    fn finish(
        &self,
        con: &mut redis::Connection,
        stream: &str,
        id: &str,
        run: &str,
        epoch: u64,
        result: &JobResult,
    ) -> redis::RedisResult<()> {
        let blob = wire::encode_result(result);
        let (work, key) = (work_key(run, epoch), result_key(run, epoch));
        let retire = |con: &mut redis::Connection| -> redis::RedisResult<()> {
            push_result(con, &work, &key, &blob)?;
            retire_job(con, stream, id)
        };
        let mut outcome = retire(con);
        for _ in 0..5 {
            if outcome.is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
            outcome = connect(&self.client).and_then(|mut fresh| retire(&mut fresh));
        }
        outcome?;
        match result {
            JobResult::Proven { .. } => self.proven.fetch_add(1, Ordering::Relaxed),
            JobResult::Failed { .. } => self.failed.fetch_add(1, Ordering::Relaxed),
        };
        Ok(())
    }

    fn handle(
        &self,
        con: &mut redis::Connection,
        stream: &str,
        consumer: &str,
        entry: &StreamId,
    ) -> redis::RedisResult<()> {
        let (Some(run), Some(epoch)) = (entry.get::<String>("run"), entry.get::<u64>("epoch"))
        else {
            eprintln!("worker {consumer}: dropping malformed job {}", entry.id);
            return retire_job(con, stream, &entry.id);
        };
        let failed = |reason: String| JobResult::Failed {
            worker: consumer.to_owned(),
            reason,
        };
        let Some(blob) = con.get::<_, Option<Vec<u8>>>(work_key(&run, epoch))? else {
            // The run has this epoch's result already, or it is gone.
            self.skipped.fetch_add(1, Ordering::Relaxed);
            return retire_job(con, stream, &entry.id);
        };
        let (ctx, work) = match wire::decode_job(&blob) {
            Ok(job) => job,
            Err(e) => {
                let reason = format!("the job is unreadable: {e}");
                return self.finish(con, stream, &entry.id, &run, epoch, &failed(reason));
            }
        };
        if ctx.protocol_version != self.options.protocol_version {
            let reason = format!(
                "the job is for protocol {} and was queued for protocol {}",
                ctx.protocol_version, self.options.protocol_version
            );
            return self.finish(con, stream, &entry.id, &run, epoch, &failed(reason));
        }
        let attempts: u64 = con.hincr(attempts_key(&run), epoch, 1)?;
        let _: () = con.expire(attempts_key(&run), KEY_TTL_SECS as i64)?;
        if attempts > MAX_ATTEMPTS {
            let reason = format!(
                "it was taken {} times without a result: the workers proving it died, were \
                 killed (out of memory?) or hung",
                attempts - 1
            );
            return self.finish(con, stream, &entry.id, &run, epoch, &failed(reason));
        }
        eprintln!("worker {consumer}: proving epoch {epoch} of run {run}");
        let proven = self.with_renewal(stream, consumer, &entry.id, || {
            prove_catching_panics(self.prover, &ctx, &work, &[])
        });
        let result = match proven {
            Ok((statement, proof)) => JobResult::Proven { statement, proof },
            Err(e) => failed(format!("{e:#}")),
        };
        self.finish(con, stream, &entry.id, &run, epoch, &result)
    }

    /// Runs `prove` while a side thread keeps the worker's heartbeat and
    /// renews the job (an `XCLAIM` to ourselves resets its idle time) while
    /// we still own it, so no other worker takes it over, for at most
    /// [`MAX_PROVE`].
    fn with_renewal<T>(
        &self,
        stream: &str,
        consumer: &str,
        id: &str,
        prove: impl FnOnce() -> T,
    ) -> T {
        // Claims the job again only if `consumer` still owns it.
        const RENEW: &str = "local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], \
            ARGV[3], 1) if p[1] and p[1][2] == ARGV[2] then redis.call('XCLAIM', KEYS[1], \
            ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID') return 1 end return 0";
        let proving = AtomicBool::new(true);
        let every = self.options.claim_after / 3;
        std::thread::scope(|s| {
            s.spawn(|| {
                let tick = Duration::from_millis(50);
                let started = std::time::Instant::now();
                let (mut since_claim, mut since_beat) = (Duration::ZERO, Duration::ZERO);
                let mut con = None;
                let mut owned = true;
                while proving.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    since_claim += tick;
                    since_beat += tick;
                    let renew = owned && since_claim >= every && started.elapsed() < MAX_PROVE;
                    let beat = since_beat >= HEARTBEAT;
                    if !renew && !beat {
                        continue;
                    }
                    if con.is_none() {
                        con = connect(&self.client).ok();
                    }
                    let Some(c) = con.as_mut() else { continue };
                    let mut ok = true;
                    if renew {
                        since_claim = Duration::ZERO;
                        match redis::cmd("EVAL")
                            .arg(RENEW)
                            .arg(1)
                            .arg(stream)
                            .arg(GROUP)
                            .arg(consumer)
                            .arg(id)
                            .query::<i64>(c)
                        {
                            Ok(1) => {}
                            Ok(_) => owned = false,
                            Err(_) => ok = false,
                        }
                    }
                    if beat {
                        since_beat = Duration::ZERO;
                        let beat: redis::RedisResult<()> = c.zadd(
                            workers_key(self.options.protocol_version),
                            consumer,
                            now_ms(),
                        );
                        ok &= beat.is_ok();
                    }
                    if !ok {
                        con = None;
                    }
                }
            });
            let out = prove();
            proving.store(false, Ordering::Relaxed);
            out
        })
    }
}

/// Acknowledges job `id` and removes it from the stream: nobody takes it
/// again, and the stream does not grow.
fn retire_job(con: &mut redis::Connection, stream: &str, id: &str) -> redis::RedisResult<()> {
    let _: () = redis::cmd("XACK")
        .arg(stream)
        .arg(GROUP)
        .arg(id)
        .query(con)?;
    redis::cmd("XDEL").arg(stream).arg(id).query(con)
}

/// Runs a worker until `stop` is set (or `max_jobs` jobs are done): `jobs`
/// consumers, each proving one epoch at a time with `prover`.
pub fn run_worker<P: EpochProver>(
    options: &WorkerOptions,
    prover: &P,
    stop: &AtomicBool,
) -> Result<WorkerReport, String> {
    let shared = Shared {
        options,
        client: client(&options.url)?,
        name: fresh_id(),
        prover,
        stop,
        proven: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        skipped: AtomicU64::new(0),
    };
    std::thread::scope(|s| {
        for i in 0..options.jobs.max(1) {
            let shared = &shared;
            s.spawn(move || shared.consume(&format!("{}-{i}", shared.name)));
        }
    });
    Ok(WorkerReport {
        proven: shared.proven.into_inner(),
        failed: shared.failed.into_inner(),
        skipped: shared.skipped.into_inner(),
    })
}
