//! How much `prove` runs at once: the epoch size `auto` picks and the
//! default number of proving jobs, both from the memory available.

use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::verify::MAX_EPOCH_SIZE_LOG2;

/// What a job needs besides its epoch: the executor, the memory image and
/// the process itself (≈ 35 MiB measured for small epochs), rounded up.
const BASE_BYTES: u64 = 64 << 20;

/// Peak memory of one proving job per cycle of its epoch under `params`.
///
/// It follows the low-degree extensions, so the blowup. Plain mode,
/// measured at 2^18 (`docs/benchmarks.md`, § "FRI folding arity"): 3.6 KiB
/// at blowup 2, 6.2 at 4, 11.0 at 8; taken as 2 KiB + 1.25 KiB per unit of
/// blowup (4.5, 7, 12 KiB). Zero knowledge commits every trace at twice its
/// height with four times the quotient domain: 24–26.4 KiB measured at
/// blowup 4; taken as 3 KiB + 6 KiB per unit (27 KiB at 4, 51 at 8, not
/// measured). Below blowup 4 its quotient domain is larger than the
/// extension and Plonky3 recomputes every matrix on it, so it saves much
/// less (2^16: 1,010 MiB at blowup 2 against 1,296 at 4): the blowup-4
/// figure stands.
///
/// With [`crate::pcs::set_low_memory`] a plain proof keeps at most twice
/// the trace's height of each extension once it is committed: measured
/// 2.9–3.2 KiB per cycle at 2^18 and 2^20 against 4.4–4.5 with the whole
/// extensions (`docs/benchmarks.md`, § "The lean PCS" and § "Recycled
/// pages"); taken as the model at blowup 2 (4.5 KiB) whatever the blowup,
/// which leaves room for the executor's page-in of large working sets.
pub fn bytes_per_cycle(params: &ProofParams) -> u64 {
    model_bytes_per_cycle(params, crate::pcs::low_memory())
}

/// [`bytes_per_cycle`] with the lean PCS on or off.
fn model_bytes_per_cycle(params: &ProofParams, low_memory: bool) -> u64 {
    let blowup = 1u64 << params.log_blowup.min(6);
    if params.zk {
        3 * 1024 + 6 * 1024 * blowup.max(4)
    } else if low_memory {
        2 * 1024 + 1280 * blowup.min(2)
    } else {
        2 * 1024 + 1280 * blowup
    }
}

/// The smallest epoch size `auto` picks.
const SMALLEST_AUTO_EPOCH_LOG2: u8 = 12;

/// `--epoch-size-log2 auto`: the largest size whose `jobs` proving jobs
/// fit the available memory together. When that is unknown, 2^18 (1.8 GiB
/// a job at the default parameters, 6.8 GiB with zero knowledge) rather
/// than 2^20, which would not fit most machines.
pub fn auto_epoch_size_log2(available: Option<u64>, jobs: usize, params: &ProofParams) -> u8 {
    let Some(available) = available else {
        return 18;
    };
    (SMALLEST_AUTO_EPOCH_LOG2..=MAX_EPOCH_SIZE_LOG2)
        .rev()
        .find(|&k| peak_bytes(jobs.max(1), k, params) <= available)
        .unwrap_or(SMALLEST_AUTO_EPOCH_LOG2)
}

/// Expected peak memory of `jobs` proving jobs at once, each proving a trace
/// of `2^height_log2` rows under `params`.
pub fn peak_bytes(jobs: usize, height_log2: u8, params: &ProofParams) -> u64 {
    let per_cycle = bytes_per_cycle(params);
    BASE_BYTES.saturating_add((jobs as u64).saturating_mul(per_cycle << height_log2))
}

/// The kernel's estimate of memory available without swapping (Linux), in
/// bytes; `None` elsewhere or when unreadable.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = info
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    kib.checked_mul(1024)
}

