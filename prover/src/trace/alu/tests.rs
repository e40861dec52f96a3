//! Tests of the arithmetic tables: honest traces prove and verify in one
//! batch with the `Range` table and a test-only driver that sends the ALU
//! messages (with results from an independent reference model), and every
//! constraint family rejects a forged witness.

use std::panic::{catch_unwind, AssertUnwindSafe};

use p3_air::{Air, BaseAir, WindowAccess};
use p3_batch_stark::{prove_batch, verify_batch, ProverData, StarkInstance};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::InteractionBuilder;
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::alu::add_sub::AddSubAir;
use sluice_verifier::air::alu::compare::CompareAir;
use sluice_verifier::air::alu::div_rem::DivRemAir;
use sluice_verifier::air::alu::logic::LogicAir;
use sluice_verifier::air::alu::mul::MulAir;
use sluice_verifier::air::alu::shift::ShiftAir;
use sluice_verifier::air::alu::{add_sub, compare, div_rem, logic, mul, shift};
use sluice_verifier::air::bus::{send_alu, ALU_MESSAGE_LEN};
use sluice_verifier::air::range::RangeAir;
use sluice_verifier::isa::Opcode;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::{blank_challenger, config_with_challenger, Val};

use super::*;
use crate::trace::range::range_trace;

/// RV32IM reference semantics, written independently of the generators
/// (wide integer arithmetic instead of limbs).
fn reference(op: Opcode, a: u32, b: u32) -> u32 {
    let (sa, sb) = (a as i32 as i64, b as i32 as i64);
    let (ua, ub) = (a as u64, b as u64);
    match op {
        Opcode::Add => (ua + ub) as u32,
        Opcode::Sub => (ua + (1 << 32) - ub) as u32,
        Opcode::And => a & b,
        Opcode::Or => a | b,
        Opcode::Xor => a ^ b,
        Opcode::Slt => (sa < sb) as u32,
        Opcode::Sltu => (ua < ub) as u32,
        Opcode::Sll => ((ua << (b % 32)) & 0xffff_ffff) as u32,
        Opcode::Srl => (ua >> (b % 32)) as u32,
        Opcode::Sra => (sa >> (b % 32)) as u32,
        Opcode::Mul => (sa * sb) as u32,
        Opcode::Mulh => (((sa as i128) * (sb as i128)) >> 32) as u32,
        Opcode::Mulhsu => (((sa as i128) * (ub as i128)) >> 32) as u32,
        Opcode::Mulhu => ((ua * ub) >> 32) as u32,
        Opcode::Div => match (sa, sb) {
            (_, 0) => u32::MAX,
            // Quotient 2^31 does not fit: RISC-V keeps the low 32 bits.
            (x, y) => ((x / y) as u64 & 0xffff_ffff) as u32,
        },
        Opcode::Divu => ua.checked_div(ub).map_or(u32::MAX, |q| q as u32),
        Opcode::Rem => match (sa, sb) {
            (x, 0) => x as u32,
            (x, y) => (x % y) as u32,
        },
        Opcode::Remu => ua.checked_rem(ub).map_or(a, |r| r as u32),
        _ => unreachable!("not an ALU op"),
    }
}

#[test]
fn reference_model_spot_checks() {
    assert_eq!(reference(Opcode::Div, 0x8000_0000, u32::MAX), 0x8000_0000);
    assert_eq!(reference(Opcode::Rem, 0x8000_0000, u32::MAX), 0);
    assert_eq!(reference(Opcode::Div, (-7i32) as u32, 2), (-3i32) as u32);
    assert_eq!(reference(Opcode::Rem, (-7i32) as u32, 2), (-1i32) as u32);
    assert_eq!(reference(Opcode::Mulh, (-1i32) as u32, (-1i32) as u32), 0);
    assert_eq!(
        reference(Opcode::Mulhsu, (-1i32) as u32, u32::MAX),
        u32::MAX
    );
    assert_eq!(reference(Opcode::Sra, 0x8000_0000, 33), 0xc000_0000);
    assert_eq!(reference(Opcode::Sub, 0, 1), u32::MAX);
}

