//! Writes a bundle (see `docs/bundle-format.md`) record by record.
//!
//! Each record is flushed as soon as it is written, so a verifier reading
//! the other end of a pipe checks epoch `i` while epoch `i + 1` is being
//! proven. A file target is written as `<path>.partial` and renamed only once
//! the end record is out: a crash or Ctrl-C never leaves a file at `<path>`
//! that could pass for a complete bundle (and a partial one is rejected
//! anyway, for its missing end record).

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sluice_verifier::bundle::{
    encode_end, encode_epoch_prefix, encode_header, encode_preamble, BundleEnd, BundleHeader,
    FormatError, StreamHasher,
};
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::ChainContext;

/// Why a record could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write the bundle: {0}")]
    Io(#[from] io::Error),
    #[error("epoch {index} cannot be encoded: {source}")]
    Format { index: u64, source: FormatError },
    #[error("epoch {found} written where epoch {expected} comes next")]
    OutOfOrder { expected: u64, found: u64 },
    #[error("epoch {index} written after the halting epoch")]
    AfterHalt { index: u64 },
    #[error("the bundle cannot end before a halting epoch")]
    NotHalted,
}

/// Writes one bundle to `W`: the preamble and header at construction, then
/// epochs in order, then the end record at [`BundleWriter::finish`].
pub struct BundleWriter<W: Write> {
    out: W,
    hasher: StreamHasher,
    next_index: u64,
    cycles: u64,
    output_len: u64,
    halted: bool,
    bytes_written: u64,
    records: RecordLock,
}

/// Held while a record is being written; holds the number of epochs whose
/// records are complete. Whoever takes it sees the bundle between two
/// records: this is how an interrupted `prove` stops without cutting one.
pub type RecordLock = Arc<Mutex<u64>>;

impl<W: Write> BundleWriter<W> {
    /// Writes the preamble and the header for `ctx`, and flushes them.
    pub fn new(out: W, ctx: &ChainContext) -> io::Result<Self> {
        let mut writer = BundleWriter {
            out,
            hasher: StreamHasher::new(),
            next_index: 0,
            cycles: 0,
            output_len: 0,
            halted: false,
            bytes_written: 0,
            records: RecordLock::default(),
        };
        writer.put(&encode_preamble(), true)?;
        let header = encode_header(&BundleHeader {
            protocol_version: ctx.protocol_version,
            params: ctx.params,
            image_id: ctx.image_id,
            epoch_size_log2: ctx.epoch_size_log2,
        });
        writer.put(&header, true)?;
        writer.out.flush()?;
        Ok(writer)
    }

    /// Continues a bundle whose first `prefix_len` bytes (preamble, header
    /// and the epochs with statements `written`) are already in `out`, with
    /// `hasher` holding their running checksum ([`crate::resume`]).
    pub fn resume(
        out: W,
        prefix_len: u64,
        hasher: StreamHasher,
        written: &[EpochStatement],
    ) -> Self {
        BundleWriter {
            out,
            hasher,
            next_index: written.len() as u64,
            cycles: written.iter().map(|s| s.cycles).sum(),
            output_len: written.iter().map(|s| s.output.len() as u64).sum(),
            halted: written
                .last()
                .is_some_and(|s| matches!(s.role, EpochRole::Halt { .. })),
            bytes_written: prefix_len,
            records: Arc::new(Mutex::new(written.len() as u64)),
        }
    }

    /// The lock each record is written under (see [`RecordLock`]).
    pub fn record_lock(&self) -> RecordLock {
        Arc::clone(&self.records)
    }

    fn put(&mut self, bytes: &[u8], hashed: bool) -> io::Result<()> {
        self.out.write_all(bytes)?;
        if hashed {
            self.hasher.update(bytes);
        }
        self.bytes_written += bytes.len() as u64;
        Ok(())
    }

