//! The RV32IM executor: runs a guest natively, fast, with exact semantics, and
//! slices the run into epochs for the prover.
//!
//! Two ways to run:
//! - [`execute`] (or [`Executor::run`]): the fast path, straight to the halt,
//!   counting cycles and epochs without recording anything;
//! - [`Executor::run_epoch`]: one epoch at a time, each returned as an
//!   [`EpochRecord`] with its start state and the pages it touched, so a long
//!   run streams through flat memory.
//!
//! Machine semantics (see also `sluice_verifier::isa`):
//! - one instruction is one cycle, `ECALL` included; after `ECALL` pc advances
//!   by 4, also for `exit`;
//! - syscalls (number in `a7`): `exit(a0)` halts; `write(fd, buf, len)` to
//!   fd 1/2/4 goes to the host stdout/stderr/hints (not proven) and to fd 3 appends to
//!   the public output, returning `len` in `a0`; `read(0, buf, len)` copies the
//!   next `min(len, remaining)` bytes of the private input and returns the
//!   count; once a read comes up short every later read returns 0. `read` and
//!   public writes move at most 64 KiB per call. The whole buffer
//!   `[buf, buf + len)` must be guest memory (for `read` too, even past EOF);
//!   `len == 0` touches no memory;
//! - a recorded epoch ends early, before `2^k` cycles, when the next cycle
//!   could overflow a table of its proof ([`budget`]);
//! - a fault leaves the state as it was before the faulting instruction; for
//!   a misaligned *and* unmapped access, misalignment is reported.

pub mod alu;
pub mod budget;
mod cpu;
mod elf;
mod epoch;
mod error;
mod host_output;
mod memory;
mod syscall;

use std::io::Write;

use sluice_verifier::layout::NUM_REGISTERS;

pub use elf::{ElfError, InitialMemory, Program, Segment};
pub use epoch::{register_page, EpochRecord, PageIn, REGISTER_PAGE};
pub use error::{Cause, ExecError};
pub use memory::{page_address, page_index, Memory, Page, NUM_PAGES, PAGE_SIZE, PAGE_SIZE_LOG2};

use budget::{CycleCost, EpochUse, RowCap};
use epoch::PageTracker;
use host_output::{HostOutput, Sink};

/// Largest accepted `epoch_size_log2`.
pub const MAX_EPOCH_SIZE_LOG2: u32 = 32;

/// Execution parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Every epoch runs at most `2^epoch_size_log2` cycles (fewer when cut
    /// early so that its tables fit; the last until the halt).
    pub epoch_size_log2: u32,
    /// Execution fails with [`Cause::CycleLimit`] rather than run more cycles.
    pub max_cycles: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            epoch_size_log2: 20,
            max_cycles: 1 << 32,
        }
    }
}

/// The result of a run that halted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Cycles executed, the `exit` `ECALL` included.
    pub cycles: u64,
    /// Number of epochs of `2^epoch_size_log2` cycles: `ceil(cycles /
    /// 2^epoch_size_log2)`. Recording may cut more (adaptive epochs), so
    /// this is the least `prove` writes.
    pub epochs: u64,
    /// The guest's exit code (`a0` at `exit`); non-zero is not an error.
    pub exit_code: u32,
    /// Bytes written to fd 3, the output the proof commits.
    pub public_output: Vec<u8>,
    /// Bytes written to fd 1 (empty if forwarded to the host).
    pub stdout: Vec<u8>,
    /// Bytes written to fd 2 (empty if forwarded to the host).
    pub stderr: Vec<u8>,
    /// Bytes written to fd 4, hints for the host program
    /// (`sluice_guest::io::hint`; empty if forwarded); decode them with
    /// [`Outcome::hint_reader`].
    pub hints: Vec<u8>,
    /// The first instruction the proof cannot show, if any: `prove`
    /// refuses such a run before proving anything.
    pub unprovable: Option<Unprovable>,
}

impl Outcome {
    /// A reader over the hints: `read::<T>()` decodes the values the guest
    /// passed to `sluice_guest::io::hint`, in order.
    pub fn hint_reader(&self) -> sluice_verifier::stream::OutputReader<'_> {
        sluice_verifier::stream::OutputReader::new(&self.hints)
    }
}

