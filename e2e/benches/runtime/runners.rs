//! The three ways a workload runs, all on one engine, each pre-linked once
//! so a run pays only for instantiation and the guest: the wasip1 module on
//! wasmtime's native preview1, and the components the standard adapter and
//! mmadapt make from it, on WASI 0.2.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::time::{Duration, Instant};
use wasmtime::component::{self, ResourceTable};
use wasmtime::{Engine, InstancePre, Module, ResourceLimiter, Store, StoreLimits};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::bindings::sync::{Command, CommandPre};
use wasmtime_wasi::p2::pipe::{MemoryOutputPipe, SinkOutputStream};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Variant {
    Native,
    Standard,
    Mmadapt,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Native, Variant::Standard, Variant::Mmadapt];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Native => "native",
            Variant::Standard => "standard",
            Variant::Mmadapt => "mmadapt",
        }
    }
}

/// Counts the bytes of linear memory a store's instances reserve: every
/// memory's initial size and each growth pass through here.
#[derive(Default)]
pub struct MemoryCount {
    pub bytes: usize,
}

impl ResourceLimiter for MemoryCount {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.bytes += desired - current;
        StoreLimits::default().memory_growing(current, desired, max)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        StoreLimits::default().table_growing(current, desired, max)
    }
}

pub struct NativeHost {
    p1: WasiP1Ctx,
    memory: MemoryCount,
}

pub struct ComponentHost {
    ctx: WasiCtx,
    table: ResourceTable,
    memory: MemoryCount,
}

impl WasiView for ComponentHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// A finished run: what the guest wrote on stderr, and the host's view.
pub struct Ran {
    pub stderr: String,
    /// Instantiation plus the guest's `_start` / `run`.
    pub wall: Duration,
    /// Linear memory the instance reserved, in bytes.
    pub linear_memory: usize,
}

/// A live instance kept for the resident-memory row (held, never read).
#[allow(dead_code)]
pub enum Live {
    Native(Store<NativeHost>),
    Component(Store<ComponentHost>),
}

pub struct Runners {
    engine: Engine,
    native: InstancePre<NativeHost>,
    standard: CommandPre<ComponentHost>,
    mmadapt: CommandPre<ComponentHost>,
    fixture: std::path::PathBuf,
}

impl Runners {
    pub fn new(module: &[u8], standard: &[u8], mmadapt: &[u8], fixture: &Path) -> Result<Runners> {
        let engine = Engine::default();
        let module = Module::new(&engine, module)
            .map_err(anyhow::Error::from)
            .context("compiling the wasip1 module")?;
        let mut linker = wasmtime::Linker::<NativeHost>::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |h| &mut h.p1)?;
        let native = linker.instantiate_pre(&module)?;
        let mut linker = component::Linker::<ComponentHost>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        let pre = |bytes: &[u8], what: &str| -> Result<CommandPre<ComponentHost>> {
            let c = component::Component::new(&engine, bytes)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("compiling the {what} component"))?;
            Ok(CommandPre::new(linker.instantiate_pre(&c)?)?)
        };
        Ok(Runners {
            standard: pre(standard, "standard adapter's")?,
            mmadapt: pre(mmadapt, "mmadapt")?,
            engine,
            native,
            fixture: fixture.to_path_buf(),
        })
    }

    fn builder(
        &self,
        args: &[String],
        env: &[(String, String)],
    ) -> Result<(WasiCtxBuilder, MemoryOutputPipe)> {
        let mut b = WasiCtxBuilder::new();
        b.args(args).envs(env).stdout(SinkOutputStream);
        // As `wasmtime run` does (without a timeout): file I/O on the
        // calling thread instead of a blocking-task pool.
        b.allow_blocking_current_thread(true);
        let stderr = MemoryOutputPipe::new(1 << 16);
        b.stderr(stderr.clone());
        b.preopened_dir(&self.fixture, "/bench", FsPerms::ReadWrite)?;
        Ok((b, stderr))
    }

    /// Runs the guest once as `variant`; fails unless it exits with 0.
    pub fn run(&self, variant: Variant, args: &[String], env: &[(String, String)]) -> Result<Ran> {
        let (mut b, stderr) = self.builder(args, env)?;
        let (wall, linear_memory) = match variant {
            Variant::Native => {
                let mut store = self.native_store(&mut b);
                let t = Instant::now();
                let instance = self.native.instantiate(&mut store)?;
                let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
                exit_ok(start.call(&mut store, ()))?;
                (t.elapsed(), store.data().memory.bytes)
            }
            Variant::Standard | Variant::Mmadapt => {
                let mut store = self.component_store(&mut b);
                let t = Instant::now();
                let command = self.pre(variant).instantiate(&mut store)?;
                match command.wasi_cli_run().call_run(&mut store) {
                    Ok(Ok(())) => {}
                    Ok(Err(())) => bail!("the component's run returned an error"),
                    Err(e) => exit_ok(Err(e))?,
                }
                (t.elapsed(), store.data().memory.bytes)
            }
        };
        let stderr = String::from_utf8_lossy(&stderr.contents()).into_owned();
        Ok(Ran {
            stderr,
            wall,
            linear_memory,
        })
    }

    /// Instantiates and runs the guest, then keeps the instance alive.
    pub fn live(&self, variant: Variant, args: &[String]) -> Result<Live> {
        let (mut b, _) = self.builder(args, &[])?;
        Ok(match variant {
            Variant::Native => {
                let mut store = self.native_store(&mut b);
                let instance = self.native.instantiate(&mut store)?;
                let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
                exit_ok(start.call(&mut store, ()))?;
                Live::Native(store)
            }
            _ => {
                let mut store = self.component_store(&mut b);
                let command: Command = self.pre(variant).instantiate(&mut store)?;
                let _ = command.wasi_cli_run().call_run(&mut store)?;
                Live::Component(store)
            }
        })
    }

    fn pre(&self, variant: Variant) -> &CommandPre<ComponentHost> {
        match variant {
            Variant::Standard => &self.standard,
            _ => &self.mmadapt,
        }
    }

    fn native_store(&self, b: &mut WasiCtxBuilder) -> Store<NativeHost> {
        let mut store = Store::new(
            &self.engine,
            NativeHost {
                p1: b.build_p1(),
                memory: MemoryCount::default(),
            },
        );
        store.limiter(|h| &mut h.memory);
        store
    }

    fn component_store(&self, b: &mut WasiCtxBuilder) -> Store<ComponentHost> {
        let mut store = Store::new(
            &self.engine,
            ComponentHost {
                ctx: b.build(),
                table: ResourceTable::new(),
                memory: MemoryCount::default(),
            },
        );
        store.limiter(|h| &mut h.memory);
        store
    }
}

/// `proc_exit(0)` ends a run well too.
fn exit_ok(r: wasmtime::Result<()>) -> Result<()> {
    match r {
        Ok(()) => Ok(()),
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(x) if x.0 == 0 => Ok(()),
            _ => Err(e.into()),
        },
    }
}
