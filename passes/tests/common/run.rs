//! Running modules in wasmtime: a split module with a host-supplied memory 0,
//! and the reference module with host-emulated memories.

use super::reference::{Reference, HOST};
use std::sync::OnceLock;
use wasmtime::{bail, Result};
use wasmtime::{Caller, Engine, Instance, Linker, Memory, MemoryType, Module, Store, Val, V128};

/// An argument of an exported function.
#[derive(Clone, Copy, Debug)]
pub enum Arg {
    I32(i32),
    I64(i64),
    /// Bit patterns, so NaNs pass through exactly.
    F32(u32),
    F64(u64),
    NullFuncRef,
    NullExternRef,
}

/// A result value, comparable bit for bit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bits {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    Other(String),
}

/// What a run produced: each call's results (or its trap, which ends the
/// run), and both memories afterwards.
#[derive(Debug)]
pub struct Outcome {
    pub results: Vec<Result<Vec<Bits>, String>>,
    pub user: Vec<u8>,
    pub private: Vec<u8>,
}

/// One call of an export.
pub type Call = (String, Vec<Arg>);

/// The user memory the host supplies.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Initial size in pages (no maximum).
    pub user_pages: u64,
    /// Bytes written over the pattern before the run.
    pub user_writes: Vec<(u32, Vec<u8>)>,
    /// Maximum size in pages (`None`: no maximum). Generated modules can
    /// grow memory, and a run copies both memories out at its end.
    pub user_max_pages: Option<u32>,
    /// Fuel per run of the split module (the reference gets
    /// [`REFERENCE_FUEL_FACTOR`] times as much: its accesses are host calls
    /// with extra operands). `None`: unbounded, on an engine without fuel.
    pub fuel: Option<u64>,
}

/// How much more fuel the reference gets than the split module.
pub const REFERENCE_FUEL_FACTOR: u64 = 4;

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            user_pages: 1,
            user_writes: Vec::new(),
            user_max_pages: None,
            fuel: None,
        }
    }
}

impl Setup {
    /// The initial user memory: a recognizable pattern, so a load from the
    /// wrong memory reads a different value, with the writes applied.
    pub fn user_image(&self) -> Vec<u8> {
        let mut image: Vec<u8> = (0..self.user_pages as u32 * 65536)
            .map(|i| (i.wrapping_mul(31).wrapping_add(7)) as u8)
            .collect();
        for (at, bytes) in &self.user_writes {
            image[*at as usize..*at as usize + bytes.len()].copy_from_slice(bytes);
        }
        image
    }
}

/// The features every engine here has.
fn config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config
        .wasm_multi_memory(true)
        .wasm_threads(true)
        .wasm_simd(true);
    config
}

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&config()).expect("engine"))
}

/// [`engine`] with fuel, for runs that must end (generated modules loop),
/// and a small stack without backtraces.
pub fn fuel_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = config();
        config
            .consume_fuel(true)
            // Generated modules recurse until the stack is exhausted; a
            // backtrace of that many frames took 15 s to capture and print
            // (a fuzzer's slow unit). The trap message is enough here.
            .wasm_backtrace_max_frames(None)
            .max_wasm_stack(256 * 1024);
        Engine::new(&config).expect("engine")
    })
}

/// The engine for a setup, and the store's fuel (scaled by `factor`).
fn engine_for(setup: &Setup, factor: u64) -> (&'static Engine, Option<u64>) {
    match setup.fuel {
        Some(f) => (fuel_engine(), Some(f.saturating_mul(factor))),
        None => (engine(), None),
    }
}

fn new_store<T>(engine: &Engine, fuel: Option<u64>, data: T) -> Store<T> {
    let mut store = Store::new(engine, data);
    if let Some(f) = fuel {
        store.set_fuel(f).expect("fuel enabled");
    }
    store
}

/// Whether a run's failure says nothing about the module: it ran out of fuel
/// or stack, whose amounts differ between a split module and its reference.
pub fn inconclusive(outcome: &Outcome) -> bool {
    outcome.results.iter().any(|r| match r {
        Err(e) => e.contains(OUT_OF_FUEL) || e.contains(STACK_EXHAUSTED),
        Ok(_) => false,
    })
}

