//! One preview1 command module per WebAssembly proposal
//! (`tests/proposals/*.wat`), each turned into a component by wit-component
//! with the standard adapter (what `wasm-tools component new` does) and by
//! mmadapt, side by side: where wit-component makes a component, mmadapt
//! must make one that validates; where wit-component refuses, mmadapt must
//! refuse too, with one line.
//!
//! The verdict compared is wit-component's actual one. Each fixture also
//! names the verdict it was written for, so that both directions stay
//! covered: if a wit-component update changes its mind on a proposal, the
//! test says so rather than quietly testing the other direction.
//!
//! Before this, a main module with a legacy `try`/`catch` (which GHC's wasm
//! backend emits) was refused with "the assembled component does not
//! validate: legacy_exceptions feature required for try instruction"
//! (issue 19): mmadapt validated with fewer features than wit-component.

mod common;

use common::encode;
use wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER;

/// What a tool does with a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Accepts,
    Refuses,
}

use Verdict::{Accepts, Refuses};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/proposals/{name}.wat", env!("CARGO_MANIFEST_DIR"));
    wat::parse_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `wasm-tools component new` with the standard command adapter: the main
/// module, the adapter and the component validated (wit-component does it
/// with every feature wasmparser knows).
fn wit_component(main: &[u8]) -> anyhow::Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(main)?
        .adapter(
            "wasi_snapshot_preview1",
            WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )?
        .encode()
}

/// Checks fixture `name` against wit-component, and wit-component against
/// `written_for`. Returns mmadapt's error where it refuses.
fn check(name: &str, written_for: Verdict) -> Option<String> {
    let main = fixture(name);
    let peer = wit_component(&main);
    let ours = encode(&main, true);
    let outcome = match (&peer, ours) {
        (Ok(_), Ok(component)) => {
            mmadapt_component::validate(&component)
                .unwrap_or_else(|e| panic!("{name}: mmadapt's component: {e:#}"));
            None
        }
        (Err(_), Err(e)) => {
            let top = e.to_string();
            let chain = format!("{e:#}");
            assert!(
                !top.is_empty() && !top.contains('\n'),
                "{name}: mmadapt's error is not one line: {top:?}"
            );
            assert!(
                !chain.contains('\n'),
                "{name}: mmadapt's error is not one line: {chain:?}"
            );
            // Skipping validation does not turn the refusal into a
            // component.
            assert!(
                encode(&main, false).is_err(),
                "{name}: mmadapt refuses it ({chain}) but accepts it with validation off"
            );
            Some(chain)
        }
        (Ok(_), Err(e)) => panic!("{name}: wit-component accepts it, mmadapt refuses: {e:#}"),
        (Err(e), Ok(_)) => panic!("{name}: wit-component refuses it ({e:#}), mmadapt accepts"),
    };
    println!(
        "{name}: wit-component: {}; mmadapt: {}",
        match &peer {
            Ok(_) => "a component".to_string(),
            Err(e) => format!("{e:#}"),
        },
        outcome.as_deref().unwrap_or("a component that validates")
    );
    let peer_verdict = if peer.is_ok() { Accepts } else { Refuses };
    assert_eq!(
        peer_verdict,
        written_for,
        "{name}: wit-component's verdict is not the one the fixture was written for ({})",
        match &peer {
            Ok(_) => "it makes a component".to_string(),
            Err(e) => format!("{e:#}"),
        }
    );
    outcome
}

/// One test per fixture, with the verdict it was written for and, for a
/// refusal, mmadapt's line; and the list of them all.
macro_rules! fixtures {
    ($($name:ident: $verdict:ident $(, $message:literal)?;)*) => {
        $(
            #[test]
            fn $name() {
                let _error = check(stringify!($name), $verdict);
                $(assert_eq!(_error.as_deref(), Some($message));)?
            }
        )*
        const FIXTURES: &[&str] = &[$(stringify!($name)),*];
    };
}

fixtures! {
    legacy_exceptions: Accepts;
    exnref: Accepts;
    gc: Accepts;
    tail_call: Accepts;
    simd: Accepts;
    relaxed_simd: Accepts;
    extended_const: Accepts;
    wide_arithmetic: Accepts;
    multi_memory: Accepts;
    function_references: Accepts;
    bulk_memory: Accepts;
    reference_types: Accepts;
    multi_value: Accepts;
    sign_ext: Accepts;
    saturating_float_to_int: Accepts;
    mutable_globals: Accepts;
    memory64_second: Accepts;
    threads_second_memory: Accepts;
    custom_page_size_second: Accepts;
    shared_memory: Refuses,
        "the module's memory `memory` is shared; the adapter needs an unshared memory";
    custom_page_size: Refuses,
        "the module's memory `memory` has a custom page size; the adapter needs 64 KiB pages";
    memory64: Refuses,
        "the module's memory `memory` has 64-bit addresses; preview1 memories are 32-bit";
}

/// Every fixture in tests/proposals/ has its test.
#[test]
fn every_fixture_is_checked() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/proposals");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| n.strip_suffix(".wat").map(str::to_string))
        .collect();
    found.sort();
    let mut tested: Vec<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    tested.sort();
    assert_eq!(found, tested);
}

/// wit-component validates with `WasmFeatures::all()` (the main module in
/// `validation.rs`, the component in `encoding.rs`); mmadapt's one feature
/// set is at least that.
#[test]
fn features_are_at_least_wit_components() {
    assert!(mmadapt_component::features().contains(wasmparser_component::WasmFeatures::all()));
}