/// Proving jobs when `--jobs` is not given: one per core, but no more than
/// there are epochs, and no more than the available memory holds (each job
/// holds one epoch's traces and their low-degree extensions at once). At
/// least one.
pub fn default_jobs(
    cores: usize,
    available: Option<u64>,
    height_log2: u8,
    epochs: u64,
    params: &ProofParams,
) -> usize {
    let by_epochs = usize::try_from(epochs).unwrap_or(usize::MAX);
    let mut jobs = cores.min(by_epochs);
    if let Some(available) = available {
        while jobs > 1 && peak_bytes(jobs, height_log2, params) > available {
            jobs -= 1;
        }
    }
    jobs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: ProofParams = ProofParams::DEFAULT;
    const ZK: ProofParams = ProofParams::DEFAULT_ZK;

    #[test]
    fn default_jobs_one_per_core_when_memory_allows() {
        assert_eq!(default_jobs(2, Some(24 << 30), 16, 100, &PLAIN), 2);
    }

    #[test]
    fn default_jobs_never_more_than_epochs() {
        assert_eq!(default_jobs(8, None, 10, 3, &PLAIN), 3);
        assert_eq!(default_jobs(8, None, 10, 0, &PLAIN), 1);
    }

    #[test]
    fn default_jobs_bounded_by_available_memory() {
        // 2^20-cycle epochs need ~7 GiB each: 12 GiB holds one, 20 GiB two.
        assert_eq!(default_jobs(4, Some(12 << 30), 20, 10, &PLAIN), 1);
        assert_eq!(default_jobs(4, Some(20 << 30), 20, 10, &PLAIN), 2);
        assert_eq!(default_jobs(4, Some(2 << 30), 20, 10, &PLAIN), 1);
        assert!(peak_bytes(1, 20, &PLAIN) > 2 << 30);
        // Zero knowledge needs ~4x each job's memory: 20 GiB hold one at 2^19.
        assert_eq!(default_jobs(4, Some(20 << 30), 19, 10, &ZK), 1);
        assert_eq!(default_jobs(4, Some(60 << 30), 19, 10, &ZK), 4);
    }

    #[test]
    fn auto_epoch_size_fits_the_jobs_in_memory() {
        // Plain: ~7 GiB a job at 2^20, ~3.5 at 2^19, ~1.8 at 2^18.
        assert_eq!(auto_epoch_size_log2(Some(24 << 30), 2, &PLAIN), 20);
        assert_eq!(auto_epoch_size_log2(Some(12 << 30), 2, &PLAIN), 19);
        assert_eq!(auto_epoch_size_log2(Some(12 << 30), 1, &PLAIN), 20);
        assert_eq!(auto_epoch_size_log2(Some(4 << 30), 2, &PLAIN), 18);
        assert_eq!(auto_epoch_size_log2(Some(3 << 30), 2, &PLAIN), 17);
        assert_eq!(auto_epoch_size_log2(Some(64 << 30), 8, &PLAIN), 20);
        assert_eq!(auto_epoch_size_log2(Some(48 << 30), 8, &PLAIN), 19);
        // Zero knowledge: 27 GiB at 2^20, 13.5 at 2^19, 6.8 at 2^18.
        assert_eq!(auto_epoch_size_log2(Some(64 << 30), 1, &ZK), 20);
        assert_eq!(auto_epoch_size_log2(Some(23 << 30), 1, &ZK), 19);
        assert_eq!(auto_epoch_size_log2(Some(23 << 30), 2, &ZK), 18);
        assert_eq!(auto_epoch_size_log2(Some(8 << 30), 1, &ZK), 18);
        // Never below 2^12, even when nothing fits; `--jobs 0` counts as one.
        assert_eq!(auto_epoch_size_log2(Some(1 << 20), 2, &ZK), 12);
        assert_eq!(auto_epoch_size_log2(Some(4 << 30), 0, &PLAIN), 19);
        assert_eq!(auto_epoch_size_log2(None, 2, &PLAIN), 18);
        assert_eq!(auto_epoch_size_log2(None, 1, &ZK), 18);
    }

    #[test]
    fn memory_follows_the_blowup() {
        assert_eq!(bytes_per_cycle(&PLAIN), 7 * 1024);
        assert_eq!(bytes_per_cycle(&ZK), 27 * 1024);
        let speed = ProofParams::SPEED;
        let size = ProofParams::SIZE;
        assert!(bytes_per_cycle(&speed) < bytes_per_cycle(&PLAIN));
        assert!(bytes_per_cycle(&size) > bytes_per_cycle(&PLAIN));
        // 12 GiB hold two 2^20 jobs at blowup 2, two 2^19 jobs at the
        // default's 4, two 2^18 jobs at 8.
        assert_eq!(auto_epoch_size_log2(Some(12 << 30), 2, &speed), 20);
        assert_eq!(auto_epoch_size_log2(Some(12 << 30), 2, &PLAIN), 19);
        assert_eq!(auto_epoch_size_log2(Some(12 << 30), 2, &size), 18);
        // Zero knowledge gains nothing from a smaller blowup here.
        let zk_speed = ProofParams { zk: true, ..speed };
        assert_eq!(bytes_per_cycle(&zk_speed), bytes_per_cycle(&ZK));
    }

    #[test]
    fn the_lean_pcs_needs_the_memory_of_blowup_two() {
        for params in [
            PLAIN,
            ProofParams::SPEED,
            ProofParams::SIZE,
            ProofParams::SHORT,
        ] {
            assert_eq!(model_bytes_per_cycle(&params, true), 4608, "{params:?}");
        }
        assert_eq!(
            model_bytes_per_cycle(&ZK, true),
            model_bytes_per_cycle(&ZK, false)
        );
    }
}
