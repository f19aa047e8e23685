//! Property test of `component new` (`mmadapt::componentize`) on generated
//! wasip1-shaped modules: an error or a valid component, never a panic.
//! The fuzz target `fuzz/fuzz_targets/component_new.rs` checks the same.

mod common;

use arbitrary::Unstructured;
use common::seeded::for_each_case;
use common::{check_component_new, wasip1};

/// Cases per `cargo test` (override with `MMADAPT_PROPERTY_CASES`).
const DEFAULT_CASES: u64 = 200;

#[test]
fn component_new_is_an_error_or_a_valid_component() {
    let (mut ok, mut err) = (0u64, 0u64);
    let mut reasons = std::collections::BTreeMap::<String, u64>::new();
    for_each_case(
        "component-new",
        DEFAULT_CASES,
        env!("CARGO_TARGET_TMPDIR"),
        |input| {
            let Ok(main) = wasip1::main_module(&mut Unstructured::new(input)) else {
                return;
            };
            match check_component_new(&main) {
                Ok(()) => ok += 1,
                Err(e) => {
                    err += 1;
                    if std::env::var_os("MMADAPT_PROPERTY_VERBOSE").is_some() {
                        eprintln!("error: {e}");
                    }
                    // The first line, without names: a rough tally of reasons.
                    let first = e.lines().next().unwrap_or("").chars().take(60).collect();
                    *reasons.entry(first).or_default() += 1;
                }
            }
        },
    );
    eprintln!("component new property: {ok} components, {err} errors");
    for (r, n) in &reasons {
        eprintln!("  {n:>4} {r}");
    }
    if ok + err >= 100 {
        assert!(
            ok * 10 >= ok + err,
            "fewer than a tenth of the cases made a component"
        );
    }
}
