//! Runs a wasip1 core module on wasmtime's native preview1
//! (`wasmtime_wasi::p1`, synchronous linker): the oracle of the end-to-end
//! tests.

use crate::inputs::Run;
use crate::outcome::{Exit, Outcome};
use crate::watchdog::Watchdog;
use anyhow::{Context, Result};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, OnceLock};
use wasmtime::{Config, Engine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};

/// The engine every native run uses: default configuration plus epoch
/// interruption (for [`Run::timeout`]). Shared so that compiled modules are
/// cached across runs; a timeout interrupts every run in flight on it,
/// which only matters when something already failed.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.epoch_interruption(true);
        Engine::new(&config).expect("wasmtime engine")
    })
}

/// Compiles `wasm` once per process (keyed by its contents).
fn module(wasm: &[u8]) -> Result<Module> {
    static CACHE: OnceLock<Mutex<HashMap<(u64, usize), Module>>> = OnceLock::new();
    let mut h = DefaultHasher::new();
    wasm.hash(&mut h);
    let key = (h.finish(), wasm.len());
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    if let Some(m) = cache.get(&key) {
        return Ok(m.clone());
    }
    let m = Module::new(engine(), wasm)
        .map_err(anyhow::Error::from)
        .context("compiling the wasip1 module")?;
    cache.insert(key, m.clone());
    Ok(m)
}

/// Runs the command module `wasm` (it must export `_start`) as `run`
/// describes, on native preview1. An `Err` is a harness failure (the module
/// doesn't compile or link, a directory can't be made); everything the
/// guest does, traps included, is in the [`Outcome`].
pub fn run(wasm: &[u8], run: &Run) -> Result<Outcome> {
    run_module(engine(), &module(wasm)?, run)
}

/// [`run`] on `engine` (it must have epoch interruption on, for the
/// [`Watchdog`]), compiling `wasm` afresh: for a test that needs other wasm
/// features.
pub fn run_on(engine: &Engine, wasm: &[u8], run: &Run) -> Result<Outcome> {
    let module = Module::new(engine, wasm)
        .map_err(anyhow::Error::from)
        .context("compiling the wasip1 module")?;
    run_module(engine, &module, run)
}

fn run_module(engine: &Engine, module: &Module, run: &Run) -> Result<Outcome> {
    let (mut builder, capture) = run.wasi_builder()?;
    let ctx: WasiP1Ctx = builder.build_p1();
    let mut store = Store::new(engine, ctx);
    store.set_epoch_deadline(1);
    let mut linker: Linker<WasiP1Ctx> = Linker::new(engine);
    p1::add_to_linker_sync(&mut linker, |cx| cx)?;
    let instance = linker
        .instantiate(&mut store, module)
        .map_err(anyhow::Error::from)
        .context("instantiating the wasip1 module")?;
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(anyhow::Error::from)
        .context("the module has no `_start` export of type [] -> []")?;
    let exit = {
        let _watchdog = Watchdog::start(engine, run.timeout);
        Exit::from_call(start.call(&mut store, ()))
    };
    // The pipes are shared with the context: drop it before reading them.
    drop(store);
    capture.finish(exit)
}