/// Test-only table that sends one ALU message per active row:
/// `[op, a0..a3, b0..b3, c0..c3, active]`.
#[derive(Clone, Copy, Debug)]
struct DriverAir;

const DRIVER_WIDTH: usize = ALU_MESSAGE_LEN + 1;

impl<F> BaseAir<F> for DriverAir {
    fn width(&self) -> usize {
        DRIVER_WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for DriverAir {
    fn eval(&self, builder: &mut AB) {
        let r: Vec<AB::Expr> = builder
            .main()
            .current_slice()
            .iter()
            .map(|&v| v.into())
            .collect();
        let active = r[ALU_MESSAGE_LEN].clone();
        builder.assert_bool(active.clone());
        let w = |at: usize| -> [AB::Expr; 4] { core::array::from_fn(|i| r[at + i].clone()) };
        send_alu(builder, r[0].clone(), w(1), w(5), w(9), active);
    }
}

fn driver_trace(
    events: &[AluEvent],
    result: impl Fn(Opcode, u32, u32) -> u32,
) -> RowMajorMatrix<Val> {
    let height = events.len().next_power_of_two().max(MIN_HEIGHT);
    let mut v = Val::zero_vec(height * DRIVER_WIDTH);
    for (row, &(op, a, b)) in v.chunks_exact_mut(DRIVER_WIDTH).zip(events) {
        row[0] = Val::from_u8(op as u8);
        set_word(row, 1, a);
        set_word(row, 5, b);
        set_word(row, 9, result(op, a, b));
        row[ALU_MESSAGE_LEN] = Val::ONE;
    }
    RowMajorMatrix::new(v, DRIVER_WIDTH)
}

#[derive(Clone, Copy, Debug)]
enum TestAir {
    Range(RangeAir),
    Driver(DriverAir),
    AddSub(AddSubAir),
    Logic(LogicAir),
    Compare(CompareAir),
    Shift(ShiftAir),
    Mul(MulAir),
    DivRem(DivRemAir),
}

macro_rules! dispatch {
    ($self:expr, $a:ident => $e:expr) => {
        match $self {
            TestAir::Range($a) => $e,
            TestAir::Driver($a) => $e,
            TestAir::AddSub($a) => $e,
            TestAir::Logic($a) => $e,
            TestAir::Compare($a) => $e,
            TestAir::Shift($a) => $e,
            TestAir::Mul($a) => $e,
            TestAir::DivRem($a) => $e,
        }
    };
}

impl<F: Field> BaseAir<F> for TestAir {
    fn width(&self) -> usize {
        dispatch!(self, a => BaseAir::<F>::width(a))
    }
    fn preprocessed_trace(&self) -> Option<RowMajorMatrix<F>> {
        dispatch!(self, a => BaseAir::<F>::preprocessed_trace(a))
    }
    fn preprocessed_width(&self) -> usize {
        dispatch!(self, a => BaseAir::<F>::preprocessed_width(a))
    }
}

impl<AB: InteractionBuilder> Air<AB> for TestAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        dispatch!(self, a => a.eval(builder))
    }
}

/// Index of each table in a [`Batch`].
const RANGE: usize = 0;
const DRIVER: usize = 1;
fn table_index(t: AluTable) -> usize {
    2 + AluTable::ALL.iter().position(|&x| x == t).unwrap()
}

struct Batch {
    airs: Vec<TestAir>,
    traces: Vec<RowMajorMatrix<Val>>,
}

impl Batch {
    /// Honest traces for `events`, with the driver's results taken from
    /// `result` (normally [`reference`]).
    fn new(events: &[AluEvent], result: impl Fn(Opcode, u32, u32) -> u32) -> Self {
        let mut bytes = ByteCounts::default();
        let alu = alu_traces(events, &mut bytes).expect("ALU ops only");
        let mut airs = vec![TestAir::Range(RangeAir), TestAir::Driver(DriverAir)];
        let mut traces = vec![range_trace(&bytes), driver_trace(events, result)];
        for (t, trace) in alu {
            airs.push(match t {
                AluTable::AddSub => TestAir::AddSub(AddSubAir),
                AluTable::Logic => TestAir::Logic(LogicAir),
                AluTable::Compare => TestAir::Compare(CompareAir),
                AluTable::Shift => TestAir::Shift(ShiftAir),
                AluTable::Mul => TestAir::Mul(MulAir),
                AluTable::DivRem => TestAir::DivRem(DivRemAir),
            });
            traces.push(trace);
        }
        Batch { airs, traces }
    }

