//! CPU trace rows: replays one epoch instruction by instruction and fills
//! one row per cycle with exactly the witness the CPU AIR constrains.
//!
//! The replay is a separate, small interpreter over a sparse word map rather
//! than a hook in the executor, so the executor's fast path is untouched; the
//! replay's end state (pc, registers, exit code) is compared with the
//! executor's [`EpochRecord`], so the two can never silently disagree.

use p3_field::PrimeCharacteristicRing;
use sluice_verifier::air::cpu::{
    role, timestamp, CpuCols, REG_A0, REG_A7, SLOT_READ2, SLOT_RS1, SLOT_WRITE, SYSCALL_EXIT,
};
use sluice_verifier::air::decode::{alu_code, reads_rs2};
use sluice_verifier::isa::{Format, Opcode};
use sluice_verifier::stark::config::Val;

use sluice_verifier::air::io::{
    unsupported_shape, REG_A1, REG_A2, SLOT_A1, SLOT_A2, SLOT_BUF, SLOT_INPUT_STATE,
};
use sluice_verifier::layout::{is_guest_range, syscall, GUEST_MEMORY_END, INPUT_STATE_ADDR};

use crate::executor::alu;

use super::decode::{decode_supported, flag_values};
use super::fill::{inv_or_zero, put_ts, put_word};
use super::io::{IoKind, IoReplay, IoRow, IoWord};
use super::keccak::{permuted_words, KeccakCall};
use super::memory::MemoryLog;
use super::sha256::{compressed_words, Sha256Call};
use super::{AluEvent, ByteCounts, TraceError};

fn f(x: u32) -> Val {
    Val::from_u32(x)
}

/// The immediate as the CPU AIR reads it from the word, by format (I-type
/// shifts keep their `funct7` bits: the ALU masks the amount to 5 bits).
pub fn circuit_imm(format: Format, word: u32) -> u32 {
    let sext = |w: u32| (w as i32 >> 20) as u32;
    match format {
        Format::R => 0,
        Format::I => sext(word),
        Format::S => (sext(word) & !0x1f) | ((word >> 7) & 0x1f),
        Format::B => {
            (((word as i32) >> 19) as u32 & !0xfff)
                | ((word << 4) & 0x800)
                | ((word >> 20) & 0x7e0)
                | ((word >> 7) & 0x1e)
        }
        Format::J => {
            (((word as i32) >> 11) as u32 & !0xf_ffff)
                | (word & 0xf_f000)
                | ((word >> 9) & 0x800)
                | ((word >> 20) & 0x7fe)
        }
        Format::U => word & 0xffff_f000,
    }
}

/// What one replayed cycle did, for the caller's bookkeeping.
pub struct Step {
    pub next_pc: u32,
    pub halted: Option<u32>,
    /// The instruction word executed at `pc` (for the decode table).
    pub word: u32,
}

/// What a `read`/`write` `ECALL` will do, decided before its accesses.
struct IoPlan {
    kind: IoKind,
    a1: u32,
    a2: u32,
    result: u32,
    /// `read`: the bytes of input it consumes.
    input: Vec<u8>,
}

