//! Snapshot tests over the WAT fixtures in `fixtures/`.
//!
//! Every `fixtures/*.wat` is a test of its own, `fixture::NAME` (the list
//! is written by `passes/build.rs`, so new fixtures are picked up without
//! touching this file; `cargo test --test snapshots NAME` runs one). Each is
//! compiled with `wat` and run through [`mmadapt_passes::split_bytes`]:
//!
//! - a fixture whose name starts with `err_` must be rejected; its snapshot
//!   is the error message;
//! - every other fixture must split; its snapshot holds the region view of
//!   the input (with the route of every access), the region map, the split
//!   module's view and the access counts before and after. Beyond snapshot
//!   equality the test checks that the split bytes validate (with the
//!   verifier's wasm features), that no memory-0 access is left outside a
//!   region, that no marker is left, and that the number of regions
//!   survived the split.
//!
//! Snapshots live in the top-level `snapshots/` directory, one file per
//! fixture, named after it. Create or update them with
//! `INSTA_UPDATE=always cargo test -p mmadapt-passes --test snapshots`;
//! with `CI=true` insta refuses to write and a mismatch fails the test.

use mmadapt_ir::printer::{print_module, print_regions, PrintOptions};
use mmadapt_ir::stats::{stats, Stats};
use mmadapt_ir::{Markers, RegionMap};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Fewer fixtures than this means the list lost some (a broken listing
/// would otherwise pass with no test at all).
const MIN_FIXTURES: usize = 24;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One test per fixture (see the module doc).
mod fixture {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

fn name_of(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn settings(path: &Path) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    // Relative to this file: passes/tests/ → the top-level snapshots/.
    s.set_snapshot_path("../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.set_input_file(path);
    s
}

/// The view of a module before the split: routes shown, markers known.
fn before_view(wasm: &[u8]) -> (String, String, Stats) {
    let module = mmadapt_ir::lift(wasm).expect("fixture lifts");
    let markers = Markers::find(&module).expect("marker imports are valid");
    let map = RegionMap::compute(&module, &markers, &BTreeMap::new()).expect("regions are valid");
    let code = print_module(
        &module,
        &markers,
        Some(&map),
        PrintOptions { show_route: true },
    );
    let regions = print_regions(&module, &map);
    let st = stats(&module, &markers, Some(&map));
    (code, regions, st)
}

/// Validates with the wasm features the verifier allows split modules.
fn validate_split(bytes: &[u8]) -> Result<(), String> {
    wasmparser::Validator::new_with_features(mmadapt_passes::verify::features())
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| format!("split output does not validate: {e}"))
}

/// Checks one successful fixture and returns its snapshot text.
fn render_split(name: &str, wasm: &[u8]) -> String {
    let split = mmadapt_passes::split_bytes(wasm)
        .unwrap_or_else(|e| panic!("{name}: expected the split to succeed, got: {e}"));
    let (code_before, regions, stats_before) = before_view(wasm);

    // Real invariants, independent of the snapshot.
    validate_split(&split.bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let no_markers = Markers::default();
    let stats_after = stats(&split.module, &no_markers, Some(&split.map));
    assert_eq!(
        stats_after.outside.get(&0).copied().unwrap_or(0),
        0,
        "{name}: memory-0 accesses outside every region after the split:\n{stats_after}"
    );
    assert_eq!(
        stats_after.markers, 0,
        "{name}: markers left after the split"
    );
    assert_eq!(
        mmadapt_ir::Markers::find(&split.module)
            .map(|m| m.is_empty())
            .ok(),
        Some(true),
        "{name}: marker imports left after the split"
    );
    // Before the split everything uses the one memory, index 0; after it,
    // the accesses outside regions all use memory 1, as many as before.
    assert_eq!(
        stats_before.outside.get(&0).copied().unwrap_or(0),
        stats_after.outside.get(&1).copied().unwrap_or(0),
        "{name}: the number of accesses outside regions changed"
    );
    // The same regions before and after, plus one whole-function region per
    // clone.
    let regions_before: usize = stats_before.regions.values().sum();
    let regions_after: usize = stats_after.regions.values().sum();
    assert_eq!(
        regions_before + split.clones.len(),
        regions_after,
        "{name}: regions before {regions_before}, clones {}, regions after {regions_after}",
        split.clones.len()
    );
    // In a module without clones, region accesses are the same ones.
    if split.clones.is_empty() {
        let inside_before: usize = stats_before.in_region.values().sum();
        let inside_after: usize = stats_after.in_region.values().sum();
        assert_eq!(
            inside_before, inside_after,
            "{name}: region accesses changed"
        );
    }

    let code_after = print_module(
        &split.module,
        &no_markers,
        Some(&split.map),
        PrintOptions::default(),
    );
    let regions_after_text = print_regions(&split.module, &split.map);
    let clones: Vec<String> = split
        .clones
        .iter()
        .map(|(f, k)| {
            let n = split.module.funcs.get(*f).name.as_deref().unwrap_or("?");
            format!("{n} ({})", k.kind)
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    format!(
        "== stats before ==\n{stats_before}\n\n\
         == regions before ==\n{regions}\n\
         == code before ==\n{}\n\n\
         == clones ==\n{}\n\n\
         == stats after ==\n{stats_after}\n\n\
         == regions after ==\n{regions_after_text}\n\
         == data after ==\n{}\n\n\
         == code after ==\n{}\n",
        code_before.trim_start_matches('\n').trim_end(),
        if clones.is_empty() {
            "(none)".to_string()
        } else {
            clones.join("\n")
        },
        data_segments(&split.module),
        code_after.trim_start_matches('\n').trim_end(),
    )
}

/// The data segments of a module: where each one goes, and its size.
fn data_segments(module: &walrus::Module) -> String {
    let mems = mmadapt_ir::indices::memory_indices(module);
    let lines: Vec<String> = module
        .data
        .iter()
        .map(|d| {
            let name = d
                .name
                .as_deref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default();
            let place = match &d.kind {
                walrus::DataKind::Active { memory, offset } => {
                    let at = match offset {
                        walrus::ConstExpr::Value(walrus::ir::Value::I32(v)) => v.to_string(),
                        other => format!("{other:?}"),
                    };
                    format!("active memory {} offset {at}", mems[memory])
                }
                walrus::DataKind::Passive => "passive".to_string(),
            };
            format!("data{}{name} {place} len={}", d.id().index(), d.value.len())
        })
        .collect();
    if lines.is_empty() {
        "(none)".to_string()
    } else {
        lines.join("\n")
    }
}

/// Checks one error fixture and returns its snapshot text.
fn render_error(name: &str, wasm: &[u8]) -> String {
    match mmadapt_passes::split_bytes(wasm) {
        Ok(_) => panic!("{name}: expected the split to fail, but it succeeded"),
        Err(e) => {
            let message = e.to_string();
            assert!(
                !message.contains('\n'),
                "{name}: error messages are one line: {message}"
            );
            format!("error: {message}\n")
        }
    }
}

fn check_fixture(name: &str) {
    let path = root().join("fixtures").join(format!("{name}.wat"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.trim_start().starts_with(";;"),
        "{name}: a fixture starts with a `;;` comment saying what it covers"
    );
    let wasm = wat::parse_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let snapshot = if name.starts_with("err_") {
        render_error(name, &wasm)
    } else {
        render_split(name, &wasm)
    };
    settings(&path).bind(|| insta::assert_snapshot!(name, snapshot));
}

#[test]
fn enough_fixtures() {
    assert!(
        fixture::NAMES.len() >= MIN_FIXTURES,
        "expected at least {MIN_FIXTURES} fixtures, found {}",
        fixture::NAMES.len()
    );
}

/// Every snapshot belongs to a fixture: a renamed or deleted fixture must
/// take its snapshot with it.
#[test]
fn no_orphan_snapshots() {
    let names: std::collections::HashSet<&str> = fixture::NAMES.iter().copied().collect();
    let dir = root().join("snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut orphans = Vec::new();
    for e in entries {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|e| e == "snap") {
            let stem = name_of(&path);
            if !names.contains(stem.as_str()) {
                orphans.push(stem);
            }
        }
    }
    orphans.sort();
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture: {orphans:?}"
    );
}
