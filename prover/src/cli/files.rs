//! Reading the ELF and the input with a size limit, so a path to an
//! endless or enormous file (`/dev/zero`, a FIFO, a mistyped disk image) is
//! a clear error instead of an allocation that grows until the machine
//! kills the process.

use std::io::Read;
use std::path::{Path, PathBuf};

use sluice_verifier::layout::{GUEST_MEMORY_END, GUEST_MEMORY_START};

/// The largest ELF file read, 1280 MiB: guest memory (just under 1 GiB;
/// every loadable byte must fit it) plus 256 MiB of headers, symbols and
/// debug sections.
pub const MAX_ELF_BYTES: u64 = (1 << 30) + (256 << 20);
const _: () = assert!(((GUEST_MEMORY_END - GUEST_MEMORY_START) as u64) < 1 << 30);

/// The largest private input read (4 GiB): it is held in memory while the
/// guest reads it.
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// `path`'s bytes, or a message naming `what` and the problem. A regular
/// file over `limit` is refused from its size before anything is read;
/// anything else (a pipe, a device) is read up to `limit + 1` bytes.
pub fn read_bounded(what: &str, path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let too_big = || {
        format!(
            "{what} `{}` is larger than {} MiB, the most Sluice reads",
            path.display(),
            limit >> 20
        )
    };
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read {what} `{}`: {e}", path.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read {what} `{}`: {e}", path.display()))?;
    if meta.is_dir() {
        return Err(format!("{what} `{}` is a directory", path.display()));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(if meta.is_file() {
        meta.len() as usize
    } else {
        0
    });
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what} `{}`: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// The guest's input stream: `raw`'s bytes as they are, then each of
/// `frames` as one frame (its length as a little-endian `u32`, then its
/// bytes), which a Rust guest reads in order with `io::read_vec()` or
/// `io::read::<T>()`. At most [`MAX_INPUT_BYTES`] in all.
pub fn read_input(raw: Option<&Path>, frames: &[PathBuf]) -> Result<Vec<u8>, String> {
    let mut input = match raw {
        Some(path) => read_bounded("input", path, MAX_INPUT_BYTES)?,
        None => Vec::new(),
    };
    let past_the_limit = |path: &Path| {
        format!(
            "frame `{}` would take the input past {} MiB (--input and every --frame together)",
            path.display(),
            MAX_INPUT_BYTES >> 20
        )
    };
    for path in frames {
        let used = input.len() as u64 + 4;
        if used > MAX_INPUT_BYTES {
            return Err(past_the_limit(path));
        }
        let room = (MAX_INPUT_BYTES - used).min(u64::from(u32::MAX));
        let bytes = read_bounded("frame", path, room).map_err(|e| {
            if e.contains("larger than") {
                past_the_limit(path)
            } else {
                e
            }
        })?;
        let len = u32::try_from(bytes.len()).expect("bounded by u32::MAX");
        input.extend_from_slice(&len.to_le_bytes());
        input.extend_from_slice(&bytes);
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparse_file_over_the_limit_is_refused_from_its_size() {
        let dir = std::env::temp_dir().join(format!("sluice-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("huge.elf");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(MAX_ELF_BYTES + 1).unwrap();
        let e = read_bounded("ELF", &path, MAX_ELF_BYTES).unwrap_err();
        assert!(e.contains("larger than 1280 MiB"), "{e}");
        f.set_len(10).unwrap();
        assert_eq!(read_bounded("ELF", &path, MAX_ELF_BYTES).unwrap(), [0; 10]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn frames_follow_the_raw_input_each_with_its_length() {
        let dir = std::env::temp_dir().join(format!("sluice-frames-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (raw, a, b) = (dir.join("raw"), dir.join("a"), dir.join("b"));
        std::fs::write(&raw, b"tag:").unwrap();
        std::fs::write(&a, b"hello").unwrap();
        std::fs::write(&b, b"").unwrap();
        let got = read_input(Some(&raw), &[a.clone(), b]).unwrap();
        assert_eq!(got, b"tag:\x05\0\0\0hello\0\0\0\0");
        assert_eq!(read_input(None, &[a]).unwrap(), b"\x05\0\0\0hello");
        assert_eq!(read_input(None, &[]).unwrap(), b"");
        let e = read_input(None, &[dir.join("missing")]).unwrap_err();
        assert!(e.contains("cannot read frame"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_endless_device_is_read_only_up_to_the_limit() {
        let e = read_bounded("input", Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(e.contains("larger than 1 MiB"), "{e}");
    }

    #[test]
    fn missing_files_and_directories_are_named() {
        let e = read_bounded("ELF", Path::new("/nonexistent/x.elf"), 10).unwrap_err();
        assert!(e.starts_with("cannot read ELF `/nonexistent/x.elf`"), "{e}");
        let e = read_bounded("ELF", Path::new("/"), 10).unwrap_err();
        assert!(e.contains("is a directory"), "{e}");
    }
}
