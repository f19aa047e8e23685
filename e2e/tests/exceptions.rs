//! Exceptions end to end (issue 19): a main module with exnref exceptions
//! (`try_table`, `catch_ref`, `throw_ref`) that prints from its handler and
//! exits with the exception's payload runs on wasmtime with exceptions
//! enabled, natively and as mmadapt's component, with the same stdout,
//! stderr and exit code.
//!
//! The fixture is the exnref one of mmadapt-component's proposal tests
//! (component/tests/proposals/exnref.wat), which also checks that
//! wit-component accepts it. Legacy exceptions (`try`/`catch`) have no
//! test here: mmadapt makes a valid component of them
//! (component/tests/proposals.rs), but wasmtime 48 does not run them.

use mmadapt_e2e::inputs::Run;
use mmadapt_e2e::outcome::Exit;
use mmadapt_e2e::{adapters, component, native};
use wasmtime::{Config, Engine};

const EXNREF: &str = include_str!("../../component/tests/proposals/exnref.wat");

/// An engine with the exceptions proposal on (wasmtime 48's default, said
/// here so the test does not depend on it) and epoch interruption, which
/// the runners' watchdog needs.
fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_exceptions(true);
    config.epoch_interruption(true);
    Engine::new(&config).expect("wasmtime engine")
}

#[test]
fn exnref_runs_as_a_component_as_natively() {
    let main = wat::parse_str(EXNREF).expect("the fixture parses");
    let engine = engine();
    let run = Run::new("exnref");
    let expected = native::run_on(&engine, &main, &run).expect("native run");
    assert_eq!(expected.stdout_str(), "caught, exit 3\n", "{expected:?}");
    assert_eq!(expected.exit, Exit::Code(3), "{expected:?}");
    let bytes = adapters::mmadapt(&main).expect("mmadapt component new");
    let actual = component::run_on(&engine, &bytes, &run).expect("component run");
    if let Some(diff) = expected.diff(&actual) {
        panic!("the component differs from the native run: {diff}");
    }
}