    fn get(&self, table: usize, row: usize, col: usize) -> Val {
        let w = self.traces[table].width;
        self.traces[table].values[row * w + col]
    }

    fn set(&mut self, table: usize, row: usize, col: usize, v: Val) {
        let w = self.traces[table].width;
        self.traces[table].values[row * w + col] = v;
    }

    /// Moves one byte-bus send from byte `from` to byte `to` in the Range
    /// multiplicities (to keep the byte bus balanced after a mutation that
    /// only targets another constraint).
    fn move_byte(&mut self, from: u32, to: u32) {
        self.traces[RANGE].values[from as usize] -= Val::ONE;
        self.traces[RANGE].values[to as usize] += Val::ONE;
    }

    /// Proves and verifies; `Err` carries the panic message or the
    /// verification error.
    fn prove_and_verify(&self) -> Result<(), String> {
        let run = || -> Result<(), String> {
            let config = config_with_challenger(&ProofParams::DEFAULT, blank_challenger())
                .map_err(|e| format!("{e:?}"))?;
            let instances: Vec<StarkInstance<'_, _, TestAir>> = self
                .airs
                .iter()
                .zip(&self.traces)
                .map(|(air, trace)| StarkInstance {
                    air,
                    trace,
                    public_values: vec![],
                })
                .collect();
            let data =
                ProverData::from_instances(&config, &instances).map_err(|e| format!("{e:?}"))?;
            let proof = prove_batch(&config, &instances, &data).map_err(|e| format!("{e:?}"))?;
            let pvs = vec![vec![]; self.airs.len()];
            verify_batch(&config, &self.airs, &proof, &pvs, &data.common)
                .map_err(|e| format!("{e:?}"))
        };
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(r) => r,
            Err(p) => Err(p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into())),
        }
    }

    /// Asserts that proving or verifying fails with a message containing
    /// `needle` (so the test fails if it breaks for an unrelated reason).
    fn assert_rejected(&self, needle: &str) {
        match self.prove_and_verify() {
            Ok(()) => panic!("forged witness was accepted"),
            Err(msg) => assert!(msg.contains(needle), "rejected for another reason: {msg}"),
        }
    }
}

const EDGE: [u32; 12] = [
    0,
    1,
    2,
    7,
    0x7f,
    0x80,
    0xff,
    0x7fff_ffff,
    0x8000_0000,
    0x8000_0001,
    0xffff_fffe,
    0xffff_ffff,
];

fn lcg(seed: &mut u64) -> u32 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 32) as u32
}

/// Every op on every pair of edge values, plus pseudo-random operands.
fn events_for(ops: &[Opcode], random: usize) -> Vec<AluEvent> {
    let mut ev = Vec::new();
    let mut seed = 42;
    for &op in ops {
        for &a in &EDGE {
            for &b in &EDGE {
                ev.push((op, a, b));
            }
        }
        for _ in 0..random {
            let (a, b) = (lcg(&mut seed), lcg(&mut seed));
            ev.push((op, a, b));
        }
    }
    ev
}

const NO_RANGE_NEEDLE: &str = "constraints not satisfied";
const LOOKUP_NEEDLE: &str = "Lookup mismatch";

#[test]
fn reference_agrees_with_generators_on_edges() {
    // The generators compute results their own way; the ALU bus would
    // reject any disagreement, but compare directly for a readable failure.
    for &(op, a, b) in &events_for(&crate::trace::alu::tests::ALL_OPS, 8) {
        let mut bytes = ByteCounts::default();
        let t = AluTable::of(op).unwrap().trace(&[(op, a, b)], &mut bytes);
        let c_col = match AluTable::of(op).unwrap() {
            AluTable::AddSub => add_sub::C,
            AluTable::Logic => logic::C,
            AluTable::Compare => compare::LT,
            AluTable::Shift => shift::C,
            AluTable::Mul => mul::C,
            AluTable::DivRem => div_rem::C,
        };
        let limbs: Vec<u32> = if AluTable::of(op) == Some(AluTable::Compare) {
            vec![t.values[c_col].as_canonical_u32(), 0, 0, 0]
        } else {
            (0..4)
                .map(|i| t.values[c_col + i].as_canonical_u32())
                .collect()
        };
        let c = limbs[0] | limbs[1] << 8 | limbs[2] << 16 | limbs[3] << 24;
        assert_eq!(c, reference(op, a, b), "{op:?}({a:#x}, {b:#x})");
    }
}

