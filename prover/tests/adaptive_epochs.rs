//! Adaptive epochs: the executor ends an epoch before `2^k` cycles when the
//! next cycle could overflow a table of its proof, so a sparse working set
//! proves at any epoch size. Needs `scripts/build-guests.sh`.

mod common;
use common::built_elf;

use sluice_prover::executor::{Config, Executor, Program};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::prove_epoch;
use sluice_verifier::memory::image_id;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::SluiceConfig;
use sluice_verifier::stark::proof::decode_proof;
use sluice_verifier::stark::verify_epoch;
use sluice_verifier::statement::EpochRole;

/// Proves and verifies every epoch of `program` on `input` at epoch size
/// `2^k` with tables capped at `2^cap` rows; returns each epoch's cycles,
/// the output and the exit code.
fn prove_capped(program: &Program, input: &[u8], k: u32, cap: u32) -> (Vec<u64>, Vec<u8>, u32) {
    let params = ProofParams::DEFAULT;
    let id = image_id(program);
    let cfg = Config {
        epoch_size_log2: k,
        max_cycles: 1 << 26,
    };
    let mut image = MemoryImage::new(program);
    let mut ex = Executor::new(program, input.to_vec(), &cfg)
        .unwrap()
        .with_row_cap_log2(cap)
        .unwrap();
    let (mut cycles, mut output, mut exit) = (Vec::new(), Vec::new(), None);
    let mut prev_end = id;
    while let Some(record) = ex.run_epoch().unwrap() {
        assert_eq!(
            record.index,
            cycles.len() as u64,
            "epochs are numbered in order"
        );
        let tr = image.apply_epoch(&record, ex.memory()).unwrap();
        let (st, proof) = prove_epoch(&params, &id, k as u8, &record, &tr)
            .unwrap_or_else(|e| panic!("epoch {}: {e:#}", record.index));
        let heights = decode_proof::<SluiceConfig>(&proof)
            .unwrap()
            .batch
            .degree_bits;
        assert!(
            heights.iter().all(|&h| h <= cap as usize),
            "epoch {}: a table above 2^{cap} rows: {heights:?}",
            record.index
        );
        verify_epoch(&params, &id, k as u8, record.index, &st, &proof)
            .unwrap_or_else(|e| panic!("epoch {}: {e}", record.index));
        assert_eq!(st.start, prev_end, "epochs chain");
        prev_end = st.end;
        cycles.push(st.cycles);
        output.extend_from_slice(&st.output);
        if let EpochRole::Halt { exit_code } = st.role {
            exit = Some(exit_code);
        }
    }
    (cycles, output, exit.expect("the guest halts"))
}

fn sweep_sum(n: u32) -> Vec<u8> {
    (0..n).sum::<u32>().to_le_bytes().to_vec()
}

#[test]
fn a_sparse_sweep_is_cut_by_its_pages_and_proves() {
    let program = built_elf("build/programs/sparse_sweep.elf");
    let n = 1500u32;
    // 2^16-cycle epochs, tables capped at 2^15 rows: at most ~188 touched
    // pages per epoch, so each epoch ends long before 2^16 cycles.
    let (cycles, output, exit) = prove_capped(&program, &n.to_le_bytes(), 16, 15);
    assert_eq!((output, exit), (sweep_sum(n), 0));
    assert!(cycles.len() >= 8, "{cycles:?}");
    assert!(cycles.iter().all(|&c| c < 1 << 12), "{cycles:?}");
    // The same run without a lower cap fits one epoch.
    let cfg = Config {
        epoch_size_log2: 16,
        max_cycles: 1 << 26,
    };
    let mut ex = Executor::new(&program, n.to_le_bytes().to_vec(), &cfg).unwrap();
    assert!(ex.run_epoch().unwrap().unwrap().halted());
}