/// An instruction the executor ran that the proof does not support: a
/// syscall of a shape it cannot show, or a load, store or syscall buffer
/// that covers the instruction's own word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unprovable {
    /// Address of the instruction.
    pub pc: u32,
    /// What it was, and what the proof supports.
    pub what: String,
}

/// Runs `program` to completion on the fast path.
pub fn execute(program: &Program, input: &[u8], config: &Config) -> Result<Outcome, ExecError> {
    let mut ex = Executor::new(program, input.to_vec(), config)?;
    ex.run()?;
    Ok(ex
        .outcome()
        .expect("run() returned Ok, so the guest halted"))
}

fn check_config(config: &Config, pc: u32, cycles: u64) -> Result<(), ExecError> {
    if config.epoch_size_log2 > MAX_EPOCH_SIZE_LOG2 {
        return Err(ExecError {
            pc,
            cycles,
            cause: Cause::InvalidConfig {
                reason: format!(
                    "epoch_size_log2 = {} exceeds the maximum {MAX_EPOCH_SIZE_LOG2}",
                    config.epoch_size_log2
                ),
            },
        });
    }
    Ok(())
}

/// A guest machine: pc, registers, memory, I/O and the epoch clock.
pub struct Executor {
    pc: u32,
    regs: [u32; NUM_REGISTERS],
    mem: Memory,
    input: Vec<u8>,
    input_pos: usize,
    /// A read has come up short: every later read returns 0 (the input
    /// state word, [`sluice_verifier::layout::INPUT_STATE_ADDR`]).
    input_eof: bool,
    /// Negative tests only: byte counts the next reads return whatever the
    /// input state says (see [`Executor::forge_read_lengths`]).
    forged_reads: std::collections::VecDeque<usize>,
    /// What each read of the current epoch returned (recorded runs only).
    epoch_reads: Vec<u32>,
    unprovable: Option<Unprovable>,
    /// Negative tests only: host writes skip the buffer check.
    forged_host_buffers: bool,
    /// Negative tests only: precompile buffers skip the pointer check.
    pub(super) forged_precompile_buffers: bool,
    /// Adaptive epochs: the row cap, what the current epoch has used, and
    /// the number of epochs recorded so far.
    row_cap: RowCap,
    epoch_use: EpochUse,
    /// Instructions that certainly fit before the next full check; a
    /// syscall, which may touch many pages, resets it.
    slack: u64,
    epoch_index: u64,
    cycles: u64,
    epoch_size_log2: u32,
    max_cycles: u64,
    exit_code: Option<u32>,
    public_output: Vec<u8>,
    /// Length of `public_output` when the current epoch started.
    epoch_output_start: usize,
    host: HostOutput,
    tracker: Option<PageTracker>,
    /// Set when the epoch iterator has yielded an error.
    iter_failed: bool,
}

impl Executor {
    /// A machine in the program's initial state: pc at the entry, registers
    /// zero, segments loaded.
    pub fn new(program: &Program, input: Vec<u8>, config: &Config) -> Result<Self, ExecError> {
        check_config(config, program.entry(), 0)?;
        let mut ex = Executor::blank(program.initial_memory(), input, config);
        ex.pc = program.entry();
        Ok(ex)
    }

    /// A machine positioned at the start of a recorded epoch, holding only the
    /// pages the epoch touched (every other page reads as zero). Running
    /// [`Executor::run_epoch`] on it reproduces `record` exactly (with the
    /// row cap the record was made with), so epochs can be re-executed
    /// independently (e.g. in parallel, for trace generation). `input` is the
    /// whole private input of the run.
    pub fn from_epoch_start(
        record: &EpochRecord,
        input: Vec<u8>,
        config: &Config,
    ) -> Result<Self, ExecError> {
        check_config(config, record.start_pc, record.start_cycle)?;
        let mut mem = Memory::new();
        for page in &record.pages {
            if page.index != REGISTER_PAGE && (page.index as usize) < NUM_PAGES {
                mem.write_bytes(page_address(page.index), &page.data[..]);
            }
        }
        let mut ex = Executor::blank(mem, input, config);
        ex.pc = record.start_pc;
        ex.regs = record.start_registers;
        ex.input_pos = usize::try_from(record.input_start).unwrap_or(usize::MAX);
        ex.input_eof = record.start_input_eof;
        ex.epoch_index = record.index;
        ex.row_cap = RowCap::new(record.row_cap_log2)
            .unwrap_or_default()
            .for_epochs(config.epoch_size_log2);
        ex.cycles = record.start_cycle;
        ex.regs[0] = 0;
        Ok(ex)
    }