use p3_field::PrimeField32;

const ALL_OPS: [Opcode; 18] = sluice_verifier::air::bus::ALU_OPCODES;

#[test]
fn all_ops_edge_values_prove_and_verify() {
    // 18 ops × (144 edge pairs + 16 random) rows, all tables in one batch.
    let events = events_for(&ALL_OPS, 16);
    Batch::new(&events, reference).prove_and_verify().unwrap();
}

#[test]
fn empty_tables_prove_and_verify() {
    Batch::new(&[], reference).prove_and_verify().unwrap();
}

#[test]
fn wrong_result_is_rejected_for_every_op() {
    // The driver claims c + 1 (or c ^ 1): the table's row cannot produce
    // that message, so the ALU bus does not balance.
    for op in ALL_OPS {
        let events = [(op, 0x1234_5678, 0x0000_0013), (op, 5, 3)];
        let batch = Batch::new(&events, |o, a, b| reference(o, a, b) ^ 1);
        batch.assert_rejected(LOOKUP_NEEDLE);
    }
}

#[test]
fn message_sent_but_not_received_is_rejected() {
    let events = [(Opcode::Add, 1, 2)];
    let mut batch = Batch::new(&events, reference);
    // Replace the ADD/SUB table by an all-padding one (and the Range counts
    // by those of no event): the driver's send then has no receiver, and
    // every constraint still holds.
    let mut bytes = ByteCounts::default();
    let t = table_index(AluTable::AddSub);
    batch.traces[t] = AluTable::AddSub.trace(&[], &mut bytes);
    batch.traces[RANGE] = range_trace(&bytes);
    batch.assert_rejected(LOOKUP_NEEDLE);
}

#[test]
fn duplicated_receive_is_rejected() {
    // Two identical table rows, one driver send: multiplicity mismatch.
    let events = [(Opcode::Xor, 6, 3), (Opcode::Xor, 6, 3)];
    let mut batch = Batch::new(&events, reference);
    batch.set(DRIVER, 1, ALU_MESSAGE_LEN, Val::ZERO);
    batch.assert_rejected(LOOKUP_NEEDLE);
}

