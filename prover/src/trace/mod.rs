//! Trace generation: from an [`EpochRecord`] to the matrices of every table
//! of the epoch's batch proof, in [`sluice_verifier::air::epoch_airs`] order.

pub mod alu;
pub mod cpu;
pub mod memory;
pub mod range;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::cpu::CpuCols;
use sluice_verifier::air::{epoch_airs, SluiceAir, BOUNDARY_TABLE, CPU_TABLE, RANGE_TABLE};
use sluice_verifier::stark::config::Val;
use sluice_verifier::stark::verify::{cpu_log_height, MIN_LOG_HEIGHT};

use crate::executor::EpochRecord;

pub use alu::AluEvent;
pub use range::ByteCounts;

/// Why an epoch cannot be turned into a trace.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("pc {pc:#x}: {what} is not supported by the STARK yet")]
    Unsupported { pc: u32, what: String },
    #[error("epoch touches word {addr:#x} whose page is not in the record")]
    PageMissing { addr: u32 },
    #[error("trace replay diverged from the executor: {0}")]
    Diverged(String),
    #[error("{0} is not supported by the STARK yet")]
    Feature(String),
}

/// Every table's trace plus what the statement needs.
pub struct EpochTrace {
    pub traces: Vec<RowMajorMatrix<Val>>,
    pub start_pc: u32,
    pub end_pc: u32,
    pub cycles: u64,
    pub exit_code: Option<u32>,
    /// Every ALU-bus message `(op, a, b)` the CPU sent.
    pub alu_events: Vec<AluEvent>,
}

fn log_height_for(rows: usize) -> usize {
    let bits = usize::BITS as usize - rows.max(1).saturating_sub(1).leading_zeros() as usize;
    bits.max(MIN_LOG_HEIGHT)
}

/// Builds the traces of the ALU tables for `events`, in batch order.
fn alu_traces(
    airs: &[SluiceAir],
    events: &[AluEvent],
    bytes: &mut ByteCounts,
) -> Result<Vec<RowMajorMatrix<Val>>, TraceError> {
    let tables = alu::alu_traces(events, bytes)
        .map_err(|e| TraceError::Diverged(format!("{:?} sent on the ALU bus", e.0)))?;
    // `AluTable::ALL` order is the batch order after the range table.
    let names: Vec<&str> = airs[RANGE_TABLE + 1..].iter().map(|a| a.name()).collect();
    debug_assert_eq!(
        names,
        ["add_sub", "logic", "compare", "shift", "mul", "div_rem"]
    );
    Ok(tables.into_iter().map(|(_, t)| t).collect())
}

/// Replays `record` and builds every table's trace.
pub fn generate(record: &EpochRecord) -> Result<EpochTrace, TraceError> {
    if !record.public_output.is_empty() {
        return Err(TraceError::Feature("public output (write to fd 3)".into()));
    }
    if record.cycles == 0 || record.cycles > u32::MAX as u64 / 8 {
        return Err(TraceError::Feature(format!(
            "an epoch of {} cycles",
            record.cycles
        )));
    }
    let airs = epoch_airs();
    let mut bytes = ByteCounts::default();
    let mut alu = Vec::new();
    let mut mem = memory::MemoryLog::new(record);

    // CPU.
    let c = CpuCols::new();
    let height = 1usize << cpu_log_height(record.cycles);
    let mut values = Val::zero_vec(height * c.width);
    let mut pc = record.start_pc;
    let mut exit_code = None;
    for (clk, row) in values.chunks_exact_mut(c.width).enumerate() {
        let clk = clk as u32;
        if (clk as u64) < record.cycles {
            if exit_code.is_some() {
                return Err(TraceError::Diverged("cycles after exit".into()));
            }
            let step = cpu::fill_row(&c, row, clk, pc, &mut mem, &mut alu, &mut bytes)?;
            pc = step.next_pc;
            exit_code = step.halted;
        } else {
            cpu::fill_padding(&c, row, clk);
        }
    }
    let cpu = RowMajorMatrix::new(values, c.width);

    // The replay must end where the executor ended.
    if pc != record.end_pc || exit_code != record.exit_code {
        return Err(TraceError::Diverged(format!(
            "end pc {pc:#x} / exit {exit_code:?}, executor {:#x} / {:?}",
            record.end_pc, record.exit_code
        )));
    }
    for (i, &want) in record.end_registers.iter().enumerate() {
        let got = mem.peek(4 * i as u32)?;
        if got != want {
            return Err(TraceError::Diverged(format!(
                "x{i} = {got:#x}, executor {want:#x}"
            )));
        }
    }

    let boundary =
        memory::boundary_trace(mem.words(), log_height_for(mem.words().len()), &mut bytes);
    let alu_tables = alu_traces(&airs, &alu, &mut bytes)?;
    let range = range::range_trace(&bytes);

    let mut traces = Vec::with_capacity(airs.len());
    traces.push(cpu);
    traces.push(boundary);
    traces.push(range);
    traces.extend(alu_tables);
    debug_assert_eq!(traces.len(), airs.len());
    const { assert!(CPU_TABLE == 0 && BOUNDARY_TABLE == 1 && RANGE_TABLE == 2) };
    Ok(EpochTrace {
        traces,
        start_pc: record.start_pc,
        end_pc: record.end_pc,
        cycles: record.cycles,
        exit_code: record.exit_code,
        alu_events: alu,
    })
}
