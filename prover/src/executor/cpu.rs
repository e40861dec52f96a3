//! One instruction step.

use sluice_verifier::isa::{decode, Opcode};
use sluice_verifier::layout::{GUEST_MEMORY_END, GUEST_MEMORY_START};

use super::alu::alu;
use super::{Cause, Executor};

/// Size of guest memory in bytes.
const GUEST_SIZE: u32 = GUEST_MEMORY_END - GUEST_MEMORY_START;

/// Whether `addr` is a guest address. For a naturally aligned access of size
/// at most 4 this also covers its last byte, as `GUEST_MEMORY_END` is aligned.
#[inline(always)]
fn in_guest(addr: u32) -> bool {
    addr.wrapping_sub(GUEST_MEMORY_START) < GUEST_SIZE
}

impl Executor {
    /// A load, store or syscall buffer `[addr, addr + len)` (in guest
    /// memory): marks the run unprovable if it covers the executing
    /// instruction's own word, and, recording, ends the epoch before it if
    /// the epoch has executed one of its words.
    #[inline(always)]
    pub(super) fn data_access<const RECORD: bool>(
        &mut self,
        addr: u32,
        len: u32,
    ) -> Result<(), Cause> {
        let own = self.pc & !3;
        if len > 0 && addr & !3 <= own && own <= (addr + (len - 1)) & !3 {
            self.mark_unprovable(
                "an instruction whose load, store or syscall buffer covers its own \
                 instruction word (an epoch's executed words are read-only in the proof)"
                    .into(),
            );
        }
        if RECORD {
            if let Some(t) = &mut self.tracker {
                if !t.data(&self.mem, addr, len) {
                    return Err(Cause::FetchedWordAccess);
                }
            }
        }
        Ok(())
    }

    #[inline(always)]
    fn load_addr<const RECORD: bool>(&mut self, addr: u32, size: u32) -> Result<(), Cause> {
        if addr & (size - 1) != 0 {
            return Err(Cause::MisalignedLoad { addr, size });
        }
        if !in_guest(addr) {
            return Err(Cause::UnmappedLoad { addr, len: size });
        }
        self.data_access::<RECORD>(addr, size)
    }

    #[inline(always)]
    fn store_addr<const RECORD: bool>(&mut self, addr: u32, size: u32) -> Result<(), Cause> {
        if addr & (size - 1) != 0 {
            return Err(Cause::MisalignedStore { addr, size });
        }
        if !in_guest(addr) {
            return Err(Cause::UnmappedStore { addr, len: size });
        }
        self.data_access::<RECORD>(addr, size)
    }

