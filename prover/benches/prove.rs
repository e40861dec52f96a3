//! Proving throughput, where the time goes, peak memory, proof size and
//! verification time of one epoch.
//!
//! `cargo bench -p prover --bench prove` (heights from `SLUICE_BENCH_LOGS`,
//! default `12,14,16`; modes from `SLUICE_BENCH_MODES`, `plain`, `zk` or
//! `plain,zk`, default `plain`: each height is proven in each mode, one
//! after the other, so the two compare within one run). Each height is
//! proven with the parameters `prove --favor auto` picks for an epoch of
//! that size in a longer run (`long` from `2^LONG_EPOCH_LOG2` cycles,
//! `balance` below); `SLUICE_BENCH_PARAMS` overrides fields of those, e.g.
//! `max_log_arity=2,log_final_poly_len=3` (the run refuses a set below 100
//! bits). The guest is an endless loop of ADDI, MUL, SW, LW,
//! XOR and JAL, so every epoch is a full `Continue` epoch of `2^k` cycles.
//!
//! `SLUICE_BENCH_BREAKDOWN=1` also prints where a plain proof's bytes go
//! (out-of-domain values, each commitment's opened rows and Merkle proof,
//! each FRI round).
//!
//! `SLUICE_BENCH_ROUNDS=n` proves each height `n` times in a row (default
//! 1): the first round faults its memory in from the kernel, later rounds
//! reuse the heap as the epochs of a long run do. Plain proofs are made
//! with the lean PCS, as `prover prove`'s default (`--memory low`) makes
//! them; `SLUICE_BENCH_MEMORY=fast` makes them with Plonky3's PCS (zero
//! knowledge always uses Plonky3's). The heap is the one the `prover`
//! binary sets up for such a run
//! ([`sluice_prover::heap::recycle_freed_pages`] for plain proofs in low
//! memory, [`sluice_prover::heap::retain_freed_memory`] with
//! `SLUICE_BENCH_MEMORY=fast` or `SLUICE_BENCH_MODES=zk`) unless
//! `SLUICE_BENCH_HEAP` names another (`retain`, `recycle`, or `default`:
//! glibc's allocator as it is), so they compare from one binary.
//!
//! For each height the bench prints one summary row, then the phases: our
//! own (execution, memory image, trace generation, encoding, verification)
//! timed directly, and Plonky3's timed through its `tracing` spans (summed
//! wall time per span name; spans nest, so the rows do not add up). Each
//! phase also shows how many cores it kept busy (process CPU time over wall
//! time): a phase near 1 on a many-core machine runs serially.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tracing::span::{Attributes, Id};
use tracing::Subscriber;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use sluice_prover::executor::{Config, Executor, Program};
use sluice_prover::host::{auto_params, LONG_EPOCH_LOG2};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::{prove_trace, statement_for};
use sluice_prover::trace::{generate, EpochTrace};
use sluice_verifier::air::epoch_airs;
use sluice_verifier::digest::Digest;
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::verify_epoch;

fn program() -> Vec<u32> {
    [
        I::i(Addi, 1, 0, 0),
        I::u(Lui, 2, 0x20000),
        I::i(Addi, 1, 1, 1),
        I::r(Mul, 3, 1, 1),
        I::s(Sw, 2, 3, 0),
        I::i(Lw, 4, 2, 0),
        I::r(Xor, 5, 4, 1),
        I::jal(0, -20),
    ]
    .iter()
    .map(|i| i.encode())
    .collect()
}

/// Wall time, process CPU time and count per span name.
type Phases = Arc<Mutex<BTreeMap<&'static str, (Duration, Duration, u32)>>>;

/// A `tracing` layer that sums each span's lifetime and the CPU time the
/// whole process spent meanwhile under its name: their ratio shows how many
/// cores a phase kept busy (a serial phase is near 1).
struct PhaseTimer(Phases);

struct Opened(Instant, Duration);