/// Decides a `read`/`write` syscall the proof supports (the shapes the
/// guest SDK issues), or says why it cannot be proven.
fn plan_io(
    pc: u32,
    number: u32,
    fd: u32,
    mem: &MemoryLog,
    io: &mut IoReplay,
) -> Result<IoPlan, TraceError> {
    let a1 = mem.peek(4 * REG_A1)?;
    let a2 = mem.peek(4 * REG_A2)?;
    let unsupported = |what: String| TraceError::Unsupported { pc, what };
    let plan = |kind, result, input| IoPlan {
        kind,
        a1,
        a2,
        result,
        input,
    };
    if let Some(what) = unsupported_shape(number, fd, a1, a2) {
        return Err(unsupported(what));
    }
    match (number, fd) {
        (syscall::READ, syscall::FD_STDIN) => {
            // The executor decided what the read returned; the proof shows
            // it, and its I/O table holds it to the input state word.
            let n = io
                .next_read()
                .ok_or_else(|| TraceError::Diverged("a read the executor did not make".into()))?;
            let input = io.peek_input(n as usize).to_vec();
            if input.len() != n as usize {
                return Err(TraceError::Diverged(format!(
                    "a read of {n} bytes with {} left in the epoch's input",
                    input.len()
                )));
            }
            Ok(plan(IoKind::Read, n, input))
        }
        (syscall::WRITE, syscall::FD_PUBLIC) => Ok(plan(IoKind::Output, a2, vec![])),
        (syscall::WRITE, syscall::FD_STDOUT | syscall::FD_STDERR | syscall::FD_HINT) => {
            Ok(plan(IoKind::Host { fd }, a2, vec![]))
        }
        _ => Err(unsupported(format!("syscall {number} on fd {fd}"))),
    }
}