    /// Registers zero, pc 0, nothing run: what both constructors start from.
    fn blank(mem: Memory, input: Vec<u8>, config: &Config) -> Self {
        Executor {
            pc: 0,
            regs: [0; NUM_REGISTERS],
            mem,
            input,
            input_pos: 0,
            input_eof: false,
            forged_reads: Default::default(),
            epoch_reads: Vec::new(),
            unprovable: None,
            forged_host_buffers: false,
            forged_precompile_buffers: false,
            row_cap: RowCap::default().for_epochs(config.epoch_size_log2),
            epoch_use: EpochUse::default(),
            slack: 0,
            epoch_index: 0,
            cycles: 0,
            epoch_size_log2: config.epoch_size_log2,
            max_cycles: config.max_cycles,
            exit_code: None,
            public_output: Vec::new(),
            epoch_output_start: 0,
            host: HostOutput::captured(),
            tracker: None,
            iter_failed: false,
        }
    }

    /// Sends guest stdout/stderr to these writers as they are written instead
    /// of capturing them in [`Outcome`]. Write errors are ignored.
    pub fn forward_host_output(
        &mut self,
        stdout: Box<dyn Write + Send>,
        stderr: Box<dyn Write + Send>,
    ) {
        self.host.stdout = Sink::Forward(stdout);
        self.host.stderr = Sink::Forward(stderr);
    }

    /// Sends guest hints (fd 4) to `hints` as they are written instead of
    /// capturing them in [`Outcome`]. Write errors are ignored.
    pub fn forward_hints(&mut self, hints: Box<dyn Write + Send>) {
        self.host.hints = Sink::Forward(hints);
    }

    /// Drops stdout, stderr and hints: for a run whose host output an
    /// earlier run of the same guest has already captured (the prover
    /// executes once to plan, then again to prove), so that its memory does
    /// not grow with what the guest prints.
    pub fn discard_host_output(&mut self) {
        self.host = HostOutput {
            stdout: Sink::Discard,
            stderr: Sink::Discard,
            hints: Sink::Discard,
        };
    }

    /// Current pc.
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// Current registers (`x0` is always 0).
    pub fn registers(&self) -> &[u32; NUM_REGISTERS] {
        &self.regs
    }

    /// Makes the next reads return `lengths[i]` bytes (at most what is
    /// asked and what is left) even where the input's semantics say
    /// otherwise: what a cheating prover would claim. The input state word
    /// is still updated as usual. For negative tests, which show that the
    /// proof of such a run is rejected; never used by `prove`.
    #[doc(hidden)]
    pub fn forge_read_lengths(&mut self, lengths: &[usize]) {
        self.forged_reads = lengths.iter().copied().collect();
    }

    /// Lets host writes (fd 1, 2) run with any buffer instead of faulting,
    /// as a cheating prover would claim. For negative tests only.
    #[doc(hidden)]
    pub fn forge_unchecked_host_buffers(&mut self) {
        self.forged_host_buffers = true;
    }

    /// Lets precompile calls run on any word-aligned buffer below `2^30`
    /// instead of faulting on one outside guest memory (the reserved region
    /// below `0x1_0000`, say), as a cheating prover would claim. For
    /// negative tests only.
    #[doc(hidden)]
    pub fn forge_unchecked_precompile_buffers(&mut self) {
        self.forged_precompile_buffers = true;
    }

    /// Lowers the row cap of every table of an epoch's proof from `2^20` to
    /// `2^log2` (`budget::MIN_ROW_CAP_LOG2..=20`): recorded epochs are cut
    /// earlier, so each proof is smaller (less prover memory per job).
    /// `None` if `log2` is outside that range.
    pub fn with_row_cap_log2(mut self, log2: u32) -> Option<Self> {
        self.row_cap = RowCap::new(log2)?.for_epochs(self.epoch_size_log2);
        Some(self)
    }

    /// Whether a read has come up short (the end of input is reached).
    pub fn input_eof(&self) -> bool {
        self.input_eof
    }

    /// The register page as committed memory holds it: the registers and
    /// the input state word.
    pub fn register_page(&self) -> Box<Page> {
        register_page(&self.regs, self.input_eof)
    }