/// CPU time this process has used so far, all threads (Linux).
fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for PhaseTimer {
    fn on_new_span(&self, _: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            span.extensions_mut()
                .insert(Opened(Instant::now(), process_cpu_time()));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some((opened, cpu)) = span.extensions().get::<Opened>().map(|o| (o.0, o.1)) else {
            return;
        };
        let mut phases = self.0.lock().unwrap();
        let entry = phases.entry(span.metadata().name()).or_default();
        entry.0 += opened.elapsed();
        entry.1 += process_cpu_time().saturating_sub(cpu);
        entry.2 += 1;
    }
}

/// Resets the kernel's peak-RSS counter of this process (Linux).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak RSS of this process since the last reset, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Base-field cells the prover commits for the epoch's tables, before the
/// low-degree extension: per present table (0 for an absent one), its committed height (doubled in ZK
/// mode) times its main columns (blinding included), plus 4 per LogUp
/// extension column (the packed lookups and the accumulator), plus 4 per
/// quotient chunk. The hiding PCS's 4 random codewords per matrix are left
/// out. Shapes from `security::epoch_shape`, the figure the calculator uses.
fn committed_cells(trace: &EpochTrace, params: &ProofParams) -> Vec<u64> {
    let zk = params.zk;
    let shape = sluice_verifier::security::epoch_shape(params);
    trace
        .traces
        .iter()
        .zip(&shape.tables)
        .enumerate()
        .map(|(i, (t, s))| {
            if !trace.tables.contains(i) {
                return 0;
            }
            let height = (p3_matrix::Matrix::height(t) as u64) << u64::from(zk);
            let per_row = s.width + 4 * (s.num_lookups + 1) + 4 * s.num_quotient_chunks;
            height * per_row as u64
        })
        .collect()
}

/// Plonky3's own Poseidon2 AIR (`p3-poseidon2-air`, KoalaBear, width 16,
/// the S-box degree and round counts Sluice's hash uses) proven alone with
/// `p3-uni-stark` under Sluice's plain configuration for `params`: a
/// reference for how fast this machine and this Plonky3 commit cells.
/// Returns (rows, committed cells, prove time).
fn plonky3_reference(params: &ProofParams, log_rows: u32) -> (u64, u64, Duration) {
    use p3_koala_bear::GenericPoseidon2LinearLayersKoalaBear;
    use p3_poseidon2_air::{Poseidon2Air, RoundConstants};
    use sluice_verifier::air::poseidon2::{HALF_FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH};
    use sluice_verifier::stark::config::{blank_challenger, config_with_challenger, Val};
    use zk_rand::SeedableRng;

    type Reference = Poseidon2Air<
        Val,
        GenericPoseidon2LinearLayersKoalaBear,
        WIDTH,
        3,
        0,
        HALF_FULL_ROUNDS,
        PARTIAL_ROUNDS,
    >;
    let mut rng = zk_rand::rngs::StdRng::seed_from_u64(1);
    let air = Reference::new(RoundConstants::from_rng(&mut rng));
    let config = config_with_challenger(params, blank_challenger()).expect("valid parameters");
    let rows = 1usize << log_rows;
    let trace = air.generate_random_trace_rows(rows, params.log_blowup as usize);
    let width = p3_matrix::Matrix::width(&trace) as u64;
    let t = Instant::now();
    let proof = p3_uni_stark::prove(&config, &air, trace, &[]).expect("the reference proves");
    let elapsed = t.elapsed();
    // Main columns plus the quotient chunks the proof opens, 4 base cells
    // per extension-field chunk column.
    let chunks = proof.opened_values.quotient_chunks.len() as u64;
    (rows as u64, rows as u64 * (width + 4 * chunks), elapsed)
}

/// The machine's AVX flags (`/proc/cpuinfo`): AVX-512 and AVX2 machines
/// prove at very different speeds, so every figure needs them beside it.
fn cpu_vector_flags() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flags: Vec<&str> = info
        .lines()
        .find_map(|l| l.strip_prefix("flags"))
        .map(|l| {
            l.split_whitespace()
                .filter(|f| f.starts_with("avx"))
                .collect()
        })
        .unwrap_or_default();
    if flags.is_empty() {
        "none found".into()
    } else {
        flags.join(" ")
    }
}

