//! Writes the fixture tests into `OUT_DIR`, as walrus generates its tests:
//! one `#[test] fn NAME() { super::check_fixture("NAME"); }` per WAT
//! fixture in the top-level `fixtures/` directory, which
//! `tests/snapshots.rs` and `tests/execute.rs` `include!` in a module
//! beside their own `check_fixture`. So every fixture is a test of its own
//! (`cargo test --test snapshots NAME` runs one), and a new fixture is a
//! new test on the next build.
//!
//! - `fixtures.rs`: every fixture (its snapshot);
//! - `executable_fixtures.rs`: the fixtures that split (no `err_` prefix)
//!   and have `;; exec:` lines (run against the reference).
//!
//! Each file also holds `NAMES`, its fixtures' names, sorted.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = manifest.join("../fixtures");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // A directory: cargo reruns this when anything in it changes.
    println!("cargo::rerun-if-changed={}", dir.display());
    let fixtures = fixtures(&dir);
    let executable: Vec<&str> = fixtures
        .iter()
        .filter(|(name, text)| !name.starts_with("err_") && has_exec_lines(text))
        .map(|(name, _)| name.as_str())
        .collect();
    let all: Vec<&str> = fixtures.iter().map(|(name, _)| name.as_str()).collect();
    write(&out.join("fixtures.rs"), &all);
    write(&out.join("executable_fixtures.rs"), &executable);
}

/// Every `*.wat` in `dir` (none if it is missing, as in a packaged crate):
/// name and text, sorted by name.
fn fixtures(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut fixtures: Vec<(String, String)> = entries
        .map(|e| e.expect("fixtures/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wat"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "fixtures/{name}.wat: a fixture's name is a Rust identifier (its test's name)"
            );
            let text = std::fs::read_to_string(&p).expect("fixture text");
            (name, text)
        })
        .collect();
    fixtures.sort();
    fixtures
}

/// Whether the fixture has a `;; exec: EXPORT ARGS...` line (the format
/// `tests/execute.rs` reads).
fn has_exec_lines(text: &str) -> bool {
    text.lines().any(|l| l.trim().starts_with(";; exec:"))
}

fn write(path: &Path, names: &[&str]) {
    let mut s = String::from("// Written by passes/build.rs.\n");
    let _ = writeln!(s, "pub const NAMES: &[&str] = &{names:?};");
    for name in names {
        let _ = writeln!(
            s,
            "#[test]\nfn {name}() {{\n    super::check_fixture({name:?});\n}}"
        );
    }
    std::fs::write(path, s).expect("writing the fixture list");
}
