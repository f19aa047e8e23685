//! The differential fuzzer's runners and comparison: a [`p1script::Case`]
//! runs on native preview1 (the oracle) and as a component, each in fresh
//! preopens built the same way ([`p1script::preopens`]), and the two
//! outcomes are compared per call (the interpreter's log lines: errno or
//! trap, every byte the call changed in its arenas), then the memory hash
//! at the end, stderr, the exit and the files left behind.
//!
//! The module and the component are compiled once ([`Native::new`],
//! [`Componentized::new`]) and instantiated per case. Used by
//! `e2e/tests/differential.rs` and by the cargo-fuzz target
//! `fuzz/fuzz_targets/differential.rs` (which includes this file,
//! `inputs.rs`, `outcome.rs`, `watchdog.rs`, `native.rs`, `component.rs`
//! and `p1script.rs` by path).

use crate::component::Host;
use crate::inputs::Run;
use crate::outcome::{Exit, Outcome};
use crate::p1script::{self, Case, FUNCTIONS};
use crate::watchdog::Watchdog;
use anyhow::{Context, Result};
use std::sync::OnceLock;
use std::time::Duration;
use wasmtime::component::Component;
use wasmtime::{Caller, Config, Engine, Linker, Module, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::bindings::sync::CommandPre;

/// The engine of the differential runs: like [`crate::native::engine`]
/// (epoch interruption for the timeout) but with small memory
/// reservations and the pooling allocator, so that the many short runs do
/// not spend their time mapping and unmapping address space.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.memory_reservation(64 << 20);
        config.memory_guard_size(64 << 10);
        config.memory_reservation_for_growth(1 << 20);
        let mut pool = wasmtime::PoolingAllocationConfig::default();
        pool.total_memories(64)
            .total_core_instances(64)
            .total_component_instances(16)
            .total_tables(64)
            .max_memory_size(64 << 20);
        config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        Engine::new(&config).expect("wasmtime engine")
    })
}

/// A change to native preview1, to show that the comparison notices a
/// divergence (the planted-divergence test).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plant {
    /// `sched_yield` returns `EAGAIN` instead of success.
    SchedYieldErrno,
    /// `random_get` also writes one byte just past its buffer.
    RandomGetOverrun,
}

/// The interpreter module on native preview1, compiled and linked once.
pub struct Native {
    pre: wasmtime::InstancePre<WasiP1Ctx>,
}

impl Native {
    pub fn new(wasm: &[u8], plant: Option<Plant>) -> Result<Native> {
        let engine = engine();
        let module = Module::new(engine, wasm)
            .map_err(anyhow::Error::from)
            .context("compiling the interpreter")?;
        let mut linker: Linker<WasiP1Ctx> = Linker::new(engine);
        p1::add_to_linker_sync(&mut linker, |cx| cx)?;
        linker.allow_shadowing(true);
        const M: &str = "wasi_snapshot_preview1";
        match plant {
            None => {}
            Some(Plant::SchedYieldErrno) => {
                linker.func_wrap(M, "sched_yield", |_: Caller<'_, WasiP1Ctx>| -> i32 { 6 })?;
            }
            Some(Plant::RandomGetOverrun) => {
                linker.func_wrap(
                    M,
                    "random_get",
                    |mut c: Caller<'_, WasiP1Ctx>, buf: i32, len: i32| -> wasmtime::Result<i32> {
                        let mem = c
                            .get_export("memory")
                            .and_then(|e| e.into_memory())
                            .ok_or_else(|| wasmtime::Error::msg("no memory"))?;
                        let (buf, len) = (buf as u32 as usize, len as u32 as usize);
                        let data = mem.data_mut(&mut c);
                        let end = buf
                            .checked_add(len)
                            .filter(|e| *e <= data.len())
                            .ok_or_else(|| wasmtime::Error::msg("out of bounds"))?;
                        data[buf..end].fill(0x42);
                        if end < data.len() {
                            data[end] ^= 0x01;
                        }
                        Ok(0)
                    },
                )?;
            }
        }
        Ok(Native {
            pre: linker
                .instantiate_pre(&module)
                .map_err(anyhow::Error::from)?,
        })
    }