    /// Current memory (registers are not stored in it; see [`register_page`]).
    pub fn memory(&self) -> &Memory {
        &self.mem
    }

    /// Cycles executed so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Full-size epochs begun so far, `ceil(cycles / 2^epoch_size_log2)`:
    /// the least number of epochs the run so far splits into.
    pub fn epochs(&self) -> u64 {
        let k = self.epoch_size_log2;
        (self.cycles >> k) + u64::from(self.cycles & ((1u64 << k) - 1) != 0)
    }

    /// The exit code, once the guest has halted.
    pub fn exit_code(&self) -> Option<u32> {
        self.exit_code
    }

    /// Whether the guest has halted.
    pub fn is_halted(&self) -> bool {
        self.exit_code.is_some()
    }

    /// All public output so far.
    pub fn public_output(&self) -> &[u8] {
        &self.public_output
    }

    /// Private input bytes consumed so far.
    pub fn input_consumed(&self) -> usize {
        self.input_pos
    }

    /// Captured guest stdout (empty when forwarded).
    pub fn stdout(&self) -> &[u8] {
        self.host.stdout.captured()
    }

    /// Captured guest stderr (empty when forwarded).
    pub fn stderr(&self) -> &[u8] {
        self.host.stderr.captured()
    }

    /// Captured guest hints (empty when forwarded or discarded).
    pub fn hints(&self) -> &[u8] {
        self.host.hints.captured()
    }

    /// The outcome, once the guest has halted.
    pub fn outcome(&self) -> Option<Outcome> {
        Some(Outcome {
            cycles: self.cycles,
            epochs: self.epochs(),
            exit_code: self.exit_code?,
            public_output: self.public_output.clone(),
            stdout: self.stdout().to_vec(),
            stderr: self.stderr().to_vec(),
            hints: self.hints().to_vec(),
            unprovable: self.unprovable.clone(),
        })
    }

    fn error(&self, cause: Cause) -> ExecError {
        ExecError {
            pc: self.pc,
            cycles: self.cycles,
            cause,
        }
    }

    fn cycle_limit(&self) -> ExecError {
        self.error(Cause::CycleLimit {
            limit: self.max_cycles,
        })
    }

    /// Fast path: runs until the guest halts, recording nothing.
    pub fn run(&mut self) -> Result<(), ExecError> {
        while !self.is_halted() {
            let left = self.max_cycles.saturating_sub(self.cycles);
            if left == 0 {
                return Err(self.cycle_limit());
            }
            self.run_cycles::<false>(left)?;
        }
        self.host.flush();
        Ok(())
    }

    /// Runs the next epoch and returns its record, or `Ok(None)` once the
    /// guest has halted. The record is only as big as the pages the epoch
    /// touched; nothing of it is kept here.
    pub fn run_epoch(&mut self) -> Result<Option<EpochRecord>, ExecError> {
        if self.is_halted() {
            return Ok(None);
        }
        let size = 1u64 << self.epoch_size_log2;
        let left = self.max_cycles.saturating_sub(self.cycles);
        if left == 0 {
            return Err(self.cycle_limit());
        }
        let budget = size.min(left);
        self.epoch_use = EpochUse::default();

        let tracker = self
            .tracker
            .get_or_insert_with(|| PageTracker::new(NUM_PAGES));
        tracker.start_epoch(&self.regs, self.input_eof);
        let start_pc = self.pc;
        let start_registers = self.regs;
        let start_cycle = self.cycles;
        let input_start = self.input_pos as u64;
        let start_input_eof = self.input_eof;
        self.epoch_reads.clear();
        self.epoch_output_start = self.public_output.len();

        let cut = self.run_cycles::<true>(budget)?;
        if !self.is_halted() && !cut && self.cycles - start_cycle < size {
            return Err(self.cycle_limit());
        }
        let index = self.epoch_index;
        self.epoch_index += 1;
        let pages = match &mut self.tracker {
            Some(t) => t.take_pages(),
            None => Vec::new(),
        };
        self.host.flush();
        Ok(Some(EpochRecord {
            index,
            start_cycle,
            cycles: self.cycles - start_cycle,
            start_pc,
            start_registers,
            end_pc: self.pc,
            end_registers: self.regs,
            exit_code: self.exit_code,
            public_output: self.public_output[self.epoch_output_start..].to_vec(),
            pages,
            start_input_eof,
            end_input_eof: self.input_eof,
            row_cap_log2: self.row_cap.log2(),
            read_results: std::mem::take(&mut self.epoch_reads),
            input_start,
            input_end: self.input_pos as u64,
            input: self.input[(input_start as usize).min(self.input.len())
                ..self.input_pos.min(self.input.len())]
                .to_vec(),
        }))
    }