const OUT_OF_FUEL: &str = "all fuel consumed";
const STACK_EXHAUSTED: &str = "call stack exhausted";

fn vals(args: &[Arg]) -> Vec<Val> {
    args.iter()
        .map(|a| match a {
            Arg::I32(v) => Val::I32(*v),
            Arg::I64(v) => Val::I64(*v),
            Arg::F32(v) => Val::F32(*v),
            Arg::F64(v) => Val::F64(*v),
            Arg::NullFuncRef => Val::FuncRef(None),
            Arg::NullExternRef => Val::ExternRef(None),
        })
        .collect()
}

fn bits(v: &Val) -> Bits {
    match v {
        Val::I32(x) => Bits::I32(*x),
        Val::I64(x) => Bits::I64(*x),
        Val::F32(x) => Bits::F32(*x),
        Val::F64(x) => Bits::F64(*x),
        Val::V128(x) => Bits::V128(x.as_u128()),
        // References are compared by nullness only: their debug form holds
        // store-specific indices.
        Val::FuncRef(f) => Bits::Other(format!("funcref null={}", f.is_none())),
        Val::ExternRef(r) => Bits::Other(format!("externref null={}", r.is_none())),
        Val::AnyRef(r) => Bits::Other(format!("anyref null={}", r.is_none())),
        other => Bits::Other(format!("{other:?}")),
    }
}

/// Runs the calls in order, stopping at the first trap.
fn call_all<T>(
    store: &mut Store<T>,
    instance: &Instance,
    calls: &[Call],
) -> Vec<Result<Vec<Bits>, String>> {
    let mut out = Vec::new();
    for (export, args) in calls {
        let r = call(store, instance, export, args);
        let trapped = r.is_err();
        out.push(r);
        if trapped {
            break;
        }
    }
    out
}

fn call<T>(
    store: &mut Store<T>,
    instance: &Instance,
    export: &str,
    args: &[Arg],
) -> Result<Vec<Bits>, String> {
    let func = instance
        .get_func(&mut *store, export)
        .unwrap_or_else(|| panic!("no export `{export}`"));
    let mut results = vec![Val::I32(0); func.ty(&*store).results().len()];
    // `{:#}`: the whole chain, so the trap's own message (out of fuel,
    // stack exhausted) is in the string, not just the backtrace context.
    func.call(&mut *store, &vals(args), &mut results)
        .map_err(|e| format!("{e:#}"))?;
    Ok(results.iter().map(bits).collect())
}

/// Runs calls of a split module with a host-supplied user memory.
pub fn run_split(split: &[u8], setup: &Setup, calls: &[Call]) -> Outcome {
    try_run_split(split, setup, calls).unwrap_or_else(|e| panic!("split module instantiates: {e}"))
}

/// [`run_split`], with a failed instantiation (a trap in the start function,
/// a segment out of bounds) as an error instead of a panic.
pub fn try_run_split(split: &[u8], setup: &Setup, calls: &[Call]) -> Result<Outcome, String> {
    let (engine, fuel) = engine_for(setup, 1);
    let module = Module::new(engine, split).expect("split module compiles");
    let mut store = new_store(engine, fuel, ());
    let user = Memory::new(
        &mut store,
        MemoryType::new(setup.user_pages as u32, setup.user_max_pages),
    )
    .unwrap();
    user.data_mut(&mut store)
        .copy_from_slice(&setup.user_image());
    let mut linker = Linker::new(engine);
    linker.define(&mut store, "env", "memory", user).unwrap();
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| format!("{e:#}"))?;
    let results = call_all(&mut store, &instance, calls);
    let private = instance
        .get_memory(&mut store, mmadapt_passes::PRIVATE_MEMORY_EXPORT)
        .expect("private memory exported");
    Ok(Outcome {
        results,
        user: user.data(&store).to_vec(),
        private: private.data(&store).to_vec(),
    })
}

/// The region kinds, as the reference host knows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    User,
    CopyOut,
    CopyIn,
}

struct Host {
    mems: [Vec<u8>; 2],
    max_pages: [Option<u64>; 2],
    region: Option<Kind>,
    segments: std::collections::HashMap<u32, Vec<u8>>,
}

