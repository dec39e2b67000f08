//! Compiles the course's preload shim (`tests/shim/src/lib.rs`) into a
//! shared object beside this crate's build output, and tells the crate
//! where it is (`COURSE_SHIM`): `harness::shim` embeds its bytes, small
//! and stripped, since the build folder may be out of reach of the user a
//! sandboxed test runs as.
//!
//! A build script cannot ask cargo for another crate's cdylib (artifact
//! dependencies are unstable), so it runs the compiler cargo gave it on
//! the shim's one file, which depends on nothing but the standard library.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let source = PathBuf::from("../shim/src/lib.rs");
    println!("cargo::rerun-if-changed={}", source.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("libcourse_shim.so");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let status = Command::new(&rustc)
        .args([
            "--edition=2024",
            "--crate-type=cdylib",
            "--crate-name=course_shim",
            "-Copt-level=s",
            "-Cpanic=abort",
            "-Cdebuginfo=0",
            "-Cstrip=symbols",
            "-o",
        ])
        .arg(&out)
        .arg(&source)
        .status()
        .unwrap_or_else(|e| panic!("running {rustc:?}: {e}"));
    assert!(
        status.success(),
        "compiling the preload shim failed: {status}"
    );
    println!("cargo::rustc-env=COURSE_SHIM={}", out.display());
}