/// `params` with the fields named in `SLUICE_BENCH_PARAMS` replaced.
fn overridden(mut params: ProofParams) -> ProofParams {
    let Ok(list) = std::env::var("SLUICE_BENCH_PARAMS") else {
        return params;
    };
    for item in list.split(',').filter(|s| !s.is_empty()) {
        let (name, value) = item.split_once('=').expect("name=value");
        let v: u8 = value.trim().parse().expect("a u8 value");
        let field = match name.trim() {
            "log_blowup" => &mut params.log_blowup,
            "num_queries" => &mut params.num_queries,
            "query_pow_bits" => &mut params.query_pow_bits,
            "commit_pow_bits" => &mut params.commit_pow_bits,
            "batch_pow_bits" => &mut params.batch_pow_bits,
            "lookup_pow_bits" => &mut params.lookup_pow_bits,
            "ood_pow_bits" => &mut params.ood_pow_bits,
            "log_final_poly_len" => &mut params.log_final_poly_len,
            "max_log_arity" => &mut params.max_log_arity,
            other => panic!("unknown proof parameter {other}"),
        };
        *field = v;
    }
    params
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Bytes of each part of a plain proof, re-encoded one part at a time.
fn print_breakdown(bytes: &[u8]) {
    use sluice_verifier::stark::config::SluiceConfig;
    let p = sluice_verifier::stark::decode_proof::<SluiceConfig>(bytes).unwrap();
    let len = |v: &dyn erased::Enc| v.len();
    let b = &p.batch;
    let o = &b.opening_proof;
    println!("proof {} B", bytes.len());
    println!("  ood opened values {}", len(&b.opened_values));
    println!("  commitments {}", len(&b.commitments));
    for (i, inp) in o.input_openings.iter().enumerate() {
        let rows: usize = inp
            .opened_values
            .first()
            .map(|q| q.iter().map(|r| r.len()).sum())
            .unwrap_or(0);
        println!(
            "  input batch {i}: opened values {} ({} queries x {rows} elements), merkle {}",
            len(&inp.opened_values),
            inp.opened_values.len(),
            len(&inp.opening_proof)
        );
    }
    for (i, s) in o.commit_phase_openings.iter().enumerate() {
        println!(
            "  fri round {i}: siblings {}, merkle {}",
            len(&s.sibling_values),
            len(&s.opening_proof)
        );
    }
    println!("  final poly {}", len(&o.final_poly));
}

mod erased {
    pub trait Enc {
        fn len(&self) -> usize;
    }
    impl<T: serde::Serialize> Enc for T {
        fn len(&self) -> usize {
            bincode::serde::encode_to_vec(self, bincode::config::standard())
                .unwrap()
                .len()
        }
    }
}

#[global_allocator]
static ALLOC: sluice_prover::heap::HugePageAlloc = sluice_prover::heap::HugePageAlloc;

fn main() {
    let low = match std::env::var("SLUICE_BENCH_MEMORY").as_deref() {
        Ok("fast") => false,
        Ok("low") | Err(_) => true,
        Ok(other) => panic!("SLUICE_BENCH_MEMORY: low or fast, not {other}"),
    };
    sluice_prover::pcs::set_low_memory(low);
    match std::env::var("SLUICE_BENCH_HEAP").as_deref() {
        Ok("default") => {}
        Ok("recycle") => sluice_prover::heap::recycle_freed_pages(),
        Ok("retain") => sluice_prover::heap::retain_freed_memory(),
        Ok(other) => panic!("SLUICE_BENCH_HEAP: retain, recycle or default, not {other}"),
        Err(_) if low && std::env::var("SLUICE_BENCH_MODES").as_deref() != Ok("zk") => {
            sluice_prover::heap::recycle_freed_pages()
        }
        Err(_) => sluice_prover::heap::retain_freed_memory(),
    }
    let rounds: u32 = std::env::var("SLUICE_BENCH_ROUNDS")
        .map_or(1, |r| r.trim().parse().expect("rounds: a number"));
    let logs: Vec<u32> = std::env::var("SLUICE_BENCH_LOGS")
        .unwrap_or_else(|_| "12,14,16".into())
        .split(',')
        .map(|s| s.trim().parse().expect("log2 heights"))
        .collect();
    let phases = Phases::default();
    let subscriber = tracing_subscriber::registry()
        .with(PhaseTimer(phases.clone()).with_filter(LevelFilter::DEBUG));
    tracing::subscriber::set_global_default(subscriber).expect("one subscriber");

    let modes: Vec<bool> = std::env::var("SLUICE_BENCH_MODES")
        .unwrap_or_else(|_| "plain".into())
        .split(',')
        .map(|m| match m.trim() {
            "plain" => false,
            "zk" => true,
            other => panic!("unknown mode {other}: plain or zk"),
        })
        .collect();
    let airs = epoch_airs(&[], &ProofParams::DEFAULT);
    let names: Vec<&str> = airs.iter().map(|a| a.name()).collect();
    println!(
        "tables (main columns): {}",
        airs.iter()
            .map(|a| format!(
                "{}={}",
                a.name(),
                <_ as p3_air::BaseAir<sluice_verifier::stark::config::Val>>::width(a)
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "threads: {}; CPU vector flags: {}",
        rayon::current_num_threads(),
        cpu_vector_flags()
    );
    let base_params = overridden(ProofParams::DEFAULT);
    println!(
        "params: {:?}; conjectured security {} bits (plain); epochs of 2^{LONG_EPOCH_LOG2} \
         cycles or more use --favor long's ({} queries, {} bits of grinding), as prove does",
        base_params.named_fields(),
        base_params.conjectured_security_bits(),
        ProofParams::LONG.num_queries,
        ProofParams::LONG.query_pow_bits,
    );
    let image = Digest([7; 8]);
    // Each summary row without its efficiency, and its cells/s: the
    // reference runs after every Sluice height (its allocations would
    // otherwise inflate the small heights' peak RSS).
    let mut summary: Vec<(String, f64)> = Vec::new();
    for (k, zk, round) in logs
        .iter()
        .flat_map(|&k| modes.iter().map(move |&zk| (k, zk)))
        .flat_map(|(k, zk)| (1..=rounds).map(move |r| (k, zk, r)))
    {
        // What `prove --favor auto` picks for an epoch of this size in a
        // run of several, then the overrides.
        let params = overridden(auto_params(zk, 2, k as u8));
        if let Err(e) = params.validate() {
            panic!("{params:?}: {e}");
        }
        reset_peak_rss();
        phases.lock().unwrap().clear();
        let p = Program::from_words(0x1_0000, &program()).unwrap();
        let cfg = Config {
            epoch_size_log2: k,
            max_cycles: 1 << 40,
        };
        let c = process_cpu_time();
        let t = Instant::now();
        let mut ex = Executor::new(&p, vec![], &cfg).unwrap();
        let record = ex.run_epoch().unwrap().unwrap();
        let t_exec = (t.elapsed(), process_cpu_time() - c);
        let c = process_cpu_time();
        let t = Instant::now();
        let transition = MemoryImage::new(&p)
            .apply_epoch(&record, ex.memory())
            .unwrap();
        let t_image = (t.elapsed(), process_cpu_time() - c);
        let st = statement_for(&record, &transition);
        let c = process_cpu_time();
        let t = Instant::now();
        let trace = generate(&record, &transition, &params).unwrap();
        let t_gen = (t.elapsed(), process_cpu_time() - c);
        let table_cells = committed_cells(&trace, &params);
        let cells: u64 = table_cells.iter().sum();
        let heights: Vec<String> = names
            .iter()
            .zip(&trace.traces)
            .zip(&table_cells)
            .enumerate()
            .map(|(i, ((n, m), c))| {
                if !trace.tables.contains(i) {
                    return format!("{n} absent");
                }
                format!(
                    "{n}=2^{} ({:.1} cells/cycle)",
                    p3_matrix::Matrix::height(m).ilog2(),
                    *c as f64 / record.cycles as f64
                )
            })
            .collect();
        let c = process_cpu_time();
        let t = Instant::now();
        let proof = prove_trace(&params, &image, k as u8, 0, &st, &trace).unwrap();
        let (t_prove, cpu_prove) = (t.elapsed(), process_cpu_time() - c);
        let mut rows: Vec<_> = phases
            .lock()
            .unwrap()
            .iter()
            .map(|(n, v)| (*n, *v))
            .collect();
        drop(trace);
        let rss = peak_rss_mib();
        let t = Instant::now();
        verify_epoch(&params, &image, k as u8, 0, &st, &proof).unwrap();
        let t_verify = t.elapsed();
        if std::env::var("SLUICE_BENCH_BREAKDOWN").is_ok() && !zk {
            print_breakdown(&proof);
        }
        let total = (t_image.0 + t_gen.0 + t_prove).as_secs_f64();
        let rate = cells as f64 / t_prove.as_secs_f64();
        summary.push((
            format!(
                "| 2^{k} | {round} | {} | {} | {} | {} | {:.0} | {:.0} MiB | {} | {:.0} ms | {:.0} | {:.1} |",
                if zk { "yes" } else { "no" },
                secs(t_exec.0),
                secs(t_image.0 + t_gen.0),
                secs(t_prove),
                record.cycles as f64 / total,
                rss,
                proof.len(),
                t_verify.as_secs_f64() * 1e3,
                cells as f64 / record.cycles as f64,
                rate / 1e6,
            ),
            rate,
        ));

        println!(
            "\n2^{k} cycles, zk {zk}, round {round}; table heights: {}",
            heights.join(", ")
        );
        println!(
            "table shapes (main + LogUp x 4 + quotient chunks x 4): {}",
            sluice_verifier::security::epoch_shape(&params)
                .tables
                .iter()
                .map(|t| format!(
                    "{}={}+{}x4+{}x4",
                    t.name,
                    t.width,
                    t.num_lookups + 1,
                    t.num_quotient_chunks
                ))
                .collect::<Vec<_>>()
                .join(" ")
        );
        println!("| phase | wall time | cores busy | count | share of prove |");
        println!("|---|---|---|---|---|");
        let share = |d: Duration| 100.0 * d.as_secs_f64() / t_prove.as_secs_f64();
        let busy = |wall: Duration, cpu: Duration| cpu.as_secs_f64() / wall.as_secs_f64().max(1e-9);
        for (name, (wall, cpu)) in [
            ("execute (recording)", t_exec),
            ("memory image", t_image),
            ("trace generation", t_gen),
            ("prove (total)", (t_prove, cpu_prove)),
        ] {
            println!(
                "| {name} | {} | {:.2} | 1 | {:.0} % |",
                secs(wall),
                busy(wall, cpu),
                share(wall)
            );
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.1 .0));
        for (name, (wall, cpu, count)) in rows.into_iter().take(24) {
            println!(
                "| plonky3: {name} | {} | {:.2} | {count} | {:.0} % |",
                secs(wall),
                busy(wall, cpu),
                share(wall)
            );
        }
    }
    // The reference, at the largest height asked for (capped at 2^16 rows
    // of permutations: a few seconds).
    let ref_log = logs.iter().copied().max().unwrap_or(16).min(16);
    let (ref_rows, ref_cells, ref_time) = plonky3_reference(
        &ProofParams {
            zk: false,
            ..base_params
        },
        ref_log,
    );
    let ref_rate = ref_cells as f64 / ref_time.as_secs_f64();
    println!();
    println!(
        "Plonky3 reference: p3-uni-stark proof of p3-poseidon2-air, 2^{ref_log} rows ({ref_rows} permutations), {ref_cells} cells in {}: {:.1} M cells/s\n",
        secs(ref_time),
        ref_rate / 1e6
    );
    println!("| cycles | round | zk | execute | image + trace gen | prove | cycles/s (gen+prove) | peak RSS | proof bytes | verify | cells/cycle | M cells/s | efficiency |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (line, rate) in summary {
        println!("{line} {:.2} |", rate / ref_rate);
    }
}