    /// Executes one instruction. `Ok(true)` if the guest halted. On error
    /// nothing has changed.
    #[inline(always)]
    pub(super) fn step<const RECORD: bool>(&mut self) -> Result<bool, Cause> {
        use Opcode::*;
        let pc = self.pc;
        if !in_guest(pc) {
            return Err(Cause::UnmappedFetch);
        }
        if RECORD {
            if let Some(t) = &mut self.tracker {
                if !t.fetch(&self.mem, pc) {
                    return Err(Cause::FetchedWordAccess);
                }
            }
        }
        let word = self.mem.read_u32(pc);
        let ins = match decode(word) {
            Ok(ins) => ins,
            Err(_) => return Err(Cause::IllegalInstruction { word }),
        };
        let a = self.regs[ins.rs1 as usize & 31];
        let b = self.regs[ins.rs2 as usize & 31];
        let imm = ins.imm;
        let mut next = pc.wrapping_add(4);

        macro_rules! jump {
            ($target:expr) => {{
                let target: u32 = $target;
                if target & 3 != 0 {
                    return Err(Cause::MisalignedJump { target });
                }
                next = target;
            }};
        }
        macro_rules! branch {
            ($cond:expr) => {{
                if $cond {
                    jump!(pc.wrapping_add(imm));
                }
                self.pc = next;
                return Ok(false);
            }};
        }

        let value: u32 = match ins.opcode {
            Lui => imm,
            Auipc => pc.wrapping_add(imm),
            Jal => {
                jump!(pc.wrapping_add(imm));
                pc.wrapping_add(4)
            }
            Jalr => {
                jump!(a.wrapping_add(imm) & !1);
                pc.wrapping_add(4)
            }
            Beq => branch!(a == b),
            Bne => branch!(a != b),
            Blt => branch!((a as i32) < (b as i32)),
            Bge => branch!((a as i32) >= (b as i32)),
            Bltu => branch!(a < b),
            Bgeu => branch!(a >= b),
            Lb => {
                let addr = a.wrapping_add(imm);
                self.load_addr::<RECORD>(addr, 1)?;
                self.mem.read_u8(addr) as i8 as i32 as u32
            }
            Lbu => {
                let addr = a.wrapping_add(imm);
                self.load_addr::<RECORD>(addr, 1)?;
                self.mem.read_u8(addr) as u32
            }
            Lh => {
                let addr = a.wrapping_add(imm);
                self.load_addr::<RECORD>(addr, 2)?;
                self.mem.read_u16(addr) as i16 as i32 as u32
            }
            Lhu => {
                let addr = a.wrapping_add(imm);
                self.load_addr::<RECORD>(addr, 2)?;
                self.mem.read_u16(addr) as u32
            }
            Lw => {
                let addr = a.wrapping_add(imm);
                self.load_addr::<RECORD>(addr, 4)?;
                self.mem.read_u32(addr)
            }
            Sb | Sh | Sw => {
                let addr = a.wrapping_add(imm);
                match ins.opcode {
                    Sb => {
                        self.store_addr::<RECORD>(addr, 1)?;
                        self.mem.write_u8(addr, b as u8);
                    }
                    Sh => {
                        self.store_addr::<RECORD>(addr, 2)?;
                        self.mem.write_u16(addr, b as u16);
                    }
                    _ => {
                        self.store_addr::<RECORD>(addr, 4)?;
                        self.mem.write_u32(addr, b);
                    }
                }
                self.pc = next;
                return Ok(false);
            }
            // Constant opcodes: `alu` inlines to the one operation.
            Addi => alu(Add, a, imm),
            Slti => alu(Slt, a, imm),
            Sltiu => alu(Sltu, a, imm),
            Xori => alu(Xor, a, imm),
            Ori => alu(Or, a, imm),
            Andi => alu(And, a, imm),
            Slli => alu(Sll, a, imm),
            Srli => alu(Srl, a, imm),
            Srai => alu(Sra, a, imm),
            Add => alu(Add, a, b),
            Sub => alu(Sub, a, b),
            Sll => alu(Sll, a, b),
            Slt => alu(Slt, a, b),
            Sltu => alu(Sltu, a, b),
            Xor => alu(Xor, a, b),
            Srl => alu(Srl, a, b),
            Sra => alu(Sra, a, b),
            Or => alu(Or, a, b),
            And => alu(And, a, b),
            Mul => alu(Mul, a, b),
            Mulh => alu(Mulh, a, b),
            Mulhsu => alu(Mulhsu, a, b),
            Mulhu => alu(Mulhu, a, b),
            Div => alu(Div, a, b),
            Divu => alu(Divu, a, b),
            Rem => alu(Rem, a, b),
            Remu => alu(Remu, a, b),
            Fence => {
                self.pc = next;
                return Ok(false);
            }
            Ebreak => return Err(Cause::Ebreak),
            Ecall => {
                let halted = self.ecall::<RECORD>()?;
                self.pc = next;
                return Ok(halted);
            }
        };
        self.regs[ins.rd as usize & 31] = value;
        self.regs[0] = 0;
        self.pc = next;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_address_check() {
        assert!(in_guest(GUEST_MEMORY_START));
        assert!(in_guest(GUEST_MEMORY_END - 1));
        assert!(!in_guest(GUEST_MEMORY_END));
        assert!(!in_guest(GUEST_MEMORY_START - 1));
        assert!(!in_guest(0));
        assert!(!in_guest(u32::MAX));
    }
}
