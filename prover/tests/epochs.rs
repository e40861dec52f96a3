//! Epoch slicing: exact epoch sizes, state chaining, touched pages and their
//! page-in contents, and independent replay of each epoch.

mod common;
use common::*;

use sluice_prover::executor::{
    execute, page_address, page_index, register_page, Cause, Config, EpochRecord, Executor,
    Program, PAGE_SIZE, REGISTER_PAGE,
};

fn cfg(k: u32) -> Config {
    Config {
        epoch_size_log2: k,
        max_cycles: 1 << 32,
    }
}

fn epochs(p: &Program, input: &[u8], k: u32) -> Vec<EpochRecord> {
    let mut ex = Executor::new(p, input.to_vec(), &cfg(k)).unwrap();
    let records: Vec<EpochRecord> = ex.by_ref().map(|r| r.unwrap()).collect();
    assert!(ex.is_halted());
    assert_eq!(ex.run_epoch().unwrap(), None, "no epoch after the halt");
    records
}

/// A countdown loop of `n` iterations (8 instructions each) writing one
/// byte of public output per iteration, then exit(5).
/// Cycles: 4 + n * 8 + 5.
fn countdown(n: u32) -> Program {
    let code = prog(&[
        &li(20, n),
        &li(21, DATA),
        // loop (8 instructions): sb x20 -> DATA; write(3, DATA, 1); x20 -= 1; bne
        &[
            sb(20, 21, 0),
            addi(10, 0, 3),
            addi(11, 21, 0),
            addi(12, 0, 1),
            addi(17, 0, 64),
        ],
        &[ECALL, addi(20, 20, -1)],
        &[bne(20, 0, -28)],
        &exit(5),
    ]);
    program(&code, &[0])
}

#[test]
fn epochs_are_exactly_2_pow_k_cycles_and_chain() {
    let p = countdown(10);
    // 4 setup + 10 * 8 + 5 exit.
    let total = 4 + 10 * 8 + 5;
    let fast = execute(&p, &[], &cfg(3)).unwrap();
    assert_eq!(fast.cycles, total);
    assert_eq!(fast.exit_code, 5);
    for k in [0u32, 1, 3, 4, 6, 7, 20] {
        let recs = epochs(&p, &[], k);
        let size = 1u64 << k;
        assert_eq!(recs.len() as u64, total.div_ceil(size), "k = {k}");
        assert_eq!(
            fast.cycles.div_ceil(size),
            execute(&p, &[], &cfg(k)).unwrap().epochs
        );
        let mut output = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            let last = i + 1 == recs.len();
            assert_eq!(r.index, i as u64);
            assert_eq!(r.start_cycle, i as u64 * size);
            if last {
                assert_eq!(r.cycles, total - i as u64 * size);
                assert_eq!(r.exit_code, Some(5));
            } else {
                assert_eq!(r.cycles, size);
                assert_eq!(r.exit_code, None);
                let next = &recs[i + 1];
                assert_eq!(next.start_pc, r.end_pc);
                assert_eq!(next.start_registers, r.end_registers);
                assert_eq!(next.input_start, r.input_end);
            }
            output.extend_from_slice(&r.public_output);
        }
        assert_eq!(recs[0].start_pc, BASE);
        assert_eq!(recs[0].start_registers, [0; 32]);
        assert_eq!(output, fast.public_output);
        assert_eq!(output, (1..=10).rev().collect::<Vec<u8>>());
    }
}

#[test]
fn halting_on_an_epoch_boundary_leaves_no_empty_epoch() {
    // 3 nops + exit = 8 cycles = one epoch of 2^3.
    let p = program(&prog(&[&[NOP, NOP, NOP], &exit(1)]), &[]);
    let recs = epochs(&p, &[], 3);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].cycles, 8);
    assert_eq!(recs[0].exit_code, Some(1));
    let recs = epochs(&p, &[], 2);
    assert_eq!(recs.iter().map(|r| r.cycles).collect::<Vec<_>>(), [4, 4]);
    assert_eq!(execute(&p, &[], &cfg(2)).unwrap().epochs, 2);
}

fn page_of(r: &EpochRecord, addr: u32) -> &[u8] {
    r.page(page_index(addr))
        .unwrap_or_else(|| panic!("page of {addr:#x} not recorded"))
}