/// Fills the row of cycle `clk` at `pc`, performing its accesses on `mem`.
#[allow(clippy::too_many_arguments)]
pub fn fill_row(
    c: &CpuCols,
    row: &mut [Val],
    clk: u32,
    pc: u32,
    mem: &mut MemoryLog,
    alu: &mut Vec<AluEvent>,
    bytes: &mut ByteCounts,
    io: &mut IoReplay,
) -> Result<Step, TraceError> {
    use Opcode::*;
    row[c.is_real] = Val::ONE;
    row[c.clk] = f(clk);
    row[c.pc] = f(pc);
    let link = pc.wrapping_add(4);

    // The word, which the decode table fetches once for the epoch.
    let word = mem.fetch(pc)?;
    let ins = decode_supported(pc, word)?;
    let op = ins.opcode;
    row[c.rd_num] = f((word >> 7) & 31);
    row[c.rs1_num] = f((word >> 15) & 31);
    row[c.rs2_num] = f((word >> 20) & 31);
    let imm = circuit_imm(op.format(), word);
    put_word(row, c.imm, imm);
    row[c.alu_op] = f(alu_code(op));
    for (&col, set) in c.flags.iter().zip(flag_values(&ins)) {
        row[col] = Val::from_bool(set);
    }

    // Access 1: rs1 (AUIPC reads none and holds pc there instead).
    let is_ecall = op == Ecall;
    let rs1_reg = if is_ecall { REG_A7 } else { (word >> 15) & 31 };
    let rs2_reg = if is_ecall { REG_A0 } else { (word >> 20) & 31 };
    let a = if op == Auipc {
        pc
    } else {
        let ts = timestamp(clk, SLOT_RS1);
        let (a, prev) = mem.access(4 * rs1_reg, None, ts)?;
        put_ts(row, c.rs1, prev, ts, bytes);
        a
    };
    put_word(row, c.rs1_val, a);
    // Access 2, for the instructions that read rs2 (a load reads its word
    // there below).
    let mut b = 0;
    if reads_rs2(|flag| row[c.flag(flag)]) == Val::ONE {
        b = read2(c, row, clk, 4 * rs2_reg, mem, bytes)?;
    }

    // Main ALU message.
    let r = role(op);
    let mut alu_c = 0;
    if let Some(alu_op) = r.alu_op {
        let x = if r.a_is_pc { pc } else { a };
        let y = if r.b_is_imm { imm } else { b };
        alu_c = alu::alu(alu_op, x, y);
        put_word(row, c.alu_c, alu_c);
        if alu_op == Add {
            let low = (x & 0xffff) + (y & 0xffff);
            let high = (x >> 16) + (y >> 16) + (low >> 16);
            row[c.add_carry[0]] = f(low >> 16);
            row[c.add_carry[1]] = f(high >> 16);
            bytes.add_all(alu_c.to_le_bytes().map(u32::from));
        } else {
            if r.b_is_imm {
                put_word(row, c.read2_val, imm);
            }
            alu.push((alu_op, x, y));
        }
    }

    // Control flow.
    let mut next_pc = pc.wrapping_add(4);
    let mut halted = None;
    let mut io_plan = None;
    let mut precompile = None;
    match op {
        Beq | Bne | Blt | Bge | Bltu | Bgeu => {
            let taken = match op {
                Beq => a == b,
                Bne => a != b,
                Blt | Bltu => alu_c == 1,
                _ => alu_c == 0,
            };
            if matches!(op, Beq | Bne) {
                let eq = a == b;
                row[c.eq] = f(eq as u32);
                let half = |x: u32, y: u32, i: usize| {
                    let (xl, yl) = (x.to_le_bytes(), y.to_le_bytes());
                    f(xl[i] as u32) - f(yl[i] as u32)
                        + (f(xl[i + 1] as u32) - f(yl[i + 1] as u32)) * f(256)
                };
                let (lo, hi) = (half(a, b, 0), half(a, b, 2));
                if !eq {
                    if lo != Val::ZERO {
                        row[c.eq_inv[0]] = inv_or_zero(lo);
                    } else {
                        row[c.eq_inv[1]] = inv_or_zero(hi);
                    }
                }
            }
            row[c.taken] = f(taken as u32);
            if taken {
                next_pc = pc.wrapping_add(imm);
            }
        }
        Jal => next_pc = pc.wrapping_add(imm),
        Jalr => {
            let c0 = alu_c & 0xff;
            row[c.c0_rest] = f(c0 >> 1);
            row[c.jalr_lsb] = f(c0 & 1);
            bytes.add(c0 >> 1);
            bytes.add((alu_c >> 24) * 4);
            next_pc = alu_c & !1;
        }
        Ecall => {
            if a == SYSCALL_EXIT {
                halted = Some(b);
            } else if a == syscall::KECCAK_PERMUTE || a == syscall::SHA256_COMPRESS {
                precompile = Some((a, b));
                row[c.sys_io] = Val::ONE;
            } else {
                io_plan = Some(plan_io(pc, a, b, mem, io)?);
                row[c.sys_io] = Val::ONE;
            }
        }
        _ => {}
    }
    row[c.next_pc] = f(next_pc);

    // Memory word (loads and stores; the access is to the containing word:
    // a load's is the second access, a store's the write).
    let mut loaded = 0;
    if matches!(op, Lb | Lh | Lw | Lbu | Lhu | Sb | Sh | Sw) {
        let addr = alu_c;
        let off = addr & 3;
        let waddr = addr & !3;
        let old = mem.peek(waddr)?;
        let ob = old.to_le_bytes();
        let store = match op {
            Sw => Some(b),
            Sb => {
                let mut w = ob;
                w[off as usize] = b as u8;
                Some(u32::from_le_bytes(w))
            }
            Sh => {
                let mut w = ob;
                w[off as usize] = b as u8;
                w[off as usize + 1] = (b >> 8) as u8;
                Some(u32::from_le_bytes(w))
            }
            _ => None,
        };
        match store {
            Some(new) => write(c, row, clk, waddr, new, mem, bytes)?,
            None => {
                read2(c, row, clk, waddr, mem, bytes)?;
            }
        }
        row[c.mem_off[off as usize]] = Val::ONE;
        row[c.c0_rest] = f((addr & 0xff) / 4);
        bytes.add((addr & 0xff) / 4);
        bytes.add((addr >> 24) * 4);
        row[c.mem_hi_inv] = inv_or_zero(f(addr >> 16));
        let byte0 = ob[off as usize] as u32;
        let byte1 = ob.get(off as usize + 1).copied().unwrap_or(0) as u32;
        let (top, signed) = match op {
            Lb => (byte0, true),
            Lh => (byte1, true),
            _ => (0, false),
        };
        if matches!(op, Lb | Lbu | Lh | Lhu) {
            row[c.ld_byte[0]] = f(byte0);
        }
        if matches!(op, Lh | Lhu) {
            row[c.ld_byte[1]] = f(byte1);
        }
        if signed {
            row[c.ld_sign] = f(top >> 7);
            row[c.ld_low] = f(top & 127);
            bytes.add((top & 127) * 2);
        }
        loaded = match op {
            Lw => old,
            Lb => byte0 as u8 as i8 as i32 as u32,
            Lbu => byte0,
            Lh => (byte0 | (byte1 << 8)) as u16 as i16 as i32 as u32,
            Lhu => byte0 | (byte1 << 8),
            _ => 0,
        };
    }

    // rd.
    let rd = (word >> 7) & 31;
    row[c.rd_zero] = f((rd == 0) as u32);
    if r.writes_rd {
        let value = match op {
            Lui => imm,
            Jal | Jalr => link,
            Lb | Lh | Lw | Lbu | Lhu => loaded,
            _ => alu_c,
        };
        let value = if rd == 0 { 0 } else { value };
        write(c, row, clk, 4 * rd, value, mem, bytes)?;
    }
    if let Some((number, ptr)) = precompile {
        write(c, row, clk, 4 * REG_A0, 0, mem, bytes)?;
        precompile_call(clk, number, ptr, mem, io)?;
    }
    if let Some(plan) = io_plan {
        // a0 = result, then a1, a2 and the buffer in the spare slots.
        write(c, row, clk, 4 * REG_A0, plan.result, mem, bytes)?;
        let (a1, a1_prev) = mem.access(4 * REG_A1, None, timestamp(clk, SLOT_A1))?;
        let (a2, a2_prev) = mem.access(4 * REG_A2, None, timestamp(clk, SLOT_A2))?;
        debug_assert_eq!((a1, a2), (plan.a1, plan.a2));
        let input_state = match plan.kind {
            IoKind::Read => {
                let was_ended = mem.peek(INPUT_STATE_ADDR)? != 0;
                let ended = was_ended || (plan.input.len() as u32) < plan.a2;
                let ts = timestamp(clk, SLOT_INPUT_STATE);
                Some(mem.access(INPUT_STATE_ADDR, Some(ended as u32), ts)?)
            }
            _ => None,
        };
        let host = matches!(plan.kind, IoKind::Host { .. });
        if !host && plan.a2 > 0 && !is_guest_range(plan.a1, plan.a2) {
            return Err(TraceError::Diverged(format!(
                "a syscall buffer {:#x}+{} outside guest memory",
                plan.a1, plan.a2
            )));
        }
        // The buffer words, all at the syscall's buffer timestamp.
        let ts = timestamp(clk, SLOT_BUF);
        let moved = match plan.kind {
            IoKind::Read => plan.input.len() as u32,
            IoKind::Output => plan.a2,
            IoKind::Host { .. } => 0,
        };
        let mut words = Vec::new();
        if moved > 0 {
            let end = plan.a1 + moved;
            let mut waddr = plan.a1 & !3;
            while waddr < end {
                let mut w = mem.peek(waddr)?.to_le_bytes();
                for (i, b) in w.iter_mut().enumerate() {
                    let at = waddr + i as u32;
                    if (plan.a1..end).contains(&at) {
                        match plan.kind {
                            IoKind::Read => *b = plan.input[(at - plan.a1) as usize],
                            _ => io.output.push(*b),
                        }
                    }
                }
                let new = u32::from_le_bytes(w);
                let (old, prev) = mem.access(waddr, Some(new), ts)?;
                words.push(IoWord {
                    addr: waddr,
                    old,
                    new,
                    prev,
                });
                waddr += 4;
            }
        }
        if plan.kind == IoKind::Read {
            io.consume_input(plan.input.len());
        }
        io.rows.push(IoRow {
            clk,
            kind: plan.kind,
            a1: plan.a1,
            a1_prev,
            a2: plan.a2,
            a2_prev,
            words,
            input_state,
            read: plan.input.len() as u32,
        });
    }
    Ok(Step {
        next_pc,
        halted,
        word,
    })
}

