//! Differential acceptance against wit-component (issue 19): on generated
//! preview1 modules (wasm-smith with every proposal it generates, real
//! preview1 imports; commands, reactors, modules with a WIT world), mmadapt
//! makes a valid component wherever `wasm-tools component new` with the
//! standard adapter makes one, and refuses with one line wherever it
//! refuses. The generator and the comparison are `common/acceptance.rs`,
//! shared with the fuzz target `fuzz/fuzz_targets/acceptance.rs`.
//!
//! `MMADAPT_PROPERTY_CASES` / `MMADAPT_PROPERTY_SEED` choose other seeds
//! (the long run of docs/robustness.md is this test with 100 000 cases, in
//! release mode); `MMADAPT_PROPERTY_INPUT=FILE` runs one saved input;
//! `MMADAPT_PROPERTY_VERBOSE=1` prints every pair of verdicts.

#[path = "common/acceptance.rs"]
mod acceptance;
#[path = "../../passes/tests/common/seeded.rs"]
mod seeded;

use acceptance::{Shape, Verdict};
use arbitrary::Unstructured;
use std::collections::BTreeMap;

/// Cases per `cargo test`.
const DEFAULT_CASES: u64 = 300;

/// A verdict pair's tally key: the first 110 characters of each side's
/// error, digits folded, so that the same reason with other numbers counts
/// once.
fn reason(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Component => "a component".to_string(),
        Verdict::Refused(e) => e
            .chars()
            .take(110)
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect(),
    }
}

#[derive(Default)]
struct Tally {
    /// Per shape: (both made a component, both refused, explained).
    shapes: BTreeMap<Shape, (u64, u64, u64)>,
    /// (wit-component's reason, mmadapt's) -> count.
    pairs: BTreeMap<(String, String), u64>,
    /// Seeds whose bytes made no module.
    no_module: u64,
    mismatches: Vec<String>,
}

impl Tally {
    /// Generates the module of seed `seed` from `input`, compares, counts.
    fn case(&mut self, seed: u64, input: &[u8], verbose: bool) {
        let Ok(case) = acceptance::case(&mut Unstructured::new(input)) else {
            self.no_module += 1;
            return;
        };
        match acceptance::check(&case.main, mmadapt::adapter::adapter) {
            Ok(pair) => {
                let counts = self.shapes.entry(case.shape).or_default();
                if pair.explained.is_some() {
                    counts.2 += 1;
                } else if pair.mmadapt == Verdict::Component {
                    counts.0 += 1;
                } else {
                    counts.1 += 1;
                }
                let mut key = (reason(&pair.wit_component), reason(&pair.mmadapt));
                if let Some(why) = pair.explained {
                    key.1 = format!("{} (explained: {why})", key.1);
                }
                if verbose {
                    eprintln!("seed {seed}: {:?}: {key:?}", case.shape);
                }
                *self.pairs.entry(key).or_default() += 1;
            }
            Err(mismatch) => {
                let path = format!(
                    "{}/acceptance-seed-{seed}.wasm",
                    env!("CARGO_TARGET_TMPDIR")
                );
                let _ = std::fs::write(&path, &case.main);
                eprintln!(
                    "seed {seed}: {:?}: MISMATCH: {mismatch} (module: {path})",
                    case.shape
                );
                self.mismatches.push(format!("seed {seed}: {mismatch}"));
            }
        }
    }
}

