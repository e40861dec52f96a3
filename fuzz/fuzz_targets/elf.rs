//! The ELF loader and the image ID on arbitrary bytes; a program that loads
//! is also run for a few thousand cycles.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_prover::executor::{execute, Config, Program};
use sluice_verifier::memory::image_id;

fuzz_target!(|data: &[u8]| {
    let Ok(program) = Program::from_elf(data) else {
        return;
    };
    let _ = image_id(&program);
    let config = Config {
        epoch_size_log2: 10,
        max_cycles: 4096,
    };
    if let Err(e) = execute(&program, &[], &config) {
        assert!(e.cycles <= config.max_cycles);
    }
});
