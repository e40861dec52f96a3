//! The I/O tables (`verifier/src/air/{io,io_words,output}.rs`): reads and
//! writes of any size at any alignment prove with exactly the executor's
//! semantics, and every way of tampering with their witness or the claimed
//! output is rejected by the verifier itself. Needs
//! `scripts/build-guests.sh`.

mod common;
use common::built_elf;

use p3_field::{Field, PrimeCharacteristicRing};
use sluice_prover::executor::{Config, Executor, Program};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::{constraint_failures, params_under_test, prove_trace, statement_for};
use sluice_prover::trace::{generate, EpochTrace};
use sluice_verifier::air::io::IoCols;
use sluice_verifier::air::io_words::IoWordCols;
use sluice_verifier::air::{TableSet, IO_TABLE, IO_WORDS_TABLE, OUTPUT_TABLE};
use sluice_verifier::digest::Digest;
use sluice_verifier::stark::config::Val;
use sluice_verifier::stark::verify_epoch;
use sluice_verifier::statement::{EpochRole, EpochStatement};

const K: u32 = 7;

/// The public output of `io_shapes` on "ABCDEFGH".
const OUTPUT: &[u8] = b"BCDEF\0ABCDEFG\0\0\0\0";

/// The one epoch of `name` on `input` (the executor told to `forge` as a
/// cheating prover would, if given), its statement and witness.
fn epoch(name: &str, input: &[u8], forge: impl Fn(&mut Executor)) -> (EpochStatement, EpochTrace) {
    let program = program(name);
    let cfg = Config {
        epoch_size_log2: K,
        max_cycles: 1 << 12,
    };
    let mut image = MemoryImage::new(&program);
    let mut ex = Executor::new(&program, input.to_vec(), &cfg).unwrap();
    forge(&mut ex);
    let record = ex.run_epoch().unwrap().unwrap();
    assert!(record.halted());
    let tr = image.apply_epoch(&record, ex.memory()).unwrap();
    let st = statement_for(&record, &tr);
    let trace = generate(&record, &tr, &params_under_test()).unwrap();
    (st, trace)
}

fn shapes() -> (EpochStatement, EpochTrace) {
    let (st, trace) = epoch("io_shapes", b"ABCDEFGH", |_| {});
    assert_eq!(st.output, OUTPUT);
    assert_eq!(st.role, EpochRole::Halt { exit_code: 0 });
    assert_eq!(
        constraint_failures(&params_under_test(), &st, &trace),
        vec![]
    );
    (st, trace)
}

fn verify(st: &EpochStatement, trace: &EpochTrace) -> Result<(), String> {
    let params = params_under_test();
    let id = Digest([5; 8]);
    let proof = prove_trace(&params, &id, K as u8, 0, st, trace).expect("a proof, even of a lie");
    verify_epoch(&params, &id, K as u8, 0, st, &proof).map_err(|e| {
        assert_eq!(e.check, "stark", "{e}");
        e.to_string()
    })
}

/// The verifier rejects `trace` for `st`; `local` names the table whose own
/// constraints (not only a bus) catch it, if any: every local failure must
/// be in that table.
fn rejected(st: &EpochStatement, trace: &EpochTrace, local: Option<&str>) {
    let failures = constraint_failures(&params_under_test(), st, trace);
    match local {
        Some(table) => {
            assert!(!failures.is_empty(), "no local failure");
            assert!(failures.iter().all(|f| f.0 == table), "{failures:?}");
        }
        None => assert_eq!(failures, vec![]),
    }
    assert!(verify(st, trace).is_err(), "the verifier accepted a lie");
}

fn rows(trace: &mut EpochTrace, table: usize, width: usize) -> Vec<&mut [Val]> {
    trace.traces[table].values.chunks_exact_mut(width).collect()
}

#[test]
fn odd_sizes_at_odd_offsets_prove() {
    let (st, trace) = shapes();
    verify(&st, &trace).unwrap();
    // The read (7 bytes at offset 1) and the 5-byte write at offset 2 span
    // two words each, the 3-byte write one, the 9-byte write at offset 3
    // three: 8 word rows; 6 header rows with the host write and the hint.
    let w = IoWordCols::new();
    let real = |t: &EpochTrace, table: usize, width: usize, col: usize| {
        t.traces[table]
            .values
            .chunks_exact(width)
            .filter(|r| r[col] == Val::ONE)
            .count()
    };
    assert_eq!(real(&trace, IO_WORDS_TABLE, w.width, w.is_real), 8);
    let h = IoCols::new();
    assert_eq!(real(&trace, IO_TABLE, h.width, h.is_real), 6);
}

