//! Runs a WASI 0.2 command component on wasmtime (`wasmtime_wasi::p2`,
//! synchronous linker) with the same [`Run`] the native runner gets, so the
//! two outcomes can be compared.

use crate::inputs::Run;
use crate::outcome::{Capture, Exit, Outcome};
use crate::watchdog::Watchdog;
use anyhow::{Context, Result};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// The store data of a component run: a WASI context and its resources.
pub struct Host {
    pub ctx: WasiCtx,
    pub table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// A store with the WASI context of `run`, and a linker with WASI 0.2, for
/// any use of a component; [`run`] is the usual one.
pub fn store_and_linker(run: &Run) -> Result<(Store<Host>, Linker<Host>, Capture)> {
    let engine = crate::native::engine();
    let (store, capture) = store(engine, run)?;
    Ok((store, linker(engine)?, capture))
}

/// A store of `engine` with the WASI context of `run`, its epoch deadline
/// set for the [`Watchdog`].
pub fn store(engine: &Engine, run: &Run) -> Result<(Store<Host>, Capture)> {
    let (mut builder, capture) = run.wasi_builder()?;
    let mut store = Store::new(
        engine,
        Host {
            ctx: builder.build(),
            table: ResourceTable::new(),
        },
    );
    store.set_epoch_deadline(1);
    Ok((store, capture))
}

/// A linker of `engine` with WASI 0.2 (synchronous).
pub fn linker(engine: &Engine) -> Result<Linker<Host>> {
    let mut linker: Linker<Host> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    Ok(linker)
}

/// Runs the command component `wasm` (it must export `wasi:cli/run`) as
/// `run` describes. An `Err` is a harness failure (the component does not
/// compile or instantiate); everything the guest does is in the [`Outcome`].
pub fn run(wasm: &[u8], run: &Run) -> Result<Outcome> {
    run_on(crate::native::engine(), wasm, run)
}

/// [`run`] on `engine` (it must have epoch interruption on, for the
/// [`Watchdog`]): for a test that needs other wasm features.
pub fn run_on(engine: &Engine, wasm: &[u8], run: &Run) -> Result<Outcome> {
    let component = Component::new(engine, wasm)
        .map_err(anyhow::Error::from)
        .context("compiling the component")?;
    let (mut store, capture) = store(engine, run)?;
    let linker = linker(engine)?;
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
