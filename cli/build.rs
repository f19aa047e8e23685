//! Builds the preview1 adapter (adapter-src/) for wasm32-unknown-unknown, in
//! its command, reactor and proxy variants, splits each with the split pass (whose
//! verifier must pass), and leaves the two-memory adapters in OUT_DIR for
//! `include_bytes!`. The toolchain and the wasm target come from
//! rust-toolchain.toml, so a fresh clone needs only rustup and cargo.

use std::path::{Path, PathBuf};
use std::process::Command;

/// (variant, cargo feature arguments)
const VARIANTS: [(&str, &[&str]); 3] = [
    ("command", &[]),
    (
        "reactor",
        &["--no-default-features", "--features", "exit-with-code"],
    ),
    ("proxy", &["--no-default-features", "--features", "proxy"]),
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for path in [
        "adapter-src/src",
        "adapter-src/build.rs",
        "adapter-src/Cargo.toml",
        "adapter-src/Cargo.lock",
        "markers/src",
        "markers/Cargo.toml",
    ] {
        println!("cargo::rerun-if-changed={}", root.join(path).display());
    }
    for (variant, features) in VARIANTS {
        let wasm = build_adapter(&root, &out, variant, features);
        let split = mmadapt_passes::split_bytes(&wasm)
            .unwrap_or_else(|e| panic!("the {variant} adapter does not split: {e}"));
        std::fs::write(out.join(format!("adapter-{variant}.wasm")), &split.bytes).unwrap();
        std::fs::write(out.join(format!("adapter-{variant}.unsplit.wasm")), &wasm).unwrap();
    }
}

fn remap_flags(root: &Path) -> String {
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    let rustup_home = std::env::var("RUSTUP_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".rustup")
        });
    [
        format!("--remap-path-prefix={}=/cargo", cargo_home.display()),
        format!("--remap-path-prefix={}=/rustup", rustup_home.display()),
        format!("--remap-path-prefix={}=/mmadapt", root.display()),
    ]
    .join("\x1f")
}

fn build_adapter(root: &Path, out: &Path, variant: &str, features: &[&str]) -> Vec<u8> {
    let target_dir = out.join(format!("adapter-target-{variant}"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root.join("adapter-src"))
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(features)
        .arg("--target-dir")
        .arg(&target_dir)
        // The outer build's flags are for the host, not for the adapter.
        // Source paths (in panic messages) are remapped so the adapter does
        // not depend on where the repository or the cargo registry live.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env("CARGO_ENCODED_RUSTFLAGS", remap_flags(root))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building adapter-src ({variant}) failed");
    std::fs::read(target_dir.join("wasm32-unknown-unknown/release/mmadapt_adapter.wasm"))
        .expect("adapter wasm")
}
