//! Every fault path, and the syscalls.

mod common;
use common::*;

use sluice_prover::executor::{execute, Cause, Config, Executor};
use sluice_verifier::air::io::MAX_IO_LEN;
use sluice_verifier::layout::{GUEST_MEMORY_END, GUEST_MEMORY_START};

/// An instruction builder `op(reg, reg, imm)`.
type Op = fn(u32, u32, i32) -> u32;

fn sys(n: u32, a0: u32, a1: u32, a2: u32) -> Vec<u32> {
    prog(&[&li(10, a0), &li(11, a1), &li(12, a2), &li(17, n), &[ECALL]])
}

// ---- faults ------------------------------------------------------------------

#[test]
fn illegal_instruction_message_names_word_and_pc() {
    // Fetching never-written guest memory reads zeros: an illegal word.
    let err = fault(&[NOP, NOP]);
    assert_eq!(err.cause, Cause::IllegalInstruction { word: 0 });
    assert_eq!(err.pc, 0x0001_0008);
    assert_eq!(err.cycles, 2);
    assert_eq!(
        err.to_string(),
        "illegal instruction 0x00000000 at pc 0x00010008"
    );
    for word in [
        0xffff_ffffu32,
        0x0000_4501,
        0x3000_2573,
        0x0000_100f,
        0x0200_1013,
    ] {
        let err = fault(&[word]);
        assert_eq!(err.cause, Cause::IllegalInstruction { word }, "{word:#x}");
        assert_eq!(err.pc, BASE);
    }
}

#[test]
fn ebreak() {
    let err = fault(&[EBREAK]);
    assert_eq!(err.cause, Cause::Ebreak);
    assert_eq!(err.to_string(), "breakpoint (ebreak) at pc 0x00010000");
}

#[test]
fn unknown_syscall() {
    let code = sys(1000, 0, 0, 0);
    let err = fault(&code);
    assert_eq!(err.cause, Cause::UnknownSyscall { number: 1000 });
    assert_eq!(err.pc, BASE + 32);
    assert_eq!(
        err.to_string(),
        "unknown syscall 1000 (a7) at pc 0x00010020"
    );
    // a7 = 0 too.
    assert_eq!(fault(&[ECALL]).cause, Cause::UnknownSyscall { number: 0 });
}

#[test]
fn misaligned_loads() {
    for (op, off, size) in [
        (lh as fn(u32, u32, i32) -> u32, 1, 2),
        (lhu, 3, 2),
        (lw, 2, 4),
        (lw, 1, 4),
        (lw, 3, 4),
    ] {
        let code = prog(&[&li(5, DATA), &[op(6, 5, off)]]);
        let err = fault(&code);
        let addr = DATA + off as u32;
        assert_eq!(err.cause, Cause::MisalignedLoad { addr, size });
        assert_eq!(err.pc, BASE + 8);
    }
    // Byte loads are never misaligned.
    let code = prog(&[&li(5, DATA), &[lb(6, 5, 3), lbu(6, 5, 1)]]);
    steps(&code);
}

#[test]
fn misaligned_stores() {
    for (op, off, size) in [
        (sh as fn(u32, u32, i32) -> u32, 1, 2),
        (sw, 2, 4),
        (sw, 3, 4),
    ] {
        let code = prog(&[&li(5, DATA), &[op(6, 5, off)]]);
        let err = fault(&code);
        assert_eq!(
            err.cause,
            Cause::MisalignedStore {
                addr: DATA + off as u32,
                size
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "misaligned {size}-byte store to {:#010x} at pc 0x00010008",
                DATA + off as u32
            )
        );
    }
}

#[test]
fn misaligned_jump_targets() {
    let err = fault(&[NOP, jal(1, 6)]);
    assert_eq!(err.cause, Cause::MisalignedJump { target: BASE + 10 });
    assert_eq!(err.pc, BASE + 4);
    // The link register is not written by a faulting jump.
    let (err, ex) = fault_with(&prog(&[&li(5, BASE + 2), &[jalr(1, 5, 0)]]), &[], &[]);
    assert_eq!(err.cause, Cause::MisalignedJump { target: BASE + 2 });
    assert_eq!(ex.registers()[1], 0);
    // jalr clears bit 0 only: +3 becomes +2, still misaligned.
    let err = fault(&prog(&[&li(5, BASE), &[jalr(0, 5, 3)]]));
    assert_eq!(err.cause, Cause::MisalignedJump { target: BASE + 2 });
    // A taken branch to a 2-aligned target.
    let err = fault(&[bne(0, 0, 8), beq(0, 0, -2)]);
    assert_eq!(err.cause, Cause::MisalignedJump { target: BASE + 2 });
    assert_eq!(err.pc, BASE + 4);
}