/// Replaces a result limb in both the table and the driver (so the ALU bus
/// balances) and keeps the byte bus balanced: only the arithmetic
/// constraints can catch it.
fn forge_result_limb(
    table: AluTable,
    op: Opcode,
    a: u32,
    b: u32,
    c_col: usize,
    driver_limb: usize,
) {
    let mut batch = Batch::new(&[(op, a, b)], reference);
    let t = table_index(table);
    let old = batch.get(t, 0, c_col).as_canonical_u32();
    let new = (old + 1) % 256;
    batch.set(t, 0, c_col, Val::from_u32(new));
    batch.set(DRIVER, 0, 9 + driver_limb, Val::from_u32(new));
    if matches!(table, AluTable::AddSub | AluTable::Compare) && c_col != compare::LT {
        batch.move_byte(old, new);
    }
    batch.assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn wrong_result_limb_with_consistent_message_is_rejected() {
    forge_result_limb(
        AluTable::AddSub,
        Opcode::Add,
        0x00ff_00ff,
        0x0001_0001,
        add_sub::C + 1,
        1,
    );
    forge_result_limb(AluTable::AddSub, Opcode::Sub, 3, 5, add_sub::C + 3, 3);
    forge_result_limb(
        AluTable::Logic,
        Opcode::And,
        0xf0f0,
        0xff00,
        logic::C + 1,
        1,
    );
    forge_result_limb(AluTable::Logic, Opcode::Or, 0xf0f0, 0xff00, logic::C, 0);
    forge_result_limb(
        AluTable::Logic,
        Opcode::Xor,
        0xf0f0,
        0xff00,
        logic::C + 2,
        2,
    );
    forge_result_limb(
        AluTable::Compare,
        Opcode::Slt,
        (-1i32) as u32,
        1,
        compare::LT,
        0,
    );
    forge_result_limb(
        AluTable::Compare,
        Opcode::Sltu,
        (-1i32) as u32,
        1,
        compare::LT,
        0,
    );
    forge_result_limb(
        AluTable::Shift,
        Opcode::Sll,
        0x8123_4567,
        12,
        shift::C + 2,
        2,
    );
    forge_result_limb(
        AluTable::Shift,
        Opcode::Srl,
        0x8123_4567,
        12,
        shift::C + 1,
        1,
    );
    forge_result_limb(
        AluTable::Shift,
        Opcode::Sra,
        0x8123_4567,
        44,
        shift::C + 3,
        3,
    );
    forge_result_limb(
        AluTable::Mul,
        Opcode::Mul,
        0x8123_4567,
        0xdead_beef,
        mul::C,
        0,
    );
    forge_result_limb(
        AluTable::Mul,
        Opcode::Mulhu,
        0x8123_4567,
        0xdead_beef,
        mul::C + 3,
        3,
    );
    forge_result_limb(AluTable::DivRem, Opcode::Divu, 1000, 7, div_rem::C, 0);
    forge_result_limb(
        AluTable::DivRem,
        Opcode::Rem,
        (-1000i32) as u32,
        7,
        div_rem::C,
        0,
    );
}

#[test]
fn non_boolean_carry_is_rejected() {
    // ADD 0xff + 0x01: carry0 = 1. Forge carry0 = 2 and c0 = 0xff + 1 + ... no:
    // keep every limb and instead set carry0 = 1 + 1/256·… is not possible;
    // use a carry of 2 with c0 raised by 256 — the carry's booleanity is the
    // only constraint that can fail (the limb equation still holds).
    let mut batch = Batch::new(&[(Opcode::Add, 0x1ff, 0x1ff)], reference);
    let t = table_index(AluTable::AddSub);
    // Honest: 0xff + 0xff = 0xfe + 256·1; carry0 = 1, then 1 + 1 + 1 = 3.
    // Forge: carry0 = 2, c0 = 0xfe − 256 (field), c1 = 3 + 2 − 1 = 4?
    // Simplest isolated forgery: carry0 := 2, c0 := 0xfe − 256.
    batch.set(t, 0, add_sub::CARRY, Val::from_u32(2));
    batch.set(t, 0, add_sub::C, Val::from_u32(0xfe) - Val::from_u32(256));
    // c1 would then need to absorb the extra carry: 1 + 1 + 2 = 4 = c1.
    batch.set(t, 0, add_sub::C + 1, Val::from_u32(4));
    batch.assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn out_of_range_limb_with_compensating_carry_is_rejected() {
    // ADD 0xff + 0x01 = 0x100: honest c0 = 0, carry0 = 1, c1 = 1. Forge
    // c0 = 256, carry0 = 0, c1 = 0: every arithmetic constraint holds and the
    // driver claims the same (bogus) limbs, so only the byte range check on
    // c0 can reject it.
    let events = [(Opcode::Add, 0xff, 0x01)];
    let mut batch = Batch::new(&events, reference);
    let t = table_index(AluTable::AddSub);
    batch.set(t, 0, add_sub::C, Val::from_u32(256));
    batch.set(t, 0, add_sub::CARRY, Val::ZERO);
    batch.set(t, 0, add_sub::C + 1, Val::ZERO);
    batch.set(DRIVER, 0, 9, Val::from_u32(256));
    batch.set(DRIVER, 0, 10, Val::ZERO);
    // The byte bus: c1 = 1 became c1 = 0 (a byte, count it), c0 = 0 became
    // 256 (not a byte: the Range table cannot provide it).
    batch.move_byte(1, 0);
    batch.traces[RANGE].values[0] -= Val::ONE;
    // Constraints must hold (the failure must come from the bus).
    batch.assert_rejected(LOOKUP_NEEDLE);
    let msg = batch.prove_and_verify().unwrap_err();
    assert!(msg.contains("byte"), "{msg}");
}
