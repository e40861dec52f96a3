//! SIGINT and SIGTERM during `prove`: stop between two epoch records.
//!
//! Every record is flushed as soon as it is written, so stopping is only a
//! matter of not cutting one: the signal thread takes the bundle writer's
//! [`RecordLock`], and exits the process while it holds it. The epochs being
//! proven are abandoned; `FILE.partial` keeps every complete record.

use std::path::PathBuf;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};
use sluice_prover::bundle_writer::RecordLock;

/// Stops watching for signals when dropped.
pub struct Watch(Handle);

impl Drop for Watch {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// What to do just before exiting on a signal (delete a queue run's keys).
pub type OnStop = Box<dyn FnOnce() + Send>;

/// Watches for SIGINT and SIGTERM while `prove` writes `records`' bundle
/// to `partial` (`None`: stdout). On a signal, runs `on_stop` and exits
/// with `128 + signal` after the record being written is complete, saying
/// how to resume.
pub fn watch(
    records: RecordLock,
    partial: Option<PathBuf>,
    on_stop: Option<OnStop>,
) -> std::io::Result<Watch> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    let handle = signals.handle();
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let complete = *records.lock().unwrap_or_else(|e| e.into_inner());
            let name = if signal == SIGINT {
                "SIGINT"
            } else {
                "SIGTERM"
            };
            match &partial {
                Some(path) => eprintln!(
                    "\ninterrupted ({name}): `{}` holds {complete} complete epoch(s); run the same \
                     command with --resume to continue from there",
                    path.display()
                ),
                None => {
                    eprintln!("\ninterrupted ({name}) after {complete} complete epoch(s) on stdout")
                }
            }
            if let Some(on_stop) = on_stop {
                on_stop();
            }
            std::process::exit(128 + signal);
        }
    });
    Ok(Watch(handle))
}