/// The row's second access: a read of the word at `addr` (rs2's, or a
/// load's); returns its value.
fn read2(
    c: &CpuCols,
    row: &mut [Val],
    clk: u32,
    addr: u32,
    mem: &mut MemoryLog,
    bytes: &mut ByteCounts,
) -> Result<u32, TraceError> {
    let ts = timestamp(clk, SLOT_READ2);
    let (value, prev) = mem.access(addr, None, ts)?;
    row[c.read2_addr] = f(addr);
    put_ts(row, c.read2, prev, ts, bytes);
    put_word(row, c.read2_val, value);
    Ok(value)
}

/// The row's write: `value` to the word at `addr` (rd's, or a store's).
fn write(
    c: &CpuCols,
    row: &mut [Val],
    clk: u32,
    addr: u32,
    value: u32,
    mem: &mut MemoryLog,
    bytes: &mut ByteCounts,
) -> Result<(), TraceError> {
    let ts = timestamp(clk, SLOT_WRITE);
    let (old, prev) = mem.access(addr, Some(value), ts)?;
    row[c.write_addr] = f(addr);
    put_ts(row, c.write, prev, ts, bytes);
    put_word(row, c.write_old, old);
    put_word(row, c.write_new, value);
    Ok(())
}

/// A precompile call's buffer words, rewritten by `update` at the call's
/// buffer timestamp.
fn buffer_call<const N: usize>(
    clk: u32,
    ptr: u32,
    what: &str,
    mem: &mut MemoryLog,
    update: impl FnOnce(&[u32; N]) -> [u32; N],
) -> Result<[IoWord; N], TraceError> {
    // The executor refuses anything else (unless told to forge one below
    // guest memory, for a negative test); the memory table's pointer check
    // is what refuses it in the proof.
    if !ptr.is_multiple_of(4) || u64::from(ptr) + 4 * N as u64 > u64::from(GUEST_MEMORY_END) {
        return Err(TraceError::Diverged(format!(
            "a {what} buffer at {ptr:#x} the executor would have refused"
        )));
    }
    let ts = timestamp(clk, SLOT_BUF);
    let mut old = [0u32; N];
    for (i, w) in old.iter_mut().enumerate() {
        *w = mem.peek(ptr + 4 * i as u32)?;
    }
    let new = update(&old);
    let mut words = [IoWord::default(); N];
    for (i, w) in words.iter_mut().enumerate() {
        let addr = ptr + 4 * i as u32;
        let (_, prev) = mem.access(addr, Some(new[i]), ts)?;
        *w = IoWord {
            addr,
            old: old[i],
            new: new[i],
            prev,
        };
    }
    Ok(words)
}

/// A precompile `ECALL` (`a7 = number`, `a0 = ptr`): its buffer, recorded
/// for the precompile's tables.
fn precompile_call(
    clk: u32,
    number: u32,
    ptr: u32,
    mem: &mut MemoryLog,
    io: &mut IoReplay,
) -> Result<(), TraceError> {
    if number == syscall::KECCAK_PERMUTE {
        let words = buffer_call(clk, ptr, "Keccak state", mem, permuted_words)?;
        io.keccak.push(KeccakCall { clk, ptr, words });
    } else {
        let words = buffer_call(clk, ptr, "SHA-256", mem, compressed_words)?;
        io.sha256.push(Sha256Call { clk, ptr, words });
    }
    Ok(())
}

/// Fills a padding row (after the last real cycle).
pub fn fill_padding(c: &CpuCols, row: &mut [Val], clk: u32) {
    row[c.clk] = f(clk);
    // rd bits are zero, so the x0 flag is set.
    row[c.rd_zero] = Val::ONE;
}