    /// Runs `run` (as [`crate::native::run`] does).
    pub fn run(&self, run: &Run) -> Result<Outcome> {
        let engine = engine();
        let (mut builder, capture) = run.wasi_builder()?;
        let mut store = Store::new(engine, builder.build_p1());
        store.set_epoch_deadline(1);
        let instance = self
            .pre
            .instantiate(&mut store)
            .map_err(anyhow::Error::from)?;
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
}

/// A command component, compiled and linked once.
pub struct Componentized {
    pre: CommandPre<Host>,
}

impl Componentized {
    pub fn new(wasm: &[u8]) -> Result<Componentized> {
        let engine = engine();
        let component = Component::new(engine, wasm)
            .map_err(anyhow::Error::from)
            .context("compiling the component")?;
        let linker = crate::component::linker(engine)?;
        let pre = CommandPre::new(
            linker
                .instantiate_pre(&component)
                .map_err(anyhow::Error::from)?,
        )
        .map_err(anyhow::Error::from)?;
        Ok(Componentized { pre })
    }

    /// Runs `run` (as [`crate::component::run`] does).
    pub fn run(&self, run: &Run) -> Result<Outcome> {
        let engine = engine();
        let (mut store, capture) = crate::component::store(engine, run)?;
        let command = self
            .pre
            .instantiate(&mut store)
            .map_err(anyhow::Error::from)?;
        let exit = {
            let _watchdog = Watchdog::start(engine, run.timeout);
            Exit::from_run_result(command.wasi_cli_run().call_run(&mut store))
        };
        drop(store);
        capture.finish(exit)
    }
}

/// The [`Run`] of a case: its command line, environment, the script on
/// stdin, the two preopens.
pub fn run_of(case: &Case) -> Run {
    let mut r = Run::new(case.args[0].clone())
        .args(case.args[1..].iter().cloned())
        .stdin(case.stdin_bytes())
        .timeout(Duration::from_secs(30));
    for (k, v) in &case.env {
        r = r.env(k.clone(), v.clone());
    }
    for p in p1script::preopens() {
        r = r.preopen(p);
    }
    r
}

/// Where a case diverged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The first call whose result differs (`None`: only what is left at
    /// the end differs: files, stderr, exit, the memory hash).
    pub call: Option<usize>,
    /// Its function, or `-`.
    pub function: String,
    /// `errno`, `memory` (same errno, other bytes), `trap` (one side
    /// trapped at this call), `memory-outside-arenas`, `stderr`, `files`,
    /// `exit`.
    pub kind: &'static str,
    /// The two sides' lines and [`Outcome::diff`].
    pub detail: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.call {
            Some(c) => write!(f, "call {c} ({}): {}", self.function, self.kind)?,
            None => write!(f, "at the end: {}", self.kind)?,
        }
        write!(f, "\n{}", self.detail)
    }
}

/// The log lines of an interpreter's stdout (`N function ...`), by call
/// number; the script's own writes to stdout end up in front of them.
fn log_lines(stdout: &[u8]) -> Vec<String> {
    let s = String::from_utf8_lossy(stdout);
    let mut out = Vec::new();
    for line in s.lines() {
        // A line may start with bytes the script wrote itself.
        let want = format!("{} ", out.len());
        let start = line.match_indices(&want).map(|(i, _)| i).find(|&i| {
            let after_digit = line[..i].ends_with(|c: char| c.is_ascii_digit());
            let name = line[i + want.len()..].split(' ').next();
            !after_digit && name.is_some_and(|f| FUNCTIONS.contains(&f))
        });
        if let Some(pos) = start {
            out.push(line[pos..].to_string());
            continue;
        }
        if let Some(pos) = line.rfind("end ") {
            out.push(line[pos..].to_string());
        }
    }
    out
}

