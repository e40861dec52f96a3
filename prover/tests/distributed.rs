//! Distributed proving against a real Redis (Debian's `redis-server`,
//! started here on a free port with its data in a temp dir, stopped on
//! drop): a coordinator (`prove --queue`) and workers (`prover worker`) make
//! the bundle a local run makes, byte for byte, whatever happens to the
//! workers; two runs share one Redis; a worker of another protocol takes
//! nothing; a poisoned epoch fails its run by name; losing Redis fails the
//! run cleanly and `--resume` finishes it.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sluice_prover::distributed::{run_worker, QueueOptions, QueueProver, WorkerOptions};
use sluice_prover::driver::{EpochProver, EpochWork};
use sluice_prover::host::{HostError, Prover};
use sluice_prover::prove::StarkEpochProver;
use sluice_verifier::statement::EpochStatement;
use sluice_verifier::stream::ChainContext;
use sluice_verifier::PROTOCOL_VERSION;

use common::built_guest as guest;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-dist-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A `redis-server` of our own; killed on drop.
struct Redis {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Redis {
    fn start(name: &str) -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(name, port)
    }

    fn start_on(name: &str, port: u16) -> Redis {
        let dir = scratch(&format!("redis-{name}"));
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start redis-server ({e}): run scripts/setup.sh first")
            });
        let redis = Redis { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let up = redis::Client::open(redis.url())
                .and_then(|c| c.get_connection())
                .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con));
            if up.is_ok() {
                return redis;
            }
            assert!(Instant::now() < deadline, "redis-server did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn prover_cmd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_prover"))
}