const USER: usize = 0;
const PRIVATE: usize = 1;

impl Host {
    /// The memory reads go to, per the marker ABI.
    fn read_mem(&self) -> usize {
        match self.region {
            None | Some(Kind::CopyOut) => PRIVATE,
            Some(Kind::User) | Some(Kind::CopyIn) => USER,
        }
    }
    /// The memory writes go to.
    fn write_mem(&self) -> usize {
        match self.region {
            None | Some(Kind::CopyIn) => PRIVATE,
            Some(Kind::User) | Some(Kind::CopyOut) => USER,
        }
    }
    /// The memory of instructions that name a memory as a whole.
    fn whole_mem(&self) -> Result<usize> {
        match self.region {
            None => Ok(PRIVATE),
            Some(Kind::User) => Ok(USER),
            Some(k) => bail!("reference: whole-memory instruction in a {k:?} region"),
        }
    }
    fn range(&self, mem: usize, ea: u64, len: u64) -> Result<std::ops::Range<usize>> {
        if ea + len > self.mems[mem].len() as u64 {
            bail!("out of bounds memory access (reference, memory {mem})");
        }
        Ok(ea as usize..(ea + len) as usize)
    }
}

fn ea(addr: i32, off: i32) -> u64 {
    addr as u32 as u64 + off as u32 as u64
}

fn read_le(bytes: &[u8], signed: bool) -> i64 {
    let mut v: u64 = 0;
    for (i, b) in bytes.iter().enumerate() {
        v |= (*b as u64) << (8 * i);
    }
    let bits = 8 * bytes.len() as u32;
    if signed && bits < 64 {
        let shift = 64 - bits;
        ((v << shift) as i64) >> shift
    } else {
        v as i64
    }
}

fn write_le(bytes: &mut [u8], v: i64) {
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (v as u64 >> (8 * i)) as u8;
    }
}