#[test]
fn unmapped_loads_and_stores() {
    // Registers live at 0x0..0x80 but are not addressable by the guest.
    let cases: [(u32, Op, u32); 6] = [
        (0, lw, 4),
        (GUEST_MEMORY_START - 4, lw, 4),
        (GUEST_MEMORY_START - 1, lbu, 1),
        (GUEST_MEMORY_END, lb, 1),
        (0xffff_fffc, lw, 4),
        (GUEST_MEMORY_END, lhu, 2),
    ];
    for (addr, op, len) in cases {
        let code = prog(&[&li(5, addr), &[op(6, 5, 0)]]);
        let err = fault(&code);
        assert_eq!(err.cause, Cause::UnmappedLoad { addr, len }, "{addr:#x}");
    }
    for (addr, op, len) in [
        (0u32, sw as fn(u32, u32, i32) -> u32, 4),
        (0x40, sb, 1),
        (GUEST_MEMORY_END, sh, 2),
        (0xffff_fffc, sw, 4),
    ] {
        let code = prog(&[&li(5, addr), &[op(6, 5, 0)]]);
        let err = fault(&code);
        assert_eq!(err.cause, Cause::UnmappedStore { addr, len }, "{addr:#x}");
        assert_eq!(err.pc, BASE + 8);
    }
    // Address arithmetic wraps: 0x10 + (-0x20) = 0xfffffff0.
    let err = fault(&prog(&[&li(5, 0x10), &[lw(6, 5, -0x20)]]));
    assert_eq!(
        err.cause,
        Cause::UnmappedLoad {
            addr: 0xffff_fff0,
            len: 4
        }
    );
}

#[test]
fn unmapped_fetch() {
    for target in [GUEST_MEMORY_END, 0, GUEST_MEMORY_START - 4, 0xffff_fffc] {
        let (err, ex) = fault_with(&prog(&[&li(5, target), &[jalr(0, 5, 0)]]), &[], &[]);
        assert_eq!(err.cause, Cause::UnmappedFetch);
        assert_eq!(err.pc, target);
        assert_eq!(err.cycles, 3);
        assert_eq!(ex.pc(), target);
        assert_eq!(
            err.to_string(),
            format!("instruction fetch from unmapped memory at pc {target:#010x}")
        );
    }
    // Falling off the end of memory.
    let top = GUEST_MEMORY_END - 4;
    let code = prog(&[&li(5, top), &li(6, NOP), &[sw(6, 5, 0), jalr(0, 5, 0)]]);
    let err = fault(&code);
    assert_eq!(err.cause, Cause::UnmappedFetch);
    assert_eq!(err.pc, GUEST_MEMORY_END);
}

#[test]
fn cycle_limit() {
    let program = program(&[jal(0, 0)], &[]);
    let err = execute(&program, &[], &config(1000)).unwrap_err();
    assert_eq!(err.cause, Cause::CycleLimit { limit: 1000 });
    assert_eq!(err.cycles, 1000);
    assert_eq!(err.pc, BASE);
    assert_eq!(
        err.to_string(),
        "cycle limit of 1000 cycles reached at pc 0x00010000"
    );
    // A program that halts exactly at the limit is fine.
    let program = common::program(&exit(0), &[]);
    assert_eq!(execute(&program, &[], &config(5)).unwrap().cycles, 5);
    assert_eq!(
        execute(&program, &[], &config(4)).unwrap_err().cause,
        Cause::CycleLimit { limit: 4 }
    );
    assert_eq!(
        execute(&program, &[], &config(0)).unwrap_err().cause,
        Cause::CycleLimit { limit: 0 }
    );
}

#[test]
fn bad_file_descriptors() {
    for (n, fd) in [(64u32, 0u32), (64, 5), (64, NEG), (63, 1), (63, 3)] {
        let err = fault(&sys(n, fd, DATA, 4));
        assert_eq!(err.cause, Cause::BadFileDescriptor { syscall: n, fd });
    }
    let err = fault(&sys(64, 7, DATA, 0));
    assert_eq!(
        err.to_string(),
        "write on unsupported file descriptor 7 at pc 0x00010020"
    );
    let err = fault(&sys(63, 2, DATA, 0));
    assert_eq!(
        err.to_string(),
        "read on unsupported file descriptor 2 at pc 0x00010020"
    );
}
const NEG: u32 = u32::MAX;

