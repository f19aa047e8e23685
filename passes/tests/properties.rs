//! Property test of the split pass on generated modules (wasm-smith, with
//! region markers inserted at random): a clean error, or a valid module that
//! runs like the reference. See docs/robustness.md; the fuzz target
//! `fuzz/fuzz_targets/split.rs` checks the same property.

mod common;

use arbitrary::Unstructured;
use common::gen::{split_case, Placement};
use common::seeded::for_each_case;
use common::split_property::{check, Verdict};
use std::collections::BTreeMap;

/// Cases per `cargo test` (override with `MMADAPT_PROPERTY_CASES`).
const DEFAULT_CASES: u64 = 500;

#[test]
fn split_is_a_clean_error_or_runs_like_the_reference() {
    let mut tally: BTreeMap<(String, Verdict), u64> = BTreeMap::new();
    for_each_case(
        "split",
        DEFAULT_CASES,
        env!("CARGO_TARGET_TMPDIR"),
        |input| {
            let mut u = Unstructured::new(input);
            let Ok(case) = split_case(&mut u) else {
                return;
            };
            let verdict = check(&case);
            *tally
                .entry((format!("{:?}", case.placement), verdict))
                .or_default() += 1;
        },
    );
    let total: u64 = tally.values().sum();
    eprintln!("split property: {total} cases");
    for ((placement, verdict), n) in &tally {
        eprintln!("  {placement:<10} {verdict:?}: {n}");
    }
    // Cases of bracketed placement with a verdict at least `v`.
    let count = |v: Verdict| -> u64 {
        tally
            .iter()
            .filter(|((p, w), _)| *w >= v && p == &format!("{:?}", Placement::Bracketed))
            .map(|(_, n)| n)
            .sum()
    };
    // The property means little if nothing splits: keep the generator honest.
    if total >= 100 {
        assert!(
            count(Verdict::Equal) * 5 >= total,
            "fewer than a fifth of the cases split and ran like the reference"
        );
    }
}