fn host_linker(engine: &Engine) -> Linker<Host> {
    let mut l: Linker<Host> = Linker::new(engine);
    for (name, kind) in [
        ("user", Kind::User),
        ("copy_out", Kind::CopyOut),
        ("copy_in", Kind::CopyIn),
    ] {
        l.func_wrap(
            "mmadapt:region",
            &format!("{name}_begin"),
            move |mut c: Caller<'_, Host>| {
                if let Some(open) = c.data().region {
                    bail!("reference: {kind:?} region begins inside {open:?}");
                }
                c.data_mut().region = Some(kind);
                Ok(())
            },
        )
        .unwrap();
        l.func_wrap(
            "mmadapt:region",
            &format!("{name}_end"),
            move |mut c: Caller<'_, Host>| {
                if c.data().region != Some(kind) {
                    bail!("reference: {kind:?} region end without begin");
                }
                c.data_mut().region = None;
                Ok(())
            },
        )
        .unwrap();
    }
    l.func_wrap(
        HOST,
        "load",
        |c: Caller<'_, Host>, addr: i32, off: i32, width: i32, signed: i32| -> Result<i64> {
            let h = c.data();
            let m = h.read_mem();
            let r = h.range(m, ea(addr, off), width as u64)?;
            Ok(read_le(&h.mems[m][r], signed != 0))
        },
    )
    .unwrap();
    l.func_wrap(
        HOST,
        "store",
        |mut c: Caller<'_, Host>, addr: i32, v: i64, off: i32, width: i32| -> Result<()> {
            let h = c.data_mut();
            let m = h.write_mem();
            let r = h.range(m, ea(addr, off), width as u64)?;
            write_le(&mut h.mems[m][r], v);
            Ok(())
        },
    )
    .unwrap();
    l.func_wrap(
        HOST,
        "load128",
        |c: Caller<'_, Host>, addr: i32, off: i32| -> Result<V128> {
            let h = c.data();
            let m = h.read_mem();
            let r = h.range(m, ea(addr, off), 16)?;
            let mut b = [0u8; 16];
            b.copy_from_slice(&h.mems[m][r]);
            Ok(V128::from(u128::from_le_bytes(b)))
        },
    )
    .unwrap();
    l.func_wrap(
        HOST,
        "store128",
        |mut c: Caller<'_, Host>, addr: i32, v: V128, off: i32| -> Result<()> {
            let h = c.data_mut();
            let m = h.write_mem();
            let r = h.range(m, ea(addr, off), 16)?;
            h.mems[m][r].copy_from_slice(&v.as_u128().to_le_bytes());
            Ok(())
        },
    )
    .unwrap();
    l.func_wrap(
        HOST,
        "copy",
        |mut c: Caller<'_, Host>, dst: i32, src: i32, len: i32| -> Result<()> {
            let h = c.data_mut();
            let (sm, dm) = (h.read_mem(), h.write_mem());
            let sr = h.range(sm, src as u32 as u64, len as u32 as u64)?;
            let dr = h.range(dm, dst as u32 as u64, len as u32 as u64)?;
            let bytes = h.mems[sm][sr].to_vec();
            h.mems[dm][dr].copy_from_slice(&bytes);
            Ok(())
        },
    )
    .unwrap();
    l.func_wrap(
        HOST,
        "fill",
        |mut c: Caller<'_, Host>, dst: i32, val: i32, len: i32| -> Result<()> {
            let h = c.data_mut();
            let m = h.write_mem();
            let r = h.range(m, dst as u32 as u64, len as u32 as u64)?;
            h.mems[m][r].fill(val as u8);
            Ok(())
        },
    )
    .unwrap();
    l.func_wrap(
        HOST,
        "init",
        |mut c: Caller<'_, Host>, dst: i32, src: i32, len: i32, seg: i32| -> Result<()> {
            let h = c.data_mut();
            let m = h.write_mem();
            let data = h.segments.get(&(seg as u32)).cloned().unwrap_or_default();
            let (src, len) = (src as u32 as usize, len as u32 as usize);
            if src + len > data.len() {
                bail!("out of bounds memory.init (reference)");
            }
            let r = h.range(m, dst as u32 as u64, len as u64)?;
            h.mems[m][r].copy_from_slice(&data[src..src + len]);
            Ok(())
        },
    )
    .unwrap();
    l.func_wrap(HOST, "drop", |mut c: Caller<'_, Host>, seg: i32| {
        c.data_mut().segments.insert(seg as u32, Vec::new());
    })
    .unwrap();
    l.func_wrap(HOST, "size", |c: Caller<'_, Host>| -> Result<i32> {
        let h = c.data();
        Ok((h.mems[h.whole_mem()?].len() / 65536) as i32)
    })
    .unwrap();
    l.func_wrap(
        HOST,
        "grow",
        |mut c: Caller<'_, Host>, delta: i32| -> Result<i32> {
            let h = c.data_mut();
            let m = h.whole_mem()?;
            let old = (h.mems[m].len() / 65536) as u64;
            let new = old + delta as u32 as u64;
            if new > h.max_pages[m].unwrap_or(65536) {
                return Ok(-1);
            }
            h.mems[m].resize(new as usize * 65536, 0);
            Ok(old as i32)
        },
    )
    .unwrap();
    l.func_wrap(
        HOST,
        "rmw",
        |mut c: Caller<'_, Host>,
         addr: i32,
         v: i64,
         off: i32,
         width: i32,
         op: i32|
         -> Result<i64> {
            let h = c.data_mut();
            let m = h.whole_mem()?;
            let r = h.range(m, ea(addr, off), width as u64)?;
            let old = read_le(&h.mems[m][r.clone()], false);
            let new = match op {
                0 => old.wrapping_add(v),
                1 => old.wrapping_sub(v),
                2 => old & v,
                3 => old | v,
                4 => old ^ v,
                _ => v,
            };
            write_le(&mut h.mems[m][r], new);
            Ok(old)
        },
    )
    .unwrap();
    l.func_wrap(
        HOST,
        "cmpxchg",
        |mut c: Caller<'_, Host>,
         addr: i32,
         exp: i64,
         rep: i64,
         off: i32,
         width: i32|
         -> Result<i64> {
            let h = c.data_mut();
            let m = h.whole_mem()?;
            let r = h.range(m, ea(addr, off), width as u64)?;
            let old = read_le(&h.mems[m][r.clone()], false);
            let mask = if width == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * width)) - 1
            };
            if old as u64 & mask == exp as u64 & mask {
                write_le(&mut h.mems[m][r], rep);
            }
            Ok(old)
        },
    )
    .unwrap();
    l
}