#[test]
fn syscall_buffers_must_be_guest_memory() {
    // write from the register region, across the end, and with a huge length:
    // a fault, never a large allocation.
    for (buf, len) in [
        (0u32, 4u32),
        (GUEST_MEMORY_END - 2, 4),
        (DATA, u32::MAX),
        (GUEST_MEMORY_START - 1, 2),
    ] {
        for fd in [1, 2] {
            let err = fault(&sys(64, fd, buf, len));
            assert_eq!(err.cause, Cause::UnmappedLoad { addr: buf, len });
        }
        let err = fault(&sys(64, 3, buf, len));
        let (read_err, ex) = fault_with(&sys(63, 0, buf, len), &[], b"abcdef");
        assert_eq!(ex.input_consumed(), 0);
        if len > MAX_IO_LEN {
            // Reads and public writes are bounded per call first.
            assert_eq!(err.cause, Cause::IoTooLong { syscall: 64, len });
            assert_eq!(read_err.cause, Cause::IoTooLong { syscall: 63, len });
        } else {
            assert_eq!(err.cause, Cause::UnmappedLoad { addr: buf, len });
            assert_eq!(read_err.cause, Cause::UnmappedStore { addr: buf, len });
        }
    }
    // The per-call bound: 64 KiB reads and public writes run, one byte more
    // faults with a message saying what to do.
    let ok = prog(&[
        &sys(63, 0, DATA, MAX_IO_LEN),
        &sys(64, 3, DATA, MAX_IO_LEN),
        &exit(0),
    ]);
    let out = execute(&program(&ok, &[]), &[7; 10], &config(100)).unwrap();
    assert_eq!(out.public_output.len(), MAX_IO_LEN as usize);
    let err = fault(&sys(64, 3, DATA, MAX_IO_LEN + 1));
    assert_eq!(
        err.cause.to_string(),
        "public write of 65537 bytes in one call; at most 65536 bytes per call (split it into several calls)"
    );
    // Zero-length buffers touch nothing, wherever they point.
    let code = prog(&[&sys(64, 3, 0, 0), &sys(63, 0, 0xffff_ffff, 0), &exit(0)]);
    let out = execute(&program(&code, &[]), b"xyz", &config(100)).unwrap();
    assert!(out.public_output.is_empty());
}

#[test]
fn fault_leaves_state_unchanged() {
    let code = prog(&[&li(5, DATA + 2), &li(6, 77), &[sw(6, 5, 0)]]);
    let (err, ex) = fault_with(&code, &[1, 2, 3, 4, 5, 6, 7, 8], &[]);
    assert_eq!(err.pc, BASE + 16);
    assert_eq!(ex.pc(), BASE + 16);
    assert_eq!(ex.cycles(), 4);
    let mut data = [0u8; 8];
    ex.memory().read_bytes(DATA, &mut data);
    assert_eq!(data, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(ex.registers()[5], DATA + 2);
    assert_eq!(ex.registers()[6], 77);
}

#[test]
fn invalid_config() {
    let program = program(&exit(0), &[]);
    let cfg = Config {
        epoch_size_log2: 33,
        max_cycles: 10,
    };
    let err = execute(&program, &[], &cfg).unwrap_err();
    assert!(matches!(err.cause, Cause::InvalidConfig { .. }));
    assert_eq!(
        err.to_string(),
        "invalid configuration: epoch_size_log2 = 33 exceeds the maximum 32"
    );
}

// ---- syscalls --------------------------------------------------------------

#[test]
fn write_to_stdout_stderr_and_public_output() {
    let code = prog(&[
        &sys(64, 1, DATA, 5),
        &[addi(20, 10, 0)], // save a0 (returned length)
        &sys(64, 2, DATA + 6, 5),
        &sys(64, 3, DATA + 12, 4),
        &sys(64, 3, DATA, 2),
        &sys(64, 4, DATA + 3, 3),
        &exit(3),
    ]);
    let data = b"hello world ABCD";
    let mut ex = Executor::new(&program(&code, data), vec![], &config(1000)).unwrap();
    ex.run().unwrap();
    assert_eq!(ex.registers()[20], 5);
    let out = ex.outcome().unwrap();
    assert_eq!(out.stdout, b"hello");
    assert_eq!(out.stderr, b"world");
    assert_eq!(out.public_output, b"ABCDhe");
    assert_eq!(out.hints, b"lo ");
    // Exiting with a non-zero code is an outcome, not an error.
    assert_eq!(out.exit_code, 3);
    assert_eq!(out.cycles, 5 * 9 + 1 + 5);
    assert_eq!(out.epochs, 1);
}

#[test]
fn write_spanning_pages_and_untouched_memory() {
    // 3000 bytes from a mostly never-written region: zeros, across pages.
    let code = prog(&[&sys(64, 3, DATA + 1000, 3000), &exit(0)]);
    let out = execute(&program(&code, &[7u8; 1004]), &[], &config(100)).unwrap();
    assert_eq!(out.public_output.len(), 3000);
    assert_eq!(&out.public_output[..4], &[7, 7, 7, 7]);
    assert!(out.public_output[4..].iter().all(|&b| b == 0));
}

#[test]
fn forwarded_host_output_is_not_captured() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let code = prog(&[
        &sys(64, 1, DATA, 2),
        &sys(64, 2, DATA + 2, 2),
        &sys(64, 4, DATA + 1, 2),
        &exit(0),
    ]);
    let mut ex = Executor::new(&program(&code, b"abcd"), vec![], &config(100)).unwrap();
    let (o, e, h) = (Shared::default(), Shared::default(), Shared::default());
    ex.forward_host_output(Box::new(o.clone()), Box::new(e.clone()));
    ex.forward_hints(Box::new(h.clone()));
    ex.run().unwrap();
    assert_eq!(*o.0.lock().unwrap(), b"ab");
    assert_eq!(*e.0.lock().unwrap(), b"cd");
    assert_eq!(*h.0.lock().unwrap(), b"bc");
    let out = ex.outcome().unwrap();
    assert!(out.stdout.is_empty() && out.hints.is_empty());

    // Discarded: nothing kept, nothing changed in the run.
    let mut ex = Executor::new(&program(&code, b"abcd"), vec![], &config(100)).unwrap();
    ex.discard_host_output();
    ex.run().unwrap();
    let out = ex.outcome().unwrap();
    assert!(out.stdout.is_empty() && out.stderr.is_empty() && out.hints.is_empty());
    assert_eq!(out.exit_code, 0);
}