    /// Writes epoch `index` and flushes it. Epochs must come in order, and
    /// none after the halting one.
    pub fn write_epoch(
        &mut self,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), WriteError> {
        if self.halted {
            return Err(WriteError::AfterHalt { index });
        }
        if index != self.next_index {
            return Err(WriteError::OutOfOrder {
                expected: self.next_index,
                found: index,
            });
        }
        let prefix = encode_epoch_prefix(index, statement, proof.len())
            .map_err(|source| WriteError::Format { index, source })?;
        let records = Arc::clone(&self.records);
        let mut complete = records.lock().unwrap_or_else(|e| e.into_inner());
        self.put(&prefix, true)?;
        self.put(proof, true)?;
        self.out.flush()?;
        *complete += 1;
        drop(complete);
        self.next_index += 1;
        self.cycles += statement.cycles;
        self.output_len += statement.output.len() as u64;
        self.halted = matches!(statement.role, EpochRole::Halt { .. });
        Ok(())
    }

    /// Epochs written so far.
    pub fn epochs(&self) -> u64 {
        self.next_index
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }

    /// Writes the end record, flushes, and hands back the sink.
    pub fn finish(mut self) -> Result<(W, BundleEnd), WriteError> {
        if !self.halted {
            return Err(WriteError::NotHalted);
        }
        let end = BundleEnd {
            epochs: self.next_index,
            cycles: self.cycles,
            output_len: self.output_len,
            stream_sha256: self.hasher.current(),
        };
        let records = Arc::clone(&self.records);
        let _complete = records.lock().unwrap_or_else(|e| e.into_inner());
        self.put(&encode_end(&end), false)?;
        self.out.flush()?;
        Ok((self.out, end))
    }
}

/// Where a bundle goes: stdout, or a file written via `<path>.partial`.
pub enum BundleOutput {
    Stdout(BufWriter<io::Stdout>),
    File {
        file: BufWriter<File>,
        partial: PathBuf,
        path: PathBuf,
        keep: bool,
    },
}

impl BundleOutput {
    /// `-` is stdout; anything else a file path. A file is created as
    /// `<path>.partial` (replacing any stale one).
    pub fn create(target: &Path) -> io::Result<Self> {
        if target.as_os_str() == "-" {
            return Ok(BundleOutput::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            )));
        }
        let partial = partial_path(target);
        let file = File::create(&partial)?;
        Ok(BundleOutput::File {
            file: BufWriter::with_capacity(1 << 16, file),
            partial,
            path: target.to_path_buf(),
            keep: false,
        })
    }

    /// Opens `<target>.partial` to continue it: the file is cut to its
    /// first `keep_len` bytes and written on from there.
    pub fn reopen(target: &Path, keep_len: u64) -> io::Result<Self> {
        let partial = partial_path(target);
        let mut file = std::fs::OpenOptions::new().write(true).open(&partial)?;
        file.set_len(keep_len)?;
        file.seek(io::SeekFrom::Start(keep_len))?;
        Ok(BundleOutput::File {
            file: BufWriter::with_capacity(1 << 16, file),
            partial,
            path: target.to_path_buf(),
            // It held epochs before this run; it keeps them after.
            keep: true,
        })
    }

    /// Keeps `<target>.partial` when this output is dropped unfinished, so
    /// the run can be resumed (`prove --resume`). Without this, dropping
    /// the output deletes it.
    pub fn keep_partial(&mut self) {
        if let BundleOutput::File { keep, .. } = self {
            *keep = true;
        }
    }

    /// Call once the end record is written: syncs a file and renames it into
    /// place. Without this, dropping the output deletes the partial file.
    pub fn commit(mut self) -> io::Result<()> {
        match &mut self {
            BundleOutput::Stdout(out) => out.flush(),
            BundleOutput::File {
                file,
                partial,
                path,
                keep,
            } => {
                file.flush()?;
                file.get_ref().sync_all()?;
                std::fs::rename(&*partial, &*path)?;
                *keep = true;
                Ok(())
            }
        }
    }
}

/// `<path>.partial`.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

impl Write for BundleOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            BundleOutput::Stdout(out) => out.write(buf),
            BundleOutput::File { file, .. } => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            BundleOutput::Stdout(out) => out.flush(),
            BundleOutput::File { file, .. } => file.flush(),
        }
    }
}

impl Drop for BundleOutput {
    fn drop(&mut self) {
        if let BundleOutput::File { partial, keep, .. } = self {
            if !*keep {
                let _ = std::fs::remove_file(&*partial);
            }
        }
    }
}
