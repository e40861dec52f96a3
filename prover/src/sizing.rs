//! How much `prove` runs at once: the epoch size `auto` picks and the
//! default number of proving jobs, both from the memory available.

use sluice_verifier::stark::verify::MAX_EPOCH_SIZE_LOG2;

/// Peak memory of one proving job per cycle of its epoch, measured
/// (`docs/benchmarks.md`, § "Issue 12: ADD in the CPU row": 6.3–6.5 KiB at
/// 2^16–2^20 under protocol 5), rounded up.
const PEAK_BYTES_PER_CYCLE: u64 = 7 * 1024;
/// What a job needs besides its epoch: the executor, the memory image and
/// the process itself (≈ 35 MiB measured for small epochs), rounded up.
const BASE_BYTES: u64 = 64 << 20;

/// Zero-knowledge mode commits every trace at twice its height, with four
/// times the quotient domain: 24 KiB per cycle measured at 2^16 under
/// protocol 5, 26.2–26.4 KiB at 2^18 and 2^19 before (`docs/benchmarks.md`),
/// rounded up.
const ZK_PEAK_BYTES_PER_CYCLE: u64 = 27 * 1024;

/// The smallest epoch size `auto` picks.
const SMALLEST_AUTO_EPOCH_LOG2: u8 = 12;

/// `--epoch-size-log2 auto`: the largest size whose `jobs` proving jobs
/// fit the available memory together. When that is unknown, 2^18 (1.8 GiB
/// a job, 6.8 GiB with zero knowledge) rather than 2^20, which would not
/// fit most machines.
pub fn auto_epoch_size_log2(available: Option<u64>, jobs: usize, zk: bool) -> u8 {
    let Some(available) = available else {
        return 18;
    };
    (SMALLEST_AUTO_EPOCH_LOG2..=MAX_EPOCH_SIZE_LOG2)
        .rev()
        .find(|&k| peak_bytes(jobs.max(1), k, zk) <= available)
        .unwrap_or(SMALLEST_AUTO_EPOCH_LOG2)
}

/// Expected peak memory of `jobs` proving jobs at once, each proving a trace
/// of `2^height_log2` rows.
pub fn peak_bytes(jobs: usize, height_log2: u8, zk: bool) -> u64 {
    let per_cycle = if zk {
        ZK_PEAK_BYTES_PER_CYCLE
    } else {
        PEAK_BYTES_PER_CYCLE
    };
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
    zk: bool,
) -> usize {
    let by_epochs = usize::try_from(epochs).unwrap_or(usize::MAX);
    let mut jobs = cores.min(by_epochs);
    if let Some(available) = available {
        while jobs > 1 && peak_bytes(jobs, height_log2, zk) > available {
            jobs -= 1;
        }
    }
    jobs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_jobs_one_per_core_when_memory_allows() {
        assert_eq!(default_jobs(2, Some(24 << 30), 16, 100, false), 2);
    }

    #[test]
    fn default_jobs_never_more_than_epochs() {
        assert_eq!(default_jobs(8, None, 10, 3, false), 3);
        assert_eq!(default_jobs(8, None, 10, 0, false), 1);
    }

    #[test]
    fn default_jobs_bounded_by_available_memory() {
        // 2^20-cycle epochs need ~7 GiB each: 12 GiB holds one, 20 GiB two.
        assert_eq!(default_jobs(4, Some(12 << 30), 20, 10, false), 1);
        assert_eq!(default_jobs(4, Some(20 << 30), 20, 10, false), 2);
        assert_eq!(default_jobs(4, Some(2 << 30), 20, 10, false), 1);
        assert!(peak_bytes(1, 20, false) > 2 << 30, "the CLI warns at 2 GiB");
        // Zero knowledge needs ~4x each job's memory: 20 GiB hold one at 2^19.
        assert_eq!(default_jobs(4, Some(20 << 30), 19, 10, true), 1);
        assert_eq!(default_jobs(4, Some(60 << 30), 19, 10, true), 4);
    }

    #[test]
    fn auto_epoch_size_fits_the_jobs_in_memory() {
        // Plain: ~7 GiB a job at 2^20, ~3.5 at 2^19, ~1.8 at 2^18.
        assert_eq!(auto_epoch_size_log2(Some(24 << 30), 2, false), 20);
        assert_eq!(auto_epoch_size_log2(Some(12 << 30), 2, false), 19);
        assert_eq!(auto_epoch_size_log2(Some(12 << 30), 1, false), 20);
        assert_eq!(auto_epoch_size_log2(Some(4 << 30), 2, false), 18);
        assert_eq!(auto_epoch_size_log2(Some(3 << 30), 2, false), 17);
        assert_eq!(auto_epoch_size_log2(Some(64 << 30), 8, false), 20);
        assert_eq!(auto_epoch_size_log2(Some(48 << 30), 8, false), 19);
        // Zero knowledge: 27 GiB at 2^20, 13.5 at 2^19, 6.8 at 2^18.
        assert_eq!(auto_epoch_size_log2(Some(64 << 30), 1, true), 20);
        assert_eq!(auto_epoch_size_log2(Some(23 << 30), 1, true), 19);
        assert_eq!(auto_epoch_size_log2(Some(23 << 30), 2, true), 18);
        assert_eq!(auto_epoch_size_log2(Some(8 << 30), 1, true), 18);
        // Never below 2^12, even when nothing fits; `--jobs 0` counts as one.
        assert_eq!(auto_epoch_size_log2(Some(1 << 20), 2, true), 12);
        assert_eq!(auto_epoch_size_log2(Some(4 << 30), 0, false), 19);
        assert_eq!(auto_epoch_size_log2(None, 2, false), 18);
        assert_eq!(auto_epoch_size_log2(None, 1, true), 18);
    }
}