#[test]
fn read_private_input() {
    // read 4, read 4 (gets 2: EOF inside), read 4 (gets 0 at EOF).
    let code = prog(&[
        &sys(63, 0, DATA, 4),
        &[addi(20, 10, 0)],
        &sys(63, 0, DATA + 4, 4),
        &[addi(21, 10, 0)],
        &sys(63, 0, DATA + 8, 4),
        &[addi(22, 10, 0)],
        &sys(64, 3, DATA, 12),
        &exit(0),
    ]);
    let mut ex = Executor::new(
        &program(&code, &[0xee; 12]),
        b"abcdef".to_vec(),
        &config(1000),
    )
    .unwrap();
    ex.run().unwrap();
    assert_eq!(&ex.registers()[20..23], &[4, 2, 0]);
    assert_eq!(ex.input_consumed(), 6);
    assert_eq!(ex.public_output(), b"abcdef\xee\xee\xee\xee\xee\xee");
}

#[test]
fn exit_code_is_a0() {
    for code in [0u32, 1, 255, 0xffff_ffff] {
        let out = execute(&program(&exit(code), &[]), &[], &Config::default()).unwrap();
        assert_eq!(out.exit_code, code);
        assert_eq!(out.cycles, 5);
    }
}

// ---- the precompiles -----------------------------------------------------

#[test]
fn precompiles_fault_on_a_bad_buffer_pointer() {
    use sluice_verifier::layout::syscall::{
        KECCAK_PERMUTE, KECCAK_STATE_BYTES, SHA256_BUFFER_BYTES, SHA256_COMPRESS,
    };
    for (number, len) in [
        (KECCAK_PERMUTE, KECCAK_STATE_BYTES),
        (SHA256_COMPRESS, SHA256_BUFFER_BYTES),
    ] {
        let fault_at = |ptr: u32| fault(&sys(number, ptr, 0, 0)).cause;
        assert_eq!(
            fault_at(0x2_0002),
            Cause::MisalignedStore {
                addr: 0x2_0002,
                size: 4
            }
        );
        for ptr in [
            0x100,
            GUEST_MEMORY_START - 4,
            GUEST_MEMORY_END - len + 4,
            0xffff_fff0,
        ] {
            assert_eq!(
                fault_at(ptr),
                Cause::UnmappedStore { addr: ptr, len },
                "{number:#x} at {ptr:#x}"
            );
        }
        // The last buffer that fits.
        let code = prog(&[&sys(number, GUEST_MEMORY_END - len, 0, 0), &exit(0)]);
        let ok = execute(&program(&code, &[]), &[], &config(1000)).unwrap();
        assert_eq!(ok.exit_code, 0);
    }
}