/// Compares the native outcome `expected` with `actual`; `None` when they
/// are the same.
pub fn compare(case: &Case, expected: &Outcome, actual: &Outcome) -> Option<Divergence> {
    let diff = expected.diff(actual)?;
    let (a, b) = (log_lines(&expected.stdout), log_lines(&actual.stdout));
    let first = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let func = |i: usize| {
        case.steps
            .get(i)
            .map_or("-".to_string(), |s| FUNCTIONS[s.func as usize].to_string())
    };
    let errno = |l: &str| l.split(' ').nth(2).map(str::to_string);
    let (call, kind) = match (a.get(first), b.get(first)) {
        (Some(x), Some(y)) if x.starts_with("end ") || y.starts_with("end ") => {
            if x.starts_with("end ") && y.starts_with("end ") {
                (None, "memory-outside-arenas")
            } else {
                (Some(first), "trap")
            }
        }
        (Some(x), Some(y)) if errno(x) != errno(y) => (Some(first), "errno"),
        (Some(_), Some(_)) => (Some(first), "memory"),
        (Some(_), None) | (None, Some(_)) => (Some(first), "trap"),
        (None, None) => {
            if expected.stdout != actual.stdout {
                (None, "stdout")
            } else if expected.stderr != actual.stderr {
                (None, "stderr")
            } else if expected.files != actual.files {
                (None, "files")
            } else {
                (None, "exit")
            }
        }
    };
    let function = call.map_or("-".to_string(), func);
    let show = |v: &[String]| {
        v.get(first)
            .map_or("(none)".to_string(), |l| l.chars().take(400).collect())
    };
    let detail = format!("native:    {}\ncomponent: {}\n{diff}", show(&a), show(&b));
    Some(Divergence {
        call,
        function,
        kind,
        detail,
    })
}

/// Runs `case` natively and as the component; the divergence, if any.
pub fn check(
    native: &Native,
    component: &Componentized,
    case: &Case,
) -> Result<Option<Divergence>> {
    Ok(check_counted(native, component, case)?.0)
}

/// [`check`], and how many calls the native run performed (the calls that
/// returned, plus the one that trapped).
pub fn check_counted(
    native: &Native,
    component: &Componentized,
    case: &Case,
) -> Result<(Option<Divergence>, usize)> {
    let run = run_of(case);
    let expected = native.run(&run).context("native run")?;
    let actual = component.run(&run).context("component run")?;
    let returned = log_lines(&expected.stdout)
        .iter()
        .filter(|l| !l.starts_with("end "))
        .count();
    let performed = (returned + usize::from(expected.exit.is_trap())).min(case.calls());
    Ok((compare(case, &expected, &actual), performed))
}

/// The smallest case found by deleting steps (and then the command line,
/// environment and stdin data) whose divergence is still of the same
/// function and kind.
pub fn shrink(native: &Native, component: &Componentized, case: &Case, d: &Divergence) -> Case {
    let same = |c: &Case| matches!(check(native, component, c), Ok(Some(e)) if e.function == d.function && e.kind == d.kind);
    let mut best = case.clone();
    // Steps after the divergence cannot matter (unless it is at the end).
    if let Some(call) = d.call {
        let mut c = best.clone();
        c.steps.truncate(call + 1);
        if same(&c) {
            best = c;
        }
    }
    let mut i = best.steps.len();
    while i > 0 {
        i -= 1;
        let mut c = best.clone();
        c.steps.remove(i);
        if same(&c) {
            best = c;
        }
    }
    let mut c = best.clone();
    c.args.truncate(1);
    c.env.clear();
    if same(&c) {
        best = c;
    }
    let mut c = best.clone();
    c.stdin.clear();
    if same(&c) {
        best = c;
    }
    best
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_lines_skip_what_the_script_wrote() {
        let out = b"0 args_sizes_get 0 L6612=04000000\nhello1 fd_write 0 L1=00\n2 sched_yield 0\nend 3 memory 00\n";
        assert_eq!(
            super::log_lines(out),
            [
                "0 args_sizes_get 0 L6612=04000000",
                "1 fd_write 0 L1=00",
                "2 sched_yield 0",
                "end 3 memory 00"
            ]
        );
    }
}