/// `prove ELF --epoch-size-log2 K -o OUT EXTRA…` to its end: exit code and
/// stderr.
fn prove(elf: &str, k: &str, out: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let o = prover_cmd()
        .args(["prove", elf, "--epoch-size-log2", k, "-o"])
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A `prover worker` process whose stderr lines arrive on the returned
/// channel.
fn worker(url: &str, claim_after: u64) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = prover_cmd()
        .args(["worker", "--queue", url, "--claim-after"])
        .arg(claim_after.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn verify(bundle: &Path, elf: &str) {
    let o = prover_cmd()
        .arg("verify")
        .arg(bundle)
        .args(["--elf", elf])
        .output()
        .unwrap();
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "verify failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("VERIFIED"));
}

fn same_bytes(a: &Path, b: &Path) {
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(
        a == b,
        "the bundles differ ({} and {} bytes)",
        a.len(),
        b.len()
    );
}

/// `collatz` exits with 97, so `prove` exits 1.
const COLLATZ_EXIT: Option<i32> = Some(1);

#[test]
fn a_worker_killed_mid_job_is_replaced_and_the_bundle_is_the_local_one() {
    let dir = scratch("kill");
    let elf = guest("collatz");
    let local = dir.join("local.bundle");
    assert_eq!(prove(&elf, "14", &local, &["--jobs", "2"]).0, COLLATZ_EXIT);

    let redis = Redis::start("kill");
    let url = redis.url();
    let (mut doomed, doomed_log) = worker(&url, 2);
    let out = dir.join("queue.bundle");
    let coordinator = {
        let (elf, out, url) = (elf.clone(), out.clone(), url.clone());
        std::thread::spawn(move || prove(&elf, "14", &out, &["--queue", &url, "--jobs", "2"]))
    };
    // Kill the first worker as soon as it starts proving an epoch.
    loop {
        let line = doomed_log
            .recv_timeout(Duration::from_secs(60))
            .expect("the first worker never started proving");
        if line.contains("proving epoch") {
            break;
        }
    }
    doomed.kill().unwrap();
    doomed.wait().unwrap();
    let (mut rescuer, rescuer_log) = worker(&url, 2);
    let (code, stderr) = coordinator.join().unwrap();
    let _ = rescuer.kill();
    let _ = rescuer.wait();
    let rescuer_log: Vec<String> = rescuer_log.try_iter().collect();
    assert!(
        rescuer_log.iter().any(|l| l.contains("taking over job")),
        "the killed worker's job was taken over: {rescuer_log:?}"
    );
    assert_eq!(code, COLLATZ_EXIT, "{stderr}");
    assert!(stderr.contains("on the queue at"), "{stderr}");
    same_bytes(&local, &out);
    verify(&out, &elf);
}

#[test]
fn two_runs_share_one_redis() {
    let dir = scratch("two");
    let redis = Redis::start("two");
    let url = redis.url();
    let (collatz, sha) = (guest("collatz"), guest("sha256"));
    let input = dir.join("abc.txt");
    std::fs::write(&input, b"abc").unwrap();
    let input = input.to_str().unwrap().to_owned();
    let (l1, l2) = (dir.join("l1.bundle"), dir.join("l2.bundle"));
    assert_eq!(prove(&collatz, "12", &l1, &[]).0, COLLATZ_EXIT);
    assert_eq!(prove(&sha, "11", &l2, &["--input", &input]).0, Some(0));

    let (mut w, _log) = worker(&url, 30);
    let (q1, q2) = (dir.join("q1.bundle"), dir.join("q2.bundle"));
    let runs = [
        {
            let (elf, out, url) = (collatz.clone(), q1.clone(), url.clone());
            std::thread::spawn(move || prove(&elf, "12", &out, &["--queue", &url]))
        },
        {
            let (elf, out, url, input) = (sha.clone(), q2.clone(), url.clone(), input.clone());
            std::thread::spawn(move || {
                prove(&elf, "11", &out, &["--queue", &url, "--input", &input])
            })
        },
    ];
    let [r1, r2] = runs.map(|r| r.join().unwrap());
    let _ = w.kill();
    let _ = w.wait();
    assert_eq!(r1.0, COLLATZ_EXIT, "{}", r1.1);
    assert_eq!(r2.0, Some(0), "{}", r2.1);
    same_bytes(&l1, &q1);
    same_bytes(&l2, &q2);
    // Every run key is gone once the runs are done.
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let left: Vec<String> = redis::cmd("KEYS")
        .arg("sluice:run:*")
        .query(&mut con)
        .unwrap();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A library worker in a thread, stopped on drop.
struct LibWorker {
    stop: std::sync::Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<sluice_prover::distributed::WorkerReport>>,
}

impl LibWorker {
    fn start<P: EpochProver + Send + 'static>(options: WorkerOptions, prover: P) -> LibWorker {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || run_worker(&options, &prover, &flag).unwrap());
        LibWorker {
            stop,
            handle: Some(handle),
        }
    }

    fn stop(mut self) -> sluice_prover::distributed::WorkerReport {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.take().unwrap().join().unwrap()
    }
}

impl Drop for LibWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[test]
fn a_worker_of_another_protocol_takes_nothing() {
    let redis = Redis::start("version");
    let url = redis.url();
    let old = LibWorker::start(
        WorkerOptions {
            protocol_version: PROTOCOL_VERSION - 1,
            ..WorkerOptions::new(&url)
        },
        StarkEpochProver,
    );
    let elf = std::fs::read(guest("collatz")).unwrap();
    let queue = QueueProver::connect(
        &QueueOptions {
            warn_after: Duration::from_millis(500),
            ..QueueOptions::new(&url)
        },
        PROTOCOL_VERSION,
        StarkEpochProver,
    )
    .unwrap();
    let prover = Prover::new(&elf)
        .unwrap()
        .epoch_size_log2(13)
        .jobs(2)
        .with_epoch_prover(queue);
    // The right worker arrives late; until then only the old one is there.
    let late = {
        let url = url.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(2));
            LibWorker::start(WorkerOptions::new(&url), StarkEpochProver)
        })
    };
    let mut bundle = Vec::new();
    let report = prover.prove_to(&mut bundle, |_| {}).unwrap();
    let current = late.join().unwrap().stop();
    let old = old.stop();
    assert_eq!(old.proven, 0, "the old worker proved nothing");
    assert_eq!(current.proven, report.epochs);
    let expected = Prover::new(&elf).unwrap().image_id();
    let summary = sluice_verifier::verify_bundle(&bundle[..], expected).unwrap();
    assert_eq!(summary.epochs, report.epochs);
}

