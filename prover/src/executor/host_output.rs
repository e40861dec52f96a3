//! Where a guest's host output goes: stdout (fd 1), stderr (fd 2) and hints
//! (fd 4). None of it is part of the proven execution.

use std::io::Write;

/// One host stream's destination.
pub(super) enum Sink {
    /// Kept in memory for [`super::Outcome`].
    Capture(Vec<u8>),
    /// Written through as the guest writes it; write errors are ignored.
    Forward(Box<dyn Write + Send>),
    /// Dropped: a run that has captured it already (the prover's second
    /// pass) must not grow with it.
    Discard,
}

impl Sink {
    pub(super) fn write(&mut self, bytes: &[u8]) {
        match self {
            Sink::Capture(v) => v.extend_from_slice(bytes),
            // A failing host stream must not change what the guest does.
            Sink::Forward(w) => {
                let _ = w.write_all(bytes);
            }
            Sink::Discard => {}
        }
    }

    pub(super) fn captured(&self) -> &[u8] {
        match self {
            Sink::Capture(v) => v,
            Sink::Forward(_) | Sink::Discard => &[],
        }
    }

    fn flush(&mut self) {
        if let Sink::Forward(w) = self {
            let _ = w.flush();
        }
    }
}

/// The three host streams.
pub(super) struct HostOutput {
    pub(super) stdout: Sink,
    pub(super) stderr: Sink,
    pub(super) hints: Sink,
}

impl HostOutput {
    pub(super) fn captured() -> Self {
        HostOutput {
            stdout: Sink::Capture(Vec::new()),
            stderr: Sink::Capture(Vec::new()),
            hints: Sink::Capture(Vec::new()),
        }
    }

    pub(super) fn flush(&mut self) {
        self.stdout.flush();
        self.stderr.flush();
        self.hints.flush();
    }
}