#[test]
fn a_statement_with_other_output_is_rejected() {
    let (st, mut trace) = shapes();
    let changed = {
        let mut o = OUTPUT.to_vec();
        o[7] = b'C';
        o
    };
    let swapped = [&OUTPUT[5..8], &OUTPUT[..5], &OUTPUT[8..]].concat();
    for lie in [
        changed,
        OUTPUT[..OUTPUT.len() - 1].to_vec(),
        [OUTPUT, b"x"].concat(),
        swapped,
    ] {
        let forged = EpochStatement {
            output: lie,
            ..st.clone()
        };
        rejected(&forged, &trace, None);
    }
    // Claiming no output, a consistent prover also leaves the output table
    // out (the verifier requires it): the public write's bytes then have no
    // receiver.
    trace.tables = TableSet(trace.tables.0 & !(1 << OUTPUT_TABLE));
    let silent = EpochStatement {
        output: vec![],
        ..st.clone()
    };
    rejected(&silent, &trace, None);
}

#[test]
fn a_public_write_passed_off_as_a_host_write_is_rejected() {
    let (st, mut trace) = shapes();
    let c = IoCols::new();
    let mut header = rows(&mut trace, IO_TABLE, c.width);
    let last_out = header
        .iter_mut()
        .filter(|r| r[c.is_out] == Val::ONE)
        .last()
        .unwrap();
    last_out[c.is_out] = Val::ZERO;
    last_out[c.is_host] = Val::ONE;
    last_out[c.moves] = Val::ZERO;
    for o in c.off {
        last_out[o] = Val::ZERO;
    }
    let forged = EpochStatement {
        output: OUTPUT[..8].to_vec(),
        ..st
    };
    rejected(&forged, &trace, None);
}

/// The header row of the host write on `fd`.
fn host_row<'a>(header: &'a mut [&mut [Val]], fd: u32) -> &'a mut [Val] {
    let c = IoCols::new();
    header
        .iter_mut()
        .find(|r| {
            let (two, hint) = (r[c.fd_two] == Val::ONE, r[c.fd_hint] == Val::ONE);
            r[c.is_host] == Val::ONE && fd == 1 + u32::from(two) + 3 * u32::from(hint)
        })
        .unwrap()
}

#[test]
fn host_writes_keep_their_file_descriptor() {
    let c = IoCols::new();
    // The hint (fd 4) passed off as stdout (1) or stderr (2), and stdout
    // passed off as a hint: the CPU sent the real fd, so the bus rejects it.
    for (fd, two, hint) in [(4, 0, 0), (4, 1, 0), (1, 0, 1)] {
        let (st, mut trace) = shapes();
        let mut header = rows(&mut trace, IO_TABLE, c.width);
        let row = host_row(&mut header, fd);
        row[c.fd_two] = Val::from_u32(two);
        row[c.fd_hint] = Val::from_u32(hint);
        rejected(&st, &trace, None);
    }
    // Both flags, the encoding of fd 5 (which the executor refuses): the
    // I/O table's own constraints reject it.
    let (st, mut trace) = shapes();
    let mut header = rows(&mut trace, IO_TABLE, c.width);
    host_row(&mut header, 4)[c.fd_two] = Val::ONE;
    rejected(&st, &trace, Some("io"));
    // A flag on a row that is not a host write.
    let (st, mut trace) = shapes();
    let mut header = rows(&mut trace, IO_TABLE, c.width);
    let read = header
        .iter_mut()
        .find(|r| r[c.is_read] == Val::ONE)
        .unwrap();
    read[c.fd_hint] = Val::ONE;
    rejected(&st, &trace, Some("io"));
}

/// The word rows of the header row `call` (0-based, in execution order).
fn segment(trace: &mut EpochTrace, call: usize) -> Vec<&mut [Val]> {
    let c = IoWordCols::new();
    let mut seg = -1i64;
    rows(trace, IO_WORDS_TABLE, c.width)
        .into_iter()
        .filter(|r| {
            if r[c.first] == Val::ONE {
                seg += 1;
            }
            r[c.is_real] == Val::ONE && seg == call as i64
        })
        .collect()
}

#[test]
fn a_read_that_changes_a_byte_outside_its_buffer_is_rejected() {
    let (st, mut trace) = shapes();
    let c = IoWordCols::new();
    // The read's first word: byte 0 lies before buf + 1.
    let mut seg = segment(&mut trace, 0);
    assert_eq!(seg[0][c.sel[0]], Val::ZERO);
    seg[0][c.new[0]] = Val::from_u8(b'!');
    rejected(&st, &trace, Some("io_words"));
}

