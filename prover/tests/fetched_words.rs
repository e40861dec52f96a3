//! The read-only fetch (protocol 7): an epoch's executed words are
//! read-only in the proof, so the executor ends an epoch before a load,
//! store or syscall buffer touches a word the epoch executed, and before it
//! executes a word the epoch read or wrote. Self-modifying code still
//! proves, across epochs; only an instruction that accesses its own word
//! cannot, and `execute` says so before any proving.

mod common;
use common::*;

use sluice_prover::executor::{execute, Cause, Executor, Program};

/// Proves and verifies every epoch at `2^k` cycles; returns each epoch's
/// cycles and the exit code.
fn prove_all(program: &Program, input: &[u8], k: u32) -> (Vec<u64>, u32) {
    let (_, exit, proofs) = prove_run(program, input, k);
    (proofs.iter().map(|(st, _)| st.cycles).collect(), exit)
}

/// `addi x5, x5, 7`: what the patched loop instruction becomes.
fn add_seven() -> u32 {
    addi(5, 5, 7)
}

/// A loop of three iterations whose first instruction (`addi x5, x5, 1`,
/// at `x2`) is overwritten by `patch` (one store or one read) in every
/// iteration with `addi x5, x5, 7`: x5 = 1 + 7 + 7 = 15, the exit code.
fn patching_loop(patch: &[u32]) -> Vec<u32> {
    const TOP: u32 = 6;
    let mut code = prog(&[&li(1, 3), &li(3, add_seven()), &li(2, BASE + 4 * TOP)]);
    assert_eq!(code.len() as u32, TOP);
    code.push(addi(5, 5, 1));
    code.push(addi(1, 1, -1));
    code.extend_from_slice(patch);
    let back = -4 * (code.len() as i32 - TOP as i32);
    code.push(bne(1, 0, back));
    code.extend([addi(10, 5, 0), addi(17, 0, 93), ECALL]);
    code
}

#[test]
fn a_store_over_executed_code_ends_the_epoch_and_proves() {
    let code = patching_loop(&[sw(3, 2, 0)]);
    let p = program(&code, &[]);
    let fast = execute(&p, &[], &config(1000)).unwrap();
    assert_eq!(fast.exit_code, 15, "the patched instruction runs natively");
    assert_eq!(fast.unprovable, None);
    let (cycles, exit) = prove_all(&p, &[], 8);
    assert_eq!(exit, 15);
    assert_eq!(cycles.iter().sum::<u64>(), fast.cycles);
    // One epoch of 2^8 would hold the whole run; each store to the word
    // the epoch executed, and each execution of the word stored, cuts.
    assert!(cycles.len() >= 4, "{cycles:?}");
}

#[test]
fn a_read_over_executed_code_ends_the_epoch_and_proves() {
    // read(0, x2, 4): the input holds the new instruction, three times.
    let read = [
        addi(10, 0, 0),
        addi(11, 2, 0),
        addi(12, 0, 4),
        addi(17, 0, 63),
        ECALL,
    ];
    let code = patching_loop(&read);
    let p = program(&code, &[]);
    let input: Vec<u8> = add_seven().to_le_bytes().repeat(3);
    let fast = execute(&p, &input, &config(1000)).unwrap();
    assert_eq!(fast.exit_code, 15);
    assert_eq!(fast.unprovable, None);
    let (cycles, exit) = prove_all(&p, &input, 8);
    assert_eq!(exit, 15);
    assert!(cycles.len() >= 4, "{cycles:?}");
}

/// `auipc x2, 0; lw x3, 4(x2)`: the load reads its own word. It runs, but
/// no epoch can hold it: `execute` marks the run unprovable at its pc
/// (so `prove` refuses before proving, exit 4), and recording fails there
/// with a message that says why instead of cutting forever.
#[test]
fn an_instruction_that_loads_its_own_word_is_unprovable() {
    for access in [lw(3, 2, 4), sw(3, 2, 4), lbu(3, 2, 6)] {
        let code = prog(&[&[auipc(2, 0), access], &exit(0)]);
        let p = program(&code, &[]);
        let fast = execute(&p, &[], &config(100)).unwrap();
        assert_eq!(fast.exit_code, 0);
        let u = fast.unprovable.expect("marked unprovable");
        assert_eq!(u.pc, BASE + 4);
        assert!(u.what.contains("its own instruction word"), "{}", u.what);
        let mut ex = Executor::new(&p, vec![], &config(100)).unwrap();
        let err = loop {
            match ex.run_epoch() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("recorded an epoch the proof cannot hold"),
                Err(e) => break e,
            }
        };
        assert_eq!(err.cause, Cause::FetchedWordAccess);
        assert_eq!(err.pc, BASE + 4);
        assert!(err.to_string().contains("cannot be proven"), "{err}");
    }
}

/// A load of the word next to the one executing is fine: the check is per
/// word, and an epoch that only reads code it does not execute proves.
#[test]
fn loading_a_code_word_the_epoch_does_not_execute_proves() {
    // Word 2 is jumped over and loaded: exit code = its low byte (0x93).
    let code = prog(&[
        &[auipc(2, 0), jal(0, 8), addi(17, 0, 93), lbu(10, 2, 8)],
        &[addi(17, 0, 93), ECALL],
    ]);
    let p = program(&code, &[]);
    let fast = execute(&p, &[], &config(100)).unwrap();
    assert_eq!((fast.exit_code, fast.unprovable), (0x93, None));
    let (cycles, exit) = prove_all(&p, &[], 8);
    assert_eq!((cycles.len(), exit), (1, 0x93));
}
