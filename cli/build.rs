//! Builds the preview1 adapter (adapter-src/) for wasm32-unknown-unknown, in
//! its command, reactor and proxy variants, through the public build API
//! (`mmadapt-build`, the one third-party adapters use): each is compiled,
//! split and verified, and OUT_DIR gets `adapter-{variant}.wasm` (split,
//! for `include_bytes!`) and `adapter-{variant}.unsplit.wasm`. The toolchain
//! and the wasm target come from rust-toolchain.toml, so a fresh clone needs
//! only rustup and cargo.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let adapter = mmadapt_build::Adapter::new(root.join("adapter-src"))
        // markers/ is a path dependency outside adapter-src: remap the
        // whole repository so neither path shows in panic messages.
        .remap_path_prefix(&root, "/mmadapt");
    let variants = [
        ("command", adapter.clone()),
        (
            "reactor",
            adapter
                .clone()
                .no_default_features()
                .features(["exit-with-code"]),
        ),
        (
            "proxy",
            adapter.clone().no_default_features().features(["proxy"]),
        ),
    ];
    // The variants compile (nearly) the same sources: each rerun line once.
    let mut sources = BTreeSet::new();
    for (variant, adapter) in variants {
        // One target directory per variant, as before: a cdylib's file name
        // does not change with its features.
        let built = adapter
            .out_name(format!("adapter-{variant}"))
            .target_dir(out.join(format!("adapter-target-{variant}")))
            .rerun_if_changed(false)
            .build()
            .unwrap_or_else(|e| panic!("the {variant} adapter: {e}"));
        sources.extend(built.sources);
    }
    for source in sources {
        println!("cargo::rerun-if-changed={}", source.display());
    }
}
