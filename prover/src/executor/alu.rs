//! The arithmetic of RV32IM in one place: the executor runs it, and trace
//! generation computes the ALU tables' results with it.

use sluice_verifier::isa::Opcode;

/// RV32IM semantics of the R-type ALU operation `op` (shifts use the low five
/// bits of `b`; division by zero and overflow as the ISA defines them).
/// I-type operations are the same with the immediate as `b`.
#[inline(always)]
pub fn alu(op: Opcode, a: u32, b: u32) -> u32 {
    use Opcode::*;
    let sh = b & 31;
    match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Sll => a << sh,
        Slt => ((a as i32) < (b as i32)) as u32,
        Sltu => (a < b) as u32,
        Xor => a ^ b,
        Srl => a >> sh,
        Sra => ((a as i32) >> sh) as u32,
        Or => a | b,
        And => a & b,
        Mul => a.wrapping_mul(b),
        Mulh => ((a as i32 as i64 * b as i32 as i64) >> 32) as u32,
        Mulhsu => ((a as i32 as i64 * b as i64) >> 32) as u32,
        Mulhu => ((a as u64 * b as u64) >> 32) as u32,
        Div => {
            if b == 0 {
                u32::MAX
            } else {
                (a as i32).wrapping_div(b as i32) as u32
            }
        }
        Divu => a.checked_div(b).unwrap_or(u32::MAX),
        Rem => {
            if b == 0 {
                a
            } else {
                (a as i32).wrapping_rem(b as i32) as u32
            }
        }
        Remu => a.checked_rem(b).unwrap_or(a),
        _ => unreachable!("{op} is not an ALU operation"),
    }
}