    /// Runs at most `budget` cycles, stopping early at a halt. Recording an
    /// epoch, it also stops before a cycle that could overflow a table of
    /// the epoch's proof (`Ok(true)`: the epoch is cut there).
    fn run_cycles<const RECORD: bool>(&mut self, budget: u64) -> Result<bool, ExecError> {
        let mut done = 0u64;
        self.slack = 0;
        while done < budget {
            if RECORD {
                // Cheap while the epoch is far from any cap: a full check
                // only when the cycles known to fit run out. A syscall
                // checks its own cost (`Cause::EpochFull`).
                self.epoch_use.cycles = done;
                if self.slack > 0 {
                    self.slack -= 1;
                } else if done > 0 {
                    let pages = self.touched_pages();
                    if !self
                        .row_cap
                        .fits(&self.epoch_use, pages, &CycleCost::INSTRUCTION)
                    {
                        self.cycles += done;
                        return Ok(true);
                    }
                    self.slack = self.row_cap.instructions_that_fit(&self.epoch_use, pages);
                }
            }
            match self.step::<RECORD>() {
                Ok(false) => done += 1,
                Ok(true) => {
                    done += 1;
                    break;
                }
                Err(Cause::EpochFull | Cause::FetchedWordAccess) if RECORD && done > 0 => {
                    self.cycles += done;
                    return Ok(true);
                }
                Err(cause) => {
                    self.cycles += done;
                    return Err(self.error(cause));
                }
            }
        }
        self.cycles += done;
        Ok(false)
    }

    /// Pages the epoch being recorded has touched so far.
    fn touched_pages(&self) -> u64 {
        self.tracker.as_ref().map_or(0, |t| t.pages.len() as u64)
    }

    /// Remembers the first instruction the proof cannot show (at the
    /// current pc).
    pub(super) fn mark_unprovable(&mut self, what: String) {
        if self.unprovable.is_none() {
            self.unprovable = Some(Unprovable { pc: self.pc, what });
        }
    }

    /// Recording: whether a `read`/`write` of `len` bytes still fits the
    /// epoch. Called by the syscall before it changes anything; the first
    /// cycle of an epoch always fits (`budget::MIN_ROW_CAP_LOG2`).
    pub(super) fn io_fits(&self, len: u32, public: bool) -> bool {
        self.syscall_fits(&CycleCost::io(len, public))
    }

    /// Recording: whether a syscall costing at most `cost` fits the epoch
    /// (it always does in an empty one).
    pub(super) fn syscall_fits(&self, cost: &CycleCost) -> bool {
        self.epoch_use.cycles == 0
            || self
                .row_cap
                .fits(&self.epoch_use, self.touched_pages(), cost)
    }

    /// Recording: a syscall ran; the instructions after it must be checked
    /// again (it may have touched many pages).
    pub(super) fn after_io(&mut self) {
        self.slack = 0;
    }
}

impl Iterator for Executor {
    type Item = Result<EpochRecord, ExecError>;

    /// Epoch records one at a time; ends after the halting epoch or an error.
    fn next(&mut self) -> Option<Self::Item> {
        if self.iter_failed {
            return None;
        }
        let item = self.run_epoch().transpose();
        self.iter_failed = matches!(item, Some(Err(_)));
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_round_up() {
        let p = Program::from_words(0x1_0000, &[0x13]).unwrap();
        let mut ex = Executor::new(&p, vec![], &Config::default()).unwrap();
        for (cycles, k, want) in [
            (0, 3, 0),
            (1, 3, 1),
            (8, 3, 1),
            (9, 3, 2),
            (5, 0, 5),
            (1 << 40, 32, 256),
        ] {
            ex.cycles = cycles;
            ex.epoch_size_log2 = k;
            assert_eq!(ex.epochs(), want, "{cycles} cycles, k = {k}");
        }
    }

    #[test]
    fn default_config() {
        let c = Config::default();
        assert_eq!(c.epoch_size_log2, 20);
        assert_eq!(c.max_cycles, 1 << 32);
    }
}