#[test]
fn touched_pages_and_page_in_contents() {
    let data2 = DATA + 3 * PAGE_SIZE as u32;
    let code = prog(&[
        // epoch 0 (cycles 0..8)
        &li(5, DATA),
        &li(6, 0x1122_3344),
        &[lw(7, 5, 0), sw(6, 5, 0), NOP, NOP],
        // epoch 1 (cycles 8..16)
        &[lw(8, 5, 0)],
        &li(9, data2),
        &[sw(6, 9, 8)],
        // epochs 1-2: exit
        &exit(0),
    ]);
    let p = program(&code, &[0xaa, 0xbb, 0xcc, 0xdd]);
    let recs = epochs(&p, &[], 3);
    assert_eq!(recs.len(), 3);
    let code_page = page_index(BASE);
    let data_page = page_index(DATA);
    let touched: Vec<Vec<u32>> = recs.iter().map(|r| r.touched_pages().collect()).collect();
    assert_eq!(touched[0], [REGISTER_PAGE, code_page, data_page]);
    assert_eq!(
        touched[1],
        [REGISTER_PAGE, code_page, data_page, page_index(data2)]
    );
    assert_eq!(touched[2], [REGISTER_PAGE, code_page]);

    // Epoch 0 sees the initial data, even though it overwrites it.
    assert_eq!(&page_of(&recs[0], DATA)[..5], &[0xaa, 0xbb, 0xcc, 0xdd, 0]);
    // Epoch 1 sees the value epoch 0 stored.
    assert_eq!(&page_of(&recs[1], DATA)[..5], &[0x44, 0x33, 0x22, 0x11, 0]);
    // A page first written in epoch 1 pages in as zeros.
    assert!(page_of(&recs[1], data2).iter().all(|&b| b == 0));
    // Code pages hold the code.
    assert_eq!(&page_of(&recs[0], BASE)[..4], &code[0].to_le_bytes());
    assert_eq!(recs[0].end_registers[7], 0xddcc_bbaa);
    assert_eq!(recs[1].end_registers[8], 0x1122_3344);

    // The register page holds the start registers, little-endian.
    for r in &recs {
        assert_eq!(
            r.page(REGISTER_PAGE).unwrap(),
            &*register_page(&r.start_registers, r.start_input_eof)
        );
    }
    let regs = recs[2].page(REGISTER_PAGE).unwrap();
    assert_eq!(&regs[17 * 4..17 * 4 + 4], &93u32.to_le_bytes()); // a7 = exit
    assert_eq!(&regs[5 * 4..5 * 4 + 4], &DATA.to_le_bytes());
    assert!(regs[32 * 4..].iter().all(|&b| b == 0));
}

#[test]
fn code_crossing_a_page_boundary_touches_both_pages() {
    let start = BASE + PAGE_SIZE as u32 - 8;
    let code = prog(&[&[NOP, NOP, NOP], &exit(0)]);
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    let p = Program::from_segments(start, vec![(start, bytes)]).unwrap();
    let recs = epochs(&p, &[], 1);
    let t: Vec<Vec<u32>> = recs.iter().map(|r| r.touched_pages().collect()).collect();
    let first = page_index(start);
    assert_eq!(t[0], [REGISTER_PAGE, first]); // cycles 0, 1
    assert_eq!(t[1], [REGISTER_PAGE, first + 1]); // cycles 2, 3
}

#[test]
fn syscall_buffers_are_paged_in() {
    let buf = page_address(page_index(DATA) + 1) - 3; // spans two pages
    let out = page_address(page_index(DATA) + 5) + 10;
    let code = prog(&[
        &[addi(10, 0, 0)],
        &li(11, buf),
        &[addi(12, 0, 6), addi(17, 0, 63), ECALL],
        &[addi(10, 0, 3)],
        &li(11, out),
        &[addi(12, 0, 2), addi(17, 0, 64), ECALL],
        &exit(0),
    ]);
    let p = program(&code, &vec![9u8; PAGE_SIZE + 16]);
    let recs = epochs(&p, b"abcdefgh", 20);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    let t: Vec<u32> = r.touched_pages().collect();
    assert_eq!(
        t,
        [
            REGISTER_PAGE,
            page_index(BASE),
            page_index(buf),
            page_index(buf) + 1,
            page_index(out)
        ]
    );
    // Page-in is the content before the read overwrote it.
    let first = page_of(r, buf);
    assert_eq!(&first[PAGE_SIZE - 3..], &[9, 9, 9]);
    let second = page_of(r, buf + 3);
    assert_eq!(
        &second[..17],
        &[9u8; 16].iter().copied().chain([0]).collect::<Vec<_>>()[..]
    );
    assert_eq!(r.public_output, [0, 0]);
    assert_eq!((r.input_start, r.input_end), (0, 6));
}

