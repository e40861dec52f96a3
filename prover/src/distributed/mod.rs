//! Proving across machines: a coordinator publishes each epoch as a job in
//! Redis and stateless workers prove them (`prover prove --queue`,
//! `prover worker`).
//!
//! The coordinator is the local driver ([`crate::driver`]) with a
//! different [`crate::driver::EpochProver`]: [`QueueProver`] publishes the
//! epoch and waits for its proof. The window, the ordering and the writer
//! are the driver's, so the bundle is byte for byte the one a local run
//! writes.
//!
//! Keyspace (`docs/distributed.md`), `N` the protocol version, `R` a run ID:
//! - `sluice:vN:jobs` — a stream of jobs `{run, epoch}`, consumer group
//!   `workers`: a worker only reads jobs of the protocol it proves;
//! - `sluice:vN:workers` — a sorted set of live workers, scored by their
//!   last heartbeat (unix ms);
//! - `sluice:run:R:work:E` — epoch `E`'s job blob ([`wire`]);
//! - `sluice:run:R:result:E` — a list the worker pushes the result blob
//!   to; the coordinator pops the first and ignores any later duplicate;
//! - `sluice:run:R:attempts` — a hash: how often each epoch was taken.
//!
//! Every run key expires ([`KEY_TTL_SECS`]) and the coordinator deletes an
//! epoch's keys once it has its result.

mod coordinator;
pub mod wire;
mod worker;

pub use coordinator::{QueueOptions, QueueProver, QueueStats};
pub use worker::{run_worker, WorkerOptions, WorkerReport};

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Consumer group of the workers.
pub const GROUP: &str = "workers";

/// Run keys expire after this long without being refreshed (a day): a
/// coordinator that dies leaves nothing behind for long.
pub const KEY_TTL_SECS: u64 = 24 * 3600;

/// An epoch taken this many times without a result fails the run.
pub const MAX_ATTEMPTS: u64 = 3;

/// A worker stops renewing a job after proving it this long (a prover that
/// hangs then loses the job to another worker, and the attempt cap ends
/// it).
pub const MAX_PROVE: Duration = Duration::from_secs(3600);

/// The job stream of protocol `version` (and of this build's job blob
/// format, [`wire::WIRE_VERSION`]): a worker only ever reads jobs it can
/// decode and prove.
pub fn jobs_key(version: u32) -> String {
    format!("sluice:v{version}.{}:jobs", wire::WIRE_VERSION)
}

/// The live-worker set of protocol `version`.
pub fn workers_key(version: u32) -> String {
    format!("sluice:v{version}:workers")
}

/// Epoch `epoch`'s job blob in run `run`.
pub fn work_key(run: &str, epoch: u64) -> String {
    format!("sluice:run:{run}:work:{epoch}")
}

/// Epoch `epoch`'s result list in run `run`.
pub fn result_key(run: &str, epoch: u64) -> String {
    format!("sluice:run:{run}:result:{epoch}")
}

/// Run `run`'s attempt counters.
pub fn attempts_key(run: &str) -> String {
    format!("sluice:run:{run}:attempts")
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A fresh ID: 16 hex digits from the clock, the process and a counter.
pub fn fresh_id() -> String {
    use sha2::{Digest as _, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Opens a Redis client for `url` (`redis://HOST:PORT[/DB]`), with the
/// error a user can act on.
pub fn client(url: &str) -> Result<redis::Client, String> {
    let client = redis::Client::open(url)
        .map_err(|e| format!("invalid queue URL `{url}`: {e} (expected redis://HOST:PORT[/DB])"))?;
    Ok(client)
}

/// A connection with timeouts: connecting takes at most 5 s, and a read
/// or write that hangs (a network partition without a reset) fails after
/// 15 s instead of blocking forever. Blocking commands here wait at most
/// 1 s.
pub fn connect(client: &redis::Client) -> redis::RedisResult<redis::Connection> {
    let con = client.get_connection_with_timeout(Duration::from_secs(5))?;
    con.set_read_timeout(Some(Duration::from_secs(15)))?;
    con.set_write_timeout(Some(Duration::from_secs(15)))?;
    Ok(con)
}

/// Pushes a result blob to `result` only while the job's `work` key exists
/// (the coordinator is still waiting): a late duplicate, after the
/// coordinator took the first result and deleted both keys, leaves nothing.
/// Returns whether it was pushed.
pub fn push_result(
    con: &mut redis::Connection,
    work: &str,
    result: &str,
    blob: &[u8],
) -> redis::RedisResult<bool> {
    const SCRIPT: &str = "if redis.call('EXISTS', KEYS[1]) == 1 then \
        redis.call('RPUSH', KEYS[2], ARGV[1]); redis.call('EXPIRE', KEYS[2], ARGV[2]); \
        return 1 end return 0";
    let pushed: i64 = redis::cmd("EVAL")
        .arg(SCRIPT)
        .arg(2)
        .arg(work)
        .arg(result)
        .arg(blob)
        .arg(KEY_TTL_SECS)
        .query(con)?;
    Ok(pushed == 1)
}

/// Creates the consumer group of `stream` if it is missing.
pub fn ensure_group(con: &mut redis::Connection, stream: &str) -> redis::RedisResult<()> {
    let created: redis::RedisResult<()> = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(stream)
        .arg(GROUP)
        .arg("0")
        .arg("MKSTREAM")
        .query(con);
    match created {
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
        other => other,
    }
}