/// Panics on every epoch: a poisoned job.
struct Poisoned;

impl EpochProver for Poisoned {
    fn prove_epoch(
        &self,
        _: &ChainContext,
        _: &EpochWork,
        _: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        panic!("poisoned epoch");
    }
}

#[test]
fn an_epoch_no_worker_can_prove_fails_the_run_by_name() {
    let redis = Redis::start("poison");
    let url = redis.url();
    let bad = LibWorker::start(WorkerOptions::new(&url), Poisoned);
    let elf = std::fs::read(guest("collatz")).unwrap();
    let queue =
        QueueProver::connect(&QueueOptions::new(&url), PROTOCOL_VERSION, StarkEpochProver).unwrap();
    let err = Prover::new(&elf)
        .unwrap()
        .epoch_size_log2(13)
        .jobs(1)
        .with_epoch_prover(queue)
        .prove_to(Vec::new(), |_| {})
        .unwrap_err();
    assert!(matches!(err, HostError::Drive(_)), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("proving epoch 0 failed") && message.contains("poisoned epoch"),
        "{message}"
    );
    assert!(bad.stop().failed >= 1);
}

#[test]
fn losing_redis_fails_the_run_cleanly_and_resume_finishes_it() {
    let dir = scratch("restart");
    let elf = guest("collatz");
    let local = dir.join("local.bundle");
    assert_eq!(prove(&elf, "12", &local, &[]).0, COLLATZ_EXIT);

    let mut redis = Redis::start("restart");
    let (port, url) = (redis.port, redis.url());
    let out = dir.join("queue.bundle");
    // No worker: the coordinator publishes and waits; Redis then goes away.
    let coordinator = {
        let (elf, out, url) = (elf.clone(), out.clone(), url.clone());
        std::thread::spawn(move || prove(&elf, "12", &out, &["--queue", &url]))
    };
    std::thread::sleep(Duration::from_secs(2));
    redis.kill();
    let (code, stderr) = coordinator.join().unwrap();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("lost the queue at"), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");

    // A fresh Redis on the same port (its data was not persisted); the same
    // command with --resume and a worker finishes the bundle.
    drop(redis);
    let redis = Redis::start_on("restart2", port);
    let (mut w, _log) = worker(&redis.url(), 30);
    let (code, stderr) = prove(&elf, "12", &out, &["--queue", &url, "--resume"]);
    let _ = w.kill();
    let _ = w.wait();
    assert_eq!(code, COLLATZ_EXIT, "{stderr}");
    same_bytes(&local, &out);
}

/// Waits for a worker to start (or take over) proving an epoch.
fn wait_proving(log: &std::sync::mpsc::Receiver<String>) {
    loop {
        let line = log
            .recv_timeout(Duration::from_secs(60))
            .expect("the worker never started proving");
        if line.contains("proving epoch") {
            return;
        }
    }
}

#[test]
fn an_epoch_that_kills_every_worker_fails_the_run_after_three_takes() {
    let dir = scratch("attempts");
    let redis = Redis::start("attempts");
    let url = redis.url();
    let elf = guest("collatz");
    let out = dir.join("queue.bundle");
    let coordinator = {
        let (elf, out, url) = (elf.clone(), out.clone(), url.clone());
        std::thread::spawn(move || prove(&elf, "16", &out, &["--queue", &url, "--jobs", "1"]))
    };
    for _ in 0..3 {
        let (mut w, log) = worker(&url, 1);
        wait_proving(&log);
        w.kill().unwrap();
        w.wait().unwrap();
    }
    let (mut last, _log) = worker(&url, 1);
    let (code, stderr) = coordinator.join().unwrap();
    let _ = last.kill();
    let _ = last.wait();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("proving epoch 0 failed") && stderr.contains("taken 3 times"),
        "{stderr}"
    );
}

