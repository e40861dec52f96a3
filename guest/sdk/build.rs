//! Puts the guest linker script on the linker search path of every guest
//! that depends on this crate; `.cargo/config.toml` passes `-Tsluice-guest.ld`.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::copy("sluice-guest.ld", out.join("sluice-guest.ld")).expect("copy linker script");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=sluice-guest.ld");
    println!("cargo:rerun-if-changed=build.rs");
}