#[test]
fn reading_less_than_len_pages_in_only_what_is_written() {
    // read(0, buf, 2000) with 3 bytes of input touches one page, not two.
    let buf = page_address(page_index(DATA) + 2) - 8;
    let code = prog(&[
        &[addi(10, 0, 0)],
        &li(11, buf),
        &li(12, 2000),
        &[addi(17, 0, 63), ECALL],
        &exit(0),
    ]);
    let recs = epochs(&program(&code, &[]), b"xyz", 20);
    let t: Vec<u32> = recs[0].touched_pages().collect();
    assert_eq!(t, [REGISTER_PAGE, page_index(BASE), page_index(buf)]);
}

/// A busy program: reads input byte by byte, keeps a running sum, stores it
/// at addresses striding across pages, writes it to the public output.
fn busy() -> Program {
    let code = prog(&[
        &li(5, DATA),
        &[addi(6, 0, 40)],
        // loop:
        &[
            addi(10, 0, 0),
            addi(11, 5, 0),
            addi(12, 0, 1),
            addi(17, 0, 63),
            ECALL,
            lbu(7, 5, 0),
            add(8, 8, 7),
            sw(8, 5, 4),
            addi(10, 0, 3),
            addi(11, 5, 4),
            addi(12, 0, 4),
            addi(17, 0, 64),
            ECALL,
            addi(5, 5, 264),
            addi(6, 6, -1),
            bne(6, 0, -60),
        ],
        &exit(0),
    ]);
    program(&code, &[])
}

#[test]
fn every_epoch_replays_from_its_own_record() {
    let input: Vec<u8> = (0..30u8).map(|i| i.wrapping_mul(37)).collect();
    let p = busy();
    let fast = execute(&p, &input, &cfg(5)).unwrap();
    for k in [2u32, 5, 7] {
        let recs = epochs(&p, &input, k);
        assert_eq!(recs.len() as u64, fast.cycles.div_ceil(1 << k));
        let output: Vec<u8> = recs.iter().flat_map(|r| r.public_output.clone()).collect();
        assert_eq!(output, fast.public_output);
        for r in &recs {
            let mut ex = Executor::from_epoch_start(r, input.clone(), &cfg(k)).unwrap();
            let replayed = ex.run_epoch().unwrap().unwrap();
            assert_eq!(&replayed, r, "epoch {} replays identically", r.index);
        }
    }
    // The running sums, checked by hand for the first few iterations.
    let sums: Vec<u32> = fast
        .public_output
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(sums.len(), 40);
    assert_eq!(&sums[..3], &[0, 37, 37 + 74]);
    let total: u32 = input.iter().map(|&b| b as u32).sum();
    assert_eq!(sums[29], total);
    // After EOF, read returns 0 and leaves the (never written) buffer at zero.
    assert_eq!(sums[39], total);
}

#[test]
fn cycle_limit_in_recording_mode() {
    let p = program(&[jal(0, 0)], &[]);
    let config = Config {
        epoch_size_log2: 3,
        max_cycles: 20,
    };
    let mut ex = Executor::new(&p, vec![], &config).unwrap();
    assert_eq!(ex.run_epoch().unwrap().unwrap().cycles, 8);
    assert_eq!(ex.run_epoch().unwrap().unwrap().cycles, 8);
    let err = ex.run_epoch().unwrap_err();
    assert_eq!(err.cause, Cause::CycleLimit { limit: 20 });
    assert_eq!(err.cycles, 20);
    // The iterator stops after the error.
    let mut ex = Executor::new(&p, vec![], &config).unwrap();
    let items: Vec<_> = ex.by_ref().collect();
    assert_eq!(items.len(), 3);
    assert!(items[2].is_err());
    // A limit on an epoch boundary: both epochs returned, then the error.
    let config = Config {
        epoch_size_log2: 3,
        max_cycles: 16,
    };
    let mut ex = Executor::new(&p, vec![], &config).unwrap();
    let items: Vec<_> = ex.by_ref().collect();
    assert_eq!(items.len(), 3);
    assert_eq!(items[2].as_ref().unwrap_err().cycles, 16);
}

#[test]
fn faults_inside_an_epoch_are_reported() {
    let code = prog(&[&[NOP; 10], &[EBREAK]]);
    let mut ex = Executor::new(&program(&code, &[]), vec![], &cfg(2)).unwrap();
    let items: Vec<_> = ex.by_ref().collect();
    assert_eq!(items.len(), 3);
    let err = items[2].as_ref().unwrap_err();
    assert_eq!(err.cause, Cause::Ebreak);
    assert_eq!(err.pc, BASE + 40);
    assert_eq!(err.cycles, 10);
}