#[test]
fn a_job_that_vanishes_from_redis_fails_the_run_instead_of_hanging() {
    let dir = scratch("vanish");
    let redis = Redis::start("vanish");
    let url = redis.url();
    let out = dir.join("queue.bundle");
    let coordinator = {
        let (elf, out, url) = (guest("collatz"), out.clone(), url.clone());
        std::thread::spawn(move || prove(&elf, "12", &out, &["--queue", &url]))
    };
    std::thread::sleep(Duration::from_secs(2));
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let _: () = redis::cmd("FLUSHALL").query(&mut con).unwrap();
    let (code, stderr) = coordinator.join().unwrap();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("vanished from the queue"), "{stderr}");
}

#[test]
fn the_coordinator_can_prove_everything_itself() {
    let dir = scratch("local-jobs");
    let redis = Redis::start("local-jobs");
    let elf = guest("collatz");
    let local = dir.join("local.bundle");
    assert_eq!(prove(&elf, "12", &local, &["--jobs", "2"]).0, COLLATZ_EXIT);
    // No worker at all: every epoch is proven by the coordinator's own jobs.
    let out = dir.join("queue.bundle");
    let (code, stderr) = prove(
        &elf,
        "12",
        &out,
        &["--queue", &redis.url(), "--jobs", "2", "--local-jobs", "2"],
    );
    assert_eq!(code, COLLATZ_EXIT, "{stderr}");
    assert!(stderr.contains("queue: 0 job(s) published"), "{stderr}");
    same_bytes(&local, &out);
}

#[test]
fn a_run_that_stops_early_does_not_wait_for_epochs_no_worker_proves() {
    use sluice_prover::bundle_writer::BundleWriter;
    use sluice_prover::driver::{prove_bundle, DriveError, DriverOptions, NoProgress};
    use sluice_prover::executor::Program;
    use sluice_verifier::isa::{Instruction as I, Opcode::*};
    use sluice_verifier::params::ProofParams;

    let redis = Redis::start("cancel");
    // 2,000 cycles of a loop, then an illegal instruction: the executor
    // fails after publishing epochs of 2^9 cycles that no worker proves.
    let program = Program::from_words(
        0x1_0000,
        &[
            I::i(Addi, 5, 0, 1000).encode(),
            I::i(Addi, 5, 5, -1).encode(),
            I::b(Bne, 5, 0, -4).encode(),
            0,
        ],
    )
    .unwrap();
    let ctx = ChainContext {
        protocol_version: PROTOCOL_VERSION,
        params: ProofParams::DEFAULT,
        image_id: sluice_verifier::memory::image_id(&program),
        epoch_size_log2: 9,
    };
    let queue = QueueProver::connect(
        &QueueOptions::new(&redis.url()),
        PROTOCOL_VERSION,
        StarkEpochProver,
    )
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let writer = BundleWriter::new(Vec::new(), &ctx).unwrap();
        let result = prove_bundle(
            &queue,
            &program,
            &[],
            &ctx,
            &DriverOptions {
                window: 8,
                ..DriverOptions::with_jobs(2)
            },
            writer,
            &mut NoProgress,
        );
        let _ = tx.send(result.map(|_| ()));
    });
    let result = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the run kept waiting for epochs no worker will prove");
    assert!(matches!(result, Err(DriveError::Exec(_))), "{result:?}");
}

#[test]
fn a_coordinator_stopped_by_ctrl_c_leaves_no_run_keys() {
    let dir = scratch("sigint");
    let redis = Redis::start("sigint");
    let out = dir.join("queue.bundle");
    let mut child = prover_cmd()
        .args(["prove", &guest("collatz"), "--epoch-size-log2", "12", "-o"])
        .arg(&out)
        .args(["--queue", &redis.url()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut con = redis::Client::open(redis.url())
        .unwrap()
        .get_connection()
        .unwrap();
    // Wait until it has published its first jobs (no worker takes them).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("sluice:run:*")
            .query(&mut con)
            .unwrap();
        if !keys.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "no job was published");
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(130));
    let left: Vec<String> = redis::cmd("KEYS")
        .arg("sluice:run:*")
        .query(&mut con)
        .unwrap();
    assert!(left.is_empty(), "left behind: {left:?}");
}
