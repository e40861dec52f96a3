//! A batch of the arithmetic tables, the two range tables and a driver table
//! that sends ALU messages, proved and verified together. Used by the tests
//! and by `benches/alu.rs` until the CPU table exists to send the messages.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

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
use sluice_verifier::air::bus::{send_alu, send_byte, ALU_MESSAGE_LEN};
use sluice_verifier::air::range::RangeAir;
use sluice_verifier::air::ts_range::TsRangeAir;
use sluice_verifier::isa::Opcode;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::{blank_challenger, config_with_challenger, SluiceConfig, Val};
use sluice_verifier::stark::lookups::{epoch_prover_data, NamedTable};

use super::{alu_traces, min_height, set_word, AluEvent, AluTable};
use crate::trace::range::{range_trace, ts_range_trace, ByteCounts};
use sluice_verifier::air::range::{MULT, RANGE_WIDTH};

/// RV32IM reference semantics, written independently of the generators
/// (wide integer arithmetic instead of limbs).
pub fn reference(op: Opcode, a: u32, b: u32) -> u32 {
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

/// Stand-in for the CPU table: sends one ALU message per active row,
/// `[op, a0..a3, b0..b3, c0..c3, active]`. Tests and benchmarks only: it
/// does not constrain the results it claims, but it range-checks its
/// operands, as the ALU tables require of every sender (the CPU's operands
/// are bytes by construction).
#[derive(Clone, Copy, Debug)]
pub struct DriverAir;

pub const DRIVER_WIDTH: usize = ALU_MESSAGE_LEN + 1;

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
        for x in w(1).into_iter().chain(w(5)) {
            send_byte(builder, x, active.clone());
        }
        send_alu(builder, r[0].clone(), w(1), w(5), w(9), active);
    }
}

/// The driver's operand range checks.
fn driver_bytes(events: &[AluEvent], bytes: &mut ByteCounts) {
    for &(_, a, b) in events {
        bytes.add_all(
            a.to_le_bytes()
                .into_iter()
                .chain(b.to_le_bytes())
                .map(u32::from),
        );
    }
}

