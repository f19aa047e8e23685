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

use anyhow::{Context, Result};
use mmadapt_e2e::inputs::Run;
use mmadapt_e2e::outcome::{Exit, Outcome};
use mmadapt_e2e::watchdog::Watchdog;
use mmadapt_e2e::{adapters, component};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};

const EXNREF: &str = include_str!("../../component/tests/proposals/exnref.wat");

/// An engine with the exceptions proposal on (wasmtime 48's default, said
/// here so the test does not depend on it) and epoch interruption for the
/// [`Watchdog`].
fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_exceptions(true);
    config.epoch_interruption(true);
    Engine::new(&config).expect("wasmtime engine")
}

/// `main` on native preview1, as `mmadapt_e2e::native::run` runs it, on
/// `engine`.
fn native(engine: &Engine, main: &[u8], run: &Run) -> Result<Outcome> {
    let module = Module::new(engine, main)
        .map_err(anyhow::Error::from)
        .context("compiling the wasip1 module")?;
    let (mut builder, capture) = run.wasi_builder()?;
    let mut store: Store<WasiP1Ctx> = Store::new(engine, builder.build_p1());
    store.set_epoch_deadline(1);
    let mut linker: Linker<WasiP1Ctx> = Linker::new(engine);
    p1::add_to_linker_sync(&mut linker, |cx| cx)?;
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(anyhow::Error::from)
        .context("instantiating the wasip1 module")?;
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(anyhow::Error::from)?;
    let exit = {
        let _watchdog = Watchdog::start(engine, run.timeout);
        Exit::from_call(start.call(&mut store, ()))
    };
    drop(store);
    capture.finish(exit)
}

/// The command component `wasm`, as `mmadapt_e2e::component::run` runs it,
/// on `engine`.
fn as_component(engine: &Engine, wasm: &[u8], run: &Run) -> Result<Outcome> {
    let component = Component::new(engine, wasm)
        .map_err(anyhow::Error::from)
        .context("compiling the component")?;
    let (mut store, capture) = component::store(engine, run)?;
    let linker = component::linker(engine)?;
    let command =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, &linker)
            .map_err(anyhow::Error::from)
            .context("instantiating the component")?;
    let exit = {
        let _watchdog = Watchdog::start(engine, run.timeout);
        Exit::from_run_result(command.wasi_cli_run().call_run(&mut store))
    };
    drop(store);
    capture.finish(exit)
}

#[test]
fn exnref_runs_as_a_component_as_natively() {
    let main = wat::parse_str(EXNREF).expect("the fixture parses");
    let engine = engine();
    let run = Run::new("exnref");
    let expected = native(&engine, &main, &run).expect("native run");
    assert_eq!(expected.stdout_str(), "caught, exit 3\n", "{expected:?}");
    assert_eq!(expected.exit, Exit::Code(3), "{expected:?}");
    let bytes = adapters::mmadapt(&main).expect("mmadapt component new");
    let actual = as_component(&engine, &bytes, &run).expect("component run");
    if let Some(diff) = expected.diff(&actual) {
        panic!("the component differs from the native run: {diff}");
    }
}