/// Runs calls of the reference module.
pub fn run_reference(reference: &Reference, setup: &Setup, calls: &[Call]) -> Outcome {
    try_run_reference(reference, setup, calls)
        .unwrap_or_else(|e| panic!("reference instantiates: {e}"))
}

/// [`run_reference`], with a failed instantiation as an error.
pub fn try_run_reference(
    reference: &Reference,
    setup: &Setup,
    calls: &[Call],
) -> Result<Outcome, String> {
    let (engine, fuel) = engine_for(setup, REFERENCE_FUEL_FACTOR);
    let module = Module::new(engine, &reference.bytes).expect("reference compiles");
    let mut store = new_store(
        engine,
        fuel,
        Host {
            mems: [setup.user_image(), reference.private_init.clone()],
            max_pages: [
                setup.user_max_pages.map(u64::from),
                reference.private_max_pages,
            ],
            region: None,
            segments: reference.segments.clone(),
        },
    );
    let linker = host_linker(engine);
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| format!("{e:#}"))?;
    let results = call_all(&mut store, &instance, calls);
    let h = store.into_data();
    let [user, private] = h.mems;
    Ok(Outcome {
        results,
        user,
        private,
    })
}

/// Runs calls of an unsplit module: its own memory is the user memory, and
/// the markers are no-ops. The host copies the setup's image into `area` of
/// that memory (the part the module leaves to user data). `user` is the whole
/// memory afterwards; `private` is empty.
pub fn run_unsplit(
    original: &[u8],
    setup: &Setup,
    area: std::ops::Range<usize>,
    calls: &[Call],
) -> Outcome {
    let engine = engine();
    let module = Module::new(engine, original).expect("unsplit module compiles");
    let mut store = Store::new(engine, ());
    let mut linker: Linker<()> = Linker::new(engine);
    for kind in ["user", "copy_out", "copy_in"] {
        for edge in ["begin", "end"] {
            linker
                .func_wrap("mmadapt:region", &format!("{kind}_{edge}"), || {})
                .unwrap();
        }
    }
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("unsplit module instantiates");
    let memory = instance
        .get_memory(&mut store, "memory")
        .expect("unsplit module exports its memory");
    let image = setup.user_image();
    memory.data_mut(&mut store)[area.clone()].copy_from_slice(&image[area]);
    let results = call_all(&mut store, &instance, calls);
    Outcome {
        results,
        user: memory.data(&store).to_vec(),
        private: Vec::new(),
    }
}

/// Compares the results of two outcomes call by call.
pub fn compare_results(expected: &Outcome, actual: &Outcome) -> Result<(), String> {
    if expected.results.len() != actual.results.len() {
        return Err(format!(
            "{} calls completed in the reference, {} in the split module",
            expected.results.len(),
            actual.results.len()
        ));
    }
    for (i, (e, a)) in expected.results.iter().zip(&actual.results).enumerate() {
        match (e, a) {
            (Ok(e), Ok(a)) if e != a => {
                return Err(format!(
                    "call {i}: results differ: reference {e:?}, split {a:?}"
                ))
            }
            (Ok(_), Err(t)) => {
                return Err(format!("call {i}: split trapped ({t}), reference did not"))
            }
            (Err(t), Ok(_)) => {
                return Err(format!("call {i}: reference trapped ({t}), split did not"))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Compares two outcomes: results, then both memories byte for byte.
pub fn compare(expected: &Outcome, actual: &Outcome) -> Result<(), String> {
    compare_results(expected, actual)?;
    for (name, a, b) in [
        ("user memory (0)", &expected.user, &actual.user),
        ("private memory (1)", &expected.private, &actual.private),
    ] {
        if a.len() != b.len() {
            return Err(format!(
                "{name}: size {} in reference, {} in split",
                a.len(),
                b.len()
            ));
        }
        if let Some(i) = a.iter().zip(b.iter()).position(|(x, y)| x != y) {
            return Err(format!(
                "{name}: byte {i:#x} is {:#04x} in reference, {:#04x} in split",
                a[i], b[i]
            ));
        }
    }
    Ok(())
}