#[test]
fn a_public_write_that_changes_memory_is_rejected() {
    let (st, mut trace) = shapes();
    let c = IoWordCols::new();
    let mut seg = segment(&mut trace, 1);
    seg[0][c.new[2]] += Val::ONE;
    rejected(&st, &trace, Some("io_words"));
}

#[test]
fn selecting_a_byte_outside_the_buffer_is_rejected() {
    let (st, mut trace) = shapes();
    let c = IoWordCols::new();
    // write(3, buf+2, 5) ends inside its second word: claim one more byte
    // ('G'), and move every later output position up by one so that only
    // the selection is wrong.
    let mut after = false;
    for row in rows(&mut trace, IO_WORDS_TABLE, c.width) {
        if after {
            row[c.out_pos] += Val::ONE;
        }
        let is_target = row[c.is_out] == Val::ONE
            && row[c.last] == Val::ONE
            && row[c.sel[3]] == Val::ZERO
            && row[c.old[3]] == Val::from_u8(b'G')
            && !after;
        if is_target {
            row[c.sel[3]] = Val::ONE;
            after = true;
        }
    }
    assert!(after);
    let forged = EpochStatement {
        output: [&OUTPUT[..5], b"G", &OUTPUT[5..]].concat(),
        ..st
    };
    rejected(&forged, &trace, Some("io_words"));
}

#[test]
fn a_segment_cut_short_is_rejected() {
    let (st, mut trace) = shapes();
    let c = IoWordCols::new();
    // End the read's segment at its first word.
    let mut seg = segment(&mut trace, 0);
    seg[0][c.last] = Val::ONE;
    seg[0][c.fin[3]] = Val::ONE;
    rejected(&st, &trace, Some("io_words"));
}

#[test]
fn a_word_out_of_place_is_rejected() {
    let (st, mut trace) = shapes();
    let c = IoWordCols::new();
    // The middle word of the 9-byte write's three.
    let mut seg = segment(&mut trace, 3);
    assert_eq!(seg.len(), 3);
    seg[1][c.addr] += Val::from_u32(4);
    rejected(&st, &trace, Some("io_words"));
}

#[test]
fn output_positions_out_of_order_are_rejected() {
    let (st, mut trace) = shapes();
    let c = IoWordCols::new();
    let mut seg = segment(&mut trace, 2);
    seg[0][c.out_pos] -= Val::from_u32(5);
    rejected(&st, &trace, Some("io_words"));
}

#[test]
fn a_read_result_other_than_the_cpu_writes_is_rejected() {
    let (st, mut trace) = shapes();
    let c = IoCols::new();
    let mut header = rows(&mut trace, IO_TABLE, c.width);
    let read = header
        .iter_mut()
        .find(|r| r[c.is_read] == Val::ONE)
        .unwrap();
    // Claim 6 bytes, consistently inside the row (len - n = 1, a short
    // read): the CPU wrote a0 = 7, and the word rows still move 7.
    read[c.n[0]] = Val::from_u32(6);
    read[c.left[0]] = Val::ONE;
    read[c.short] = Val::ONE;
    read[c.short_inv] = Val::ONE;
    read[c.n_inv] = Val::from_u32(6).try_inverse().unwrap();
    rejected(&st, &trace, None);
}

#[test]
fn a_host_write_outside_guest_memory_is_rejected() {
    let pg = program("host_bad_buffer");
    // Each variant (see the program) with whether the I/O table's own
    // constraints catch it (else the byte bus does: a range check that
    // cannot be met). Variants 2 and 3 are the field wrap-arounds an
    // adversarial review found in the first version of this check.
    for (variant, local) in [(0u8, Some("io")), (1, None), (2, Some("io")), (3, None)] {
        // The honest machine faults.
        let mut ex = Executor::new(&pg, vec![variant], &Config::default()).unwrap();
        assert!(ex.run().is_err(), "variant {variant} faults");
        // A proof of the run that goes on is rejected.
        let (st, trace) = epoch("host_bad_buffer", &[variant], |ex| {
            ex.forge_unchecked_host_buffers()
        });
        assert_eq!(st.role, EpochRole::Halt { exit_code: 42 });
        rejected(&st, &trace, local);
    }
}

fn program(name: &str) -> Program {
    built_elf(&format!("build/programs/{name}.elf"))
}
