//! WebAssembly bindings for the Sluice streaming verifier.
//!
//! Not built yet: the streaming verifier core it wraps does not exist yet
//! (see the open issues). This crate only checks that the verifier core
//! builds for `wasm32-unknown-unknown` with default features off.
#![no_std]

pub use sluice_verifier as core;
