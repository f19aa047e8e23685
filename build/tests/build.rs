//! The build API on small fixture crates (tests/fixtures/): a crate that
//! builds and splits, and each way a build fails, with its one-line error.

use mmadapt_build::{Adapter, Error};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// An output directory of its own per test (tests run in parallel).
fn out(test: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("mmadapt-build-tests")
        .join(test)
}

fn memories(module: &[u8]) -> (u32, u32) {
    let (mut imported, mut defined) = (0, 0);
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.unwrap() {
            wasmparser::Payload::ImportSection(s) => {
                for import in s.into_imports() {
                    if matches!(import.unwrap().ty, wasmparser::TypeRef::Memory(_)) {
                        imported += 1;
                    }
                }
            }
            wasmparser::Payload::MemorySection(s) => defined += s.count(),
            _ => {}
        }
    }
    (imported, defined)
}

#[test]
fn builds_splits_and_writes_both_modules() {
    let built = Adapter::new(fixture("good"))
        .out_dir(out("good"))
        .out_name("good")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(built.split_path, out("good").join("good.wasm"));
    assert_eq!(built.unsplit_path, out("good").join("good.unsplit.wasm"));
    // `bump` reads and writes user memory: one user and one copy-out region.
    assert_eq!(built.regions, 2);
    let split = std::fs::read(&built.split_path).unwrap();
    let unsplit = std::fs::read(&built.unsplit_path).unwrap();
    assert_eq!(memories(&unsplit), (0, 1));
    // The user memory imported, the adapter's own memory kept as memory 1.
    assert_eq!(memories(&split), (1, 1));
    assert_eq!(
        split,
        mmadapt_passes::split_bytes(&unsplit).unwrap().bytes,
        "the split file is the split pass's output for the unsplit one"
    );
    // The sources to watch: the crate's, and its path dependency's.
    let markers = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../markers")
        .canonicalize()
        .unwrap();
    for file in [
        fixture("good").canonicalize().unwrap().join("src/lib.rs"),
        markers.join("src/user_ptr.rs"),
        markers.join("Cargo.toml"),
    ] {
        assert!(
            built.sources.contains(&file),
            "{} not in {:?}",
            file.display(),
            built.sources
        );
    }
}

#[test]
fn a_missing_crate_is_one_clear_error() {
    let dir = fixture("no-such-crate");
    let e = Adapter::new(&dir)
        .out_dir(out("missing"))
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::NoCrate { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: not an adapter crate (no Cargo.toml in it)",
            dir.display()
        )
    );
}

#[test]
fn a_region_the_split_rejects_names_the_function() {
    let e = Adapter::new(fixture("rejected"))
        .out_dir(out("rejected"))
        .build()
        .unwrap_err();
    let Error::Split { wasm, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(
        wasm.ends_with("rejected_adapter.wasm"),
        "{}",
        wasm.display()
    );
    let message = e.to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(
        message.starts_with(&format!("{}: ", wasm.display())),
        "{message}"
    );
    assert!(message.contains("`peek_and_tick`"), "{message}");
    assert!(message.contains("import"), "{message}");
    assert!(!out("rejected").join("rejected_adapter.wasm").exists());
}

#[test]
fn opt_level_0_is_a_profile_error() {
    // `dev`: opt-level 0 (and debug assertions), cargo's defaults.
    let e = Adapter::new(fixture("good"))
        .out_dir(out("dev"))
        .profile("dev")
        .build()
        .unwrap_err();
    let Error::Profile { profile, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(profile, "dev");
    let message = e.to_string();
    assert!(message.contains("opt-level 0"), "{message}");
    assert!(message.contains("good"), "{message}");
}

#[test]
fn debug_assertions_are_a_profile_error() {
    let e = Adapter::new(fixture("good"))
        .out_dir(out("checked"))
        .profile("checked")
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::Profile { .. }), "{e:?}");
    assert!(e.to_string().contains("debug-assertions = false"), "{e}");
}

#[test]
fn an_undefined_profile_is_a_profile_error() {
    let e = Adapter::new(fixture("good"))
        .out_dir(out("undefined"))
        .profile("no-such-profile")
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::Profile { .. }), "{e:?}");
    assert!(e.to_string().contains("is not defined"), "{e}");
}

#[test]
fn a_crate_without_a_cdylib_makes_no_wasm() {
    let e = Adapter::new(fixture("not-cdylib"))
        .out_dir(out("not-cdylib"))
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::NoWasm { .. }), "{e:?}");
    assert!(e.to_string().contains("cdylib"), "{e}");
}

#[test]
fn a_missing_target_is_one_clear_error() {
    // A wasm target that rustup knows but this toolchain has no standard
    // library for (asked independently of the build API).
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let installed = |target: &str| {
        let out = std::process::Command::new(&rustc)
            .args(["--print", "target-libdir", "--target", target])
            .output()
            .unwrap();
        let dir = String::from_utf8(out.stdout).unwrap();
        !out.status.success() || Path::new(dir.trim()).join("..").exists()
    };
    let Some(target) = [
        "wasm32v1-none",
        "wasm32-wasip2",
        "wasm32-unknown-emscripten",
    ]
    .into_iter()
    .find(|t| !installed(t)) else {
        panic!("every candidate target is installed; add one that is not")
    };
    let e = Adapter::new(fixture("good"))
        .out_dir(out("target"))
        .target(target)
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::TargetMissing { .. }), "{e:?}");
    assert!(
        e.to_string().ends_with(&format!(
            "the `{target}` target is not installed (run `rustup target add {target}`)"
        )),
        "{e}"
    );
}