pub fn driver_trace(
    events: &[AluEvent],
    result: impl Fn(Opcode, u32, u32) -> u32,
) -> RowMajorMatrix<Val> {
    let height = events.len().next_power_of_two().max(min_height());
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
pub enum TestAir {
    Range(RangeAir),
    TsRange(TsRangeAir),
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
            TestAir::TsRange($a) => $e,
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

/// Packed as the epoch's table of the same name (the driver stands in for
/// the CPU, whose calls it makes).
impl NamedTable for TestAir {
    fn table_name(&self) -> &'static str {
        match self {
            TestAir::Range(_) => "range",
            TestAir::TsRange(_) => "ts_range",
            TestAir::Driver(_) => "cpu",
            TestAir::AddSub(_) => "add_sub",
            TestAir::Logic(_) => "logic",
            TestAir::Compare(_) => "compare",
            TestAir::Shift(_) => "shift",
            TestAir::Mul(_) => "mul",
            TestAir::DivRem(_) => "div_rem",
        }
    }
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
pub const RANGE: usize = 0;
pub const DRIVER: usize = 1;
pub const TS_RANGE: usize = 2;
pub fn table_index(t: AluTable) -> usize {
    3 + AluTable::ALL.iter().position(|&x| x == t).unwrap()
}

#[derive(Clone)]
pub struct Batch {
    /// The tables, in order: Range, driver, TsRange, then
    /// [`AluTable::ALL`].
    pub airs: Vec<TestAir>,
    /// Their traces.
    pub traces: Vec<RowMajorMatrix<Val>>,
}

impl Batch {
    /// Honest traces for `events`, with the driver's results taken from
    /// `result` (normally [`reference`]).
    pub fn new(events: &[AluEvent], result: impl Fn(Opcode, u32, u32) -> u32) -> Self {
        let mut bytes = ByteCounts::default();
        driver_bytes(events, &mut bytes);
        let alu = alu_traces(events, &mut bytes, min_height()).expect("ALU ops only");
        let mut airs = vec![
            TestAir::Range(RangeAir),
            TestAir::Driver(DriverAir),
            TestAir::TsRange(TsRangeAir),
        ];
        let mut traces = vec![
            range_trace(&bytes),
            driver_trace(events, result),
            ts_range_trace(&bytes),
        ];
        for (t, trace, _) in alu {
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

    pub fn get(&self, table: usize, row: usize, col: usize) -> Val {
        let w = self.traces[table].width;
        self.traces[table].values[row * w + col]
    }

    pub fn set(&mut self, table: usize, row: usize, col: usize, v: Val) {
        let w = self.traces[table].width;
        self.traces[table].values[row * w + col] = v;
    }

    /// Moves one byte-bus send from byte `from` to byte `to` in the Range
    /// multiplicities (to keep the byte bus balanced after a mutation that
    /// only targets another constraint).
    pub fn move_byte(&mut self, from: u32, to: u32) {
        *self.byte_count(from) -= Val::ONE;
        *self.byte_count(to) += Val::ONE;
    }

    /// The Range table's count of sends of `byte`.
    pub fn byte_count(&mut self, byte: u32) -> &mut Val {
        &mut self.traces[RANGE].values[byte as usize * RANGE_WIDTH + MULT]
    }

    /// The TsRange table's count of sends of the 12-bit `limb`.
    pub fn limb_count(&mut self, limb: u32) -> &mut Val {
        &mut self.traces[TS_RANGE].values[limb as usize * RANGE_WIDTH + MULT]
    }

    /// Proves and verifies; `Err` carries the panic message or the
    /// verification error.
    pub fn prove_and_verify(&self) -> Result<(), String> {
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
            let data = self.prover_data(&config, &ProofParams::DEFAULT)?;
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
    pub fn assert_rejected(&self, needle: &str) {
        match self.prove_and_verify() {
            Ok(()) => panic!("forged witness was accepted"),
            Err(msg) => assert!(msg.contains(needle), "rejected for another reason: {msg}"),
        }
    }
}

/// Wall-clock time of one proof and its verification, and the proof size.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// `prove_batch` (after trace generation).
    pub prove: Duration,
    /// `verify_batch`.
    pub verify: Duration,
}

impl Batch {
    /// Proves and verifies under `params` without catching panics, timing
    /// both steps.
    pub fn prove_and_verify_timed(&self, params: &ProofParams) -> Result<Timing, String> {
        let config =
            config_with_challenger(params, blank_challenger()).map_err(|e| format!("{e:?}"))?;
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
        let data = self.prover_data(&config, params)?;
        let t0 = Instant::now();
        let proof = prove_batch(&config, &instances, &data).map_err(|e| format!("{e:?}"))?;
        let prove = t0.elapsed();
        let pvs = vec![vec![]; self.airs.len()];
        let t1 = Instant::now();
        verify_batch(&config, &self.airs, &proof, &pvs, &data.common)
            .map_err(|e| format!("{e:?}"))?;
        Ok(Timing {
            prove,
            verify: t1.elapsed(),
        })
    }
}

impl Batch {
    /// Preprocessing and lookups packed exactly as for an epoch proof, so
    /// the rejection tests run against the epoch's LogUp column layout.
    fn prover_data(
        &self,
        config: &SluiceConfig,
        params: &ProofParams,
    ) -> Result<ProverData<SluiceConfig>, String> {
        let degrees: Vec<usize> = self
            .traces
            .iter()
            .map(|t| p3_util::log2_strict_usize(p3_matrix::Matrix::height(t)))
            .collect();
        epoch_prover_data(config, &self.airs, &degrees, params)
    }

    /// Proves under `params` (no verification) and returns the proving time.
    /// For benchmark baselines whose buses deliberately do not balance.
    pub fn prove_timed(&self, params: &ProofParams) -> Result<Duration, String> {
        let config =
            config_with_challenger(params, blank_challenger()).map_err(|e| format!("{e:?}"))?;
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
        let data = self.prover_data(&config, params)?;
        let t0 = Instant::now();
        prove_batch(&config, &instances, &data).map_err(|e| format!("{e:?}"))?;
        Ok(t0.elapsed())
    }
}

/// A one-event batch whose table row is replaced by the row `fill` builds
/// (recording its byte and limb sends, which with the driver's become the
/// whole Range and TsRange traces) and whose
/// driver claims `op(a, b) = claimed`: both buses balance, so only the
/// table's own constraints can reject it.
pub fn forged(
    table: AluTable,
    op: Opcode,
    a: u32,
    b: u32,
    claimed: u32,
    fill: impl FnOnce(&mut [Val], &mut ByteCounts),
) -> Batch {
    let mut batch = Batch::new(&[(op, a, b)], |_, _, _| claimed);
    let t = table_index(table);
    let w = batch.traces[t].width;
    let mut bytes = ByteCounts::default();
    driver_bytes(&[(op, a, b)], &mut bytes);
    let mut row = Val::zero_vec(w);
    fill(&mut row, &mut bytes);
    batch.traces[t].values[..w].copy_from_slice(&row);
    batch.traces[RANGE] = range_trace(&bytes);
    batch.traces[TS_RANGE] = ts_range_trace(&bytes);
    batch
}