/// A syscall that touches many pages inside a run of ordinary
/// instructions: no epoch may pass the cap (the instructions after a
/// syscall are checked again), and replaying each epoch from its record
/// cuts it in the same place.
#[test]
fn no_epoch_passes_the_cap_around_syscalls() {
    let program = built_elf("build/programs/io_then_strides.elf");
    let input = vec![7u8; 2 << 16];
    let cfg = Config {
        epoch_size_log2: 16,
        max_cycles: 1 << 20,
    };
    let cap = 15;
    let mut ex = Executor::new(&program, input.clone(), &cfg)
        .unwrap()
        .with_row_cap_log2(cap)
        .unwrap();
    let mut image = MemoryImage::new(&program);
    let mut epochs = 0;
    while let Some(record) = ex.run_epoch().unwrap() {
        epochs += 1;
        let pages = record.pages.len() as u64;
        assert!(
            pages * 172 < 1 << cap,
            "epoch {}: {pages} pages",
            record.index
        );
        let tr = image.apply_epoch(&record, ex.memory()).unwrap();
        let trace = sluice_prover::trace::generate(&record, &tr, &ProofParams::DEFAULT).unwrap();
        for t in &trace.traces {
            assert!(
                t.values.len() / t.width <= 1 << cap,
                "epoch {}",
                record.index
            );
        }
        let mut replay = Executor::from_epoch_start(&record, input.clone(), &cfg).unwrap();
        assert_eq!(replay.run_epoch().unwrap().unwrap(), record, "replay");
    }
    assert!(epochs >= 2, "the cap cuts the run");
}

#[test]
fn an_io_burst_is_cut_by_its_words() {
    // c_io_edge reads and writes 64 KiB in single calls: under the smallest
    // cap (2^15 rows) each call needs an epoch of its own.
    let program = built_elf("build/programs/c_io_edge.elf");
    let input: Vec<u8> = (0..70_003u32).map(|i| (i * 13 + 1) as u8).collect();
    let expected = sluice_prover::executor::execute(&program, &input, &Config::default()).unwrap();
    let (cycles, output, exit) = prove_capped(&program, &input, 16, 15);
    assert_eq!((output, exit), (expected.public_output, expected.exit_code));
    assert!(cycles.len() >= 2, "{cycles:?}");
}

/// The 40,000-page sweep of issue 11 at 2^16 and 2^20 with the default cap
/// (2^20 rows). Minutes of proving: run with `--ignored` (and recorded in
/// docs/benchmarks.md).
#[test]
#[ignore = "heavy: cargo test --release -p prover --test adaptive_epochs -- --ignored"]
fn forty_thousand_pages_prove_at_2_16_and_2_20() {
    let program = built_elf("build/programs/c_sparse_pages.elf");
    let expected = sluice_prover::executor::execute(&program, b"", &Config::default()).unwrap();
    for k in [16, 20] {
        let start = std::time::Instant::now();
        let (cycles, output, exit) = prove_capped(&program, b"", k, 20);
        assert_eq!((output, exit), (expected.public_output.clone(), 0));
        eprintln!(
            "2^{k}: {} epochs ({:?} cycles), {:.1} s",
            cycles.len(),
            cycles,
            start.elapsed().as_secs_f64()
        );
    }
}

/// No arithmetic table outgrows the CPU table: a cycle takes at most one
/// add/sub row (an `ADD` is computed in the CPU row, a jump's link comes
/// from the decode table), so a loop of 255 SUBs and a JALR, an add/sub row
/// in all but one cycle of 256, runs until the CPU table is full and
/// proves.
#[test]
fn no_arithmetic_table_outgrows_the_cpu_table() {
    use sluice_verifier::isa::{Instruction as I, Opcode::*};
    let cap = 15;
    let words: Vec<u32> = [I::u(Lui, 3, 0x1_0000), I::i(Addi, 3, 3, 8)]
        .into_iter()
        .chain(std::iter::repeat_n(I::r(Sub, 2, 2, 3), 255))
        .chain([I::i(Jalr, 1, 3, 0)])
        .map(|i| i.encode())
        .collect();
    let program = Program::from_words(0x1_0000, &words).unwrap();
    let cfg = Config {
        epoch_size_log2: 16,
        max_cycles: 1 << 20,
    };
    let mut ex = Executor::new(&program, vec![], &cfg)
        .unwrap()
        .with_row_cap_log2(cap)
        .unwrap();
    let record = ex.run_epoch().unwrap().unwrap();
    assert!(record.cycles + 2 >= 1 << cap, "{} cycles", record.cycles);
    let tr = MemoryImage::new(&program)
        .apply_epoch(&record, ex.memory())
        .unwrap();
    let trace = sluice_prover::trace::generate(&record, &tr, &ProofParams::DEFAULT).unwrap();
    let add_sub = trace
        .alu_events
        .iter()
        .filter(|e| matches!(e.0, Add | Sub))
        .count() as u64;
    assert!(add_sub + record.cycles / 256 + 4 >= record.cycles && add_sub <= record.cycles);
    let params = ProofParams::DEFAULT;
    let id = image_id(&program);
    let (st, proof) = prove_epoch(&params, &id, 16, &record, &tr).unwrap();
    verify_epoch(&params, &id, 16, 0, &st, &proof).unwrap();
}