#[test]
fn mmadapt_accepts_what_wit_component_accepts() {
    let started = std::time::Instant::now();
    let verbose = std::env::var_os("MMADAPT_PROPERTY_VERBOSE").is_some();
    let mut tally = Tally::default();
    let mut case_seed = seeded::base_seed();
    seeded::for_each_case(
        "acceptance",
        DEFAULT_CASES,
        env!("CARGO_TARGET_TMPDIR"),
        |input| {
            tally.case(case_seed, input, verbose);
            case_seed += 1;
        },
    );
    report(&tally, started.elapsed());
    assert!(
        tally.mismatches.is_empty(),
        "{} mismatches with wit-component:\n{}",
        tally.mismatches.len(),
        tally.mismatches.join("\n")
    );
    let cases: u64 = tally.shapes.values().map(|(a, r, e)| a + r + e).sum();
    if cases >= 200 {
        // Both directions, and each shape, are exercised.
        let accepted = |keep: &dyn Fn(&Shape) -> bool| -> u64 {
            tally
                .shapes
                .iter()
                .filter(|(s, _)| keep(s))
                .map(|(_, (a, _, _))| a)
                .sum()
        };
        let refused: u64 = tally.shapes.values().map(|(_, r, _)| r).sum();
        assert!(
            accepted(&|_| true) * 4 >= cases,
            "fewer than a quarter made components"
        );
        assert!(refused * 10 >= cases, "fewer than a tenth were refused");
        assert!(accepted(&|s| s.command) > 0, "no command made a component");
        assert!(accepted(&|s| !s.command) > 0, "no reactor made a component");
        assert!(
            accepted(&|s| s.world.is_some()) > 0,
            "no module with a world made a component"
        );
        assert!(
            accepted(&|s| s.legacy_exceptions) > 0,
            "no legacy `try` made a component"
        );
    }
}

fn report(tally: &Tally, elapsed: std::time::Duration) {
    let (accepted, refused, explained) = tally
        .shapes
        .values()
        .fold((0, 0, 0), |(a, r, e), (sa, sr, se)| {
            (a + sa, r + sr, e + se)
        });
    eprintln!(
        "acceptance: {} modules in {:.1} s: both made a component {accepted}, both refused {refused}, \
         explained differences {explained}, mismatches {}; {} seeds made no module",
        accepted + refused + explained + tally.mismatches.len() as u64,
        elapsed.as_secs_f64(),
        tally.mismatches.len(),
        tally.no_module,
    );
    for (shape, (a, r, e)) in &tally.shapes {
        eprintln!("  {shape:?}: {a} components, {r} refusals, {e} explained");
    }
    eprintln!("  verdict pairs (wit-component | mmadapt):");
    for ((theirs, ours), n) in &tally.pairs {
        eprintln!("  {n:>6}  {theirs} | {ours}");
    }
}

/// A reactor that imports nothing from preview1 gets no adapter from
/// wit-component, so nothing needs its `memory` to be 32-bit, unshared or
/// of 64 KiB pages (the long run's first finding: mmadapt checked the
/// adapter's needs even when wit-component left the adapter out). The
/// command adapter stays in (its world exports `wasi:cli/run`), so a
/// command's `memory` must still suit it, and exist (the second finding).
#[test]
fn a_module_without_preview1_imports_may_have_any_memory() {
    let verdict = |wat: String| {
        let main = wat::parse_str(&wat).expect("WAT parses");
        acceptance::check(&main, mmadapt::adapter::adapter)
            .unwrap_or_else(|mismatch| panic!("{wat}: {mismatch}"))
            .mmadapt
    };
    for memory in ["i64 1", "1 1 shared", "1 (pagesize 1)"] {
        let reactor = format!(r#"(module (memory (export "memory") {memory}))"#);
        assert_eq!(verdict(reactor), Verdict::Component, "{memory}");
        let command =
            format!(r#"(module (memory (export "memory") {memory}) (func (export "_start")))"#);
        assert!(matches!(verdict(command), Verdict::Refused(_)), "{memory}");
    }
    // Nor may a command lack `memory` (mmadapt made a component of it).
    let command = r#"(module (memory 1) (func (export "_start")))"#.to_string();
    assert!(matches!(verdict(command), Verdict::Refused(_)));
    assert_eq!(
        verdict("(module (memory 1))".to_string()),
        Verdict::Component
    );
}
