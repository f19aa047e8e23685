//! Random inputs for the split pass: wasm-smith modules with region markers
//! inserted, plus the calls to make and the user memory to make them with.
//!
//! Shared by `tests/properties.rs` and the cargo-fuzz target
//! `fuzz/fuzz_targets/split.rs` (which includes this directory by path), so
//! a fuzzer finding reproduces as a property-test case and vice versa.

use super::run::{Arg, Call, Setup};
use arbitrary::{Result, Unstructured};
use mmadapt_ir::walk::all_seqs;
use walrus::ir::{
    Call as CallInstr, Const, Instr, Load, LoadKind, MemArg, MemoryCopy, MemoryFill, Store,
    StoreKind, Value,
};
use walrus::{ExportItem, FunctionId, InstrLocId, MemoryId, RefType, ValType};

/// The six marker imports, as (kind, begin, end).
pub const MARKERS: [(&str, &str); 3] = [
    ("user_begin", "user_end"),
    ("copy_out_begin", "copy_out_end"),
    ("copy_in_begin", "copy_in_end"),
];

/// How the markers were placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// walrus could not lift the wasm-smith module: it goes to the split
    /// unchanged (the split must fail cleanly, or succeed).
    Unlifted,
    /// Each region wraps a contiguous range of one instruction sequence:
    /// balanced on the straight path, so most of these split.
    Bracketed,
    /// Begins and ends scattered independently: mostly rejected.
    Scattered,
}

pub struct SplitCase {
    pub wasm: Vec<u8>,
    pub placement: Placement,
    pub setup: Setup,
    pub calls: Vec<Call>,
}

/// Fuel for one run of a split module: enough for loops to do real work,
/// small enough that a debug-build test stays fast.
pub const FUEL: u64 = 100_000;

/// The wasm-smith configuration: one memory of the module's own, with a
/// maximum (runs copy both memories out), no imports (the split rejects a
/// call to an import inside a region, and the run has nothing to link them
/// to), and the features both the passes and the reference support. What
/// varies per case: whether wasm-smith guards accesses against traps
/// (without, most random addresses trap at once), and bulk memory.
pub fn smith_config(u: &mut Unstructured) -> Result<wasm_smith::Config> {
    let disallow_traps = u.ratio(2, 3)?;
    let bulk_memory_enabled = u.ratio(3, 4)?;
    Ok(wasm_smith::Config {
        min_memories: 1,
        max_memories: 1,
        memory_max_size_required: true,
        max_memory32_bytes: 4 * 65536,
        memory64_enabled: false,
        max_imports: 0,
        // Functions need a function type to exist first.
        min_types: 1,
        min_funcs: 2,
        max_funcs: 8,
        // Every function is exported, so every function can be called.
        export_everything: true,
        max_instructions: 60,
        max_data_segments: 4,
        max_element_segments: 2,
        max_tables: 1,
        max_table_elements: 16,
        max_globals: 4,
        max_types: 12,
        max_type_size: 32,
        max_nesting_depth: 4,
        max_tags: 0,
        disallow_traps,
        bulk_memory_enabled,
        // The reference emulates each float load/store bit for bit, but float
        // arithmetic may make NaNs whose payload depends on code generation.
        canonicalize_nans: true,
        // Unsupported by the reference (see `Reference::unsupported`) or by the
        // test engine: SIMD, atomics and shared memory, exceptions, GC.
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        // The reference applies data segments itself and needs plain offsets.
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        ..wasm_smith::Config::default()
    })
}

/// Generates one case from `u`.
pub fn split_case(u: &mut Unstructured) -> Result<SplitCase> {
    let config = smith_config(u)?;
    let smith = wasm_smith::Module::new(config, u)?.to_bytes();
    let placement = if u.ratio(1, 4)? {
        Placement::Scattered
    } else {
        Placement::Bracketed
    };
    let (wasm, placement, calls) = match walrus::ModuleConfig::new()
        .generate_producers_section(false)
        .parse(&smith)
    {
        Ok(mut module) => {
            insert_markers(u, &mut module, placement)?;
            let calls = calls(u, &module)?;
            let wasm = module.emit_wasm();
            (wasm, placement, calls)
        }
        Err(_) => (smith, Placement::Unlifted, Vec::new()),
    };
    let user_pages = u.int_in_range(0..=2)?;
    let mut user_writes = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        if user_pages == 0 {
            break;
        }
        let len = u.int_in_range(1..=16)?;
        let at = u.int_in_range(0..=(user_pages * 65536 - len))?;
        user_writes.push((at, (0..len).map(|i| (i * 13 + at) as u8).collect()));
    }
    let setup = Setup {
        user_pages: user_pages as u64,
        user_writes,
        user_max_pages: Some(user_pages + u.int_in_range(0..=2)?),
        fuel: Some(FUEL),
    };
    Ok(SplitCase {
        wasm,
        placement,
        setup,
        calls,
    })
}

/// Adds the six marker imports and calls to them.
fn insert_markers(
    u: &mut Unstructured,
    module: &mut walrus::Module,
    placement: Placement,
) -> Result<()> {
    let local: Vec<FunctionId> = module.funcs.iter_local().map(|(id, _)| id).collect();
    let memory = module.memories.iter().next().map(|m| m.id());
    let ty = module.types.add(&[], &[]);
    let mut markers = Vec::new();
    for (begin, end) in MARKERS {
        let b = module.add_import_func("mmadapt:region", begin, ty).0;
        let e = module.add_import_func("mmadapt:region", end, ty).0;
        markers.push((b, e));
    }
    if local.is_empty() {
        return Ok(());
    }
    let call = |f: FunctionId| (Instr::Call(CallInstr { func: f }), InstrLocId::default());
    // Bracketed regions go one per sequence (sequence ids are per
    // function), so they never overlap.
    let mut used = Vec::new();
    for _ in 0..u.int_in_range(1..=4)? {
        let fid = *u.choose(&local)?;
        let func = module.funcs.get_mut(fid).kind.unwrap_local_mut();
        let seq = *u.choose(&all_seqs(func))?;
        // User regions are the common kind; copy regions reject the
        // `memory.size` that trap-free wasm-smith code uses.
        let (begin, end) = markers[*u.choose(&[0, 0, 0, 1, 2])?];
        let instrs = &mut func.block_mut(seq).instrs;
        let len = instrs.len();
        match placement {
            Placement::Bracketed => {
                if used.contains(&(fid, seq)) {
                    continue;
                }
                used.push((fid, seq));
                // The whole sequence a third of the time: regions that span
                // calls (so callees are cloned) and loops.
                let (i, j) = if u.ratio(1, 3)? {
                    (0, len)
                } else {
                    let i = u.int_in_range(0..=len)?;
                    (i, u.int_in_range(i..=len)?)
                };
                // Stop before a branch or return at the region's own level,
                // which would leave it open (an error, tested by Scattered).
                let mut j = (i..j).find(|&k| leaves(&instrs[k].0)).unwrap_or(j);
                // Accesses at small constant addresses, so user memory sees
                // traffic (random wasm-smith addresses rarely land in it).
                if let Some(memory) = memory {
                    for _ in 0..u.int_in_range(0..=2)? {
                        let at = u.int_in_range(i..=j)?;
                        let snippet = access(u, memory)?;
                        j += snippet.len();
                        instrs.splice(
                            at..at,
                            snippet.into_iter().map(|x| (x, InstrLocId::default())),
                        );
                    }
                }
                instrs.insert(j, call(end));
                instrs.insert(i, call(begin));
            }
            Placement::Scattered | Placement::Unlifted => {
                let marker = if u.arbitrary()? { begin } else { end };
                let at = u.int_in_range(0..=len)?;
                instrs.insert(at, call(marker));
            }
        }
    }
    Ok(())
}

/// A stack-neutral sequence of memory instructions at constant addresses
/// (mostly inside one page): a load whose value is stored elsewhere (so a
/// copy region moves it between the memories), a `memory.copy` or a
/// `memory.fill`.
fn access(u: &mut Unstructured, memory: MemoryId) -> Result<Vec<Instr>> {
    let addr = |u: &mut Unstructured| -> Result<Instr> {
        let a: i32 = if u.ratio(7, 8)? {
            u.int_in_range(0..=65_500)?
        } else {
            u.int_in_range(0..=200_000)?
        };
        Ok(i32c(a))
    };
    let arg = MemArg {
        align: 1,
        offset: 0,
    };
    Ok(match u.int_in_range(0..=2)? {
        0 => vec![
            addr(u)?,
            addr(u)?,
            Instr::Load(Load {
                memory,
                kind: LoadKind::I32 { atomic: false },
                arg,
            }),
            Instr::Store(Store {
                memory,
                kind: StoreKind::I32 { atomic: false },
                arg,
            }),
        ],
        1 => vec![
            addr(u)?,
            addr(u)?,
            i32c(u.int_in_range(0..=64)?),
            Instr::MemoryCopy(MemoryCopy {
                src: memory,
                dst: memory,
            }),
        ],
        _ => vec![
            addr(u)?,
            i32c(u.arbitrary()?),
            i32c(u.int_in_range(0..=64)?),
            Instr::MemoryFill(MemoryFill { memory }),
        ],
    })
}

fn i32c(v: i32) -> Instr {
    Instr::Const(Const {
        value: Value::I32(v),
    })
}

/// Whether `instr` leaves its sequence other than by falling through.
fn leaves(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::Br(_)
            | Instr::BrIf(_)
            | Instr::BrTable(_)
            | Instr::BrOnNull(_)
            | Instr::BrOnNonNull(_)
            | Instr::BrOnCast(_)
            | Instr::BrOnCastFail(_)
            | Instr::Return(_)
            | Instr::ReturnCall(_)
            | Instr::ReturnCallIndirect(_)
            | Instr::ReturnCallRef(_)
            | Instr::Throw(_)
            | Instr::ThrowRef(_)
            | Instr::Rethrow(_)
    )
}

/// Up to six calls of exported functions (references passed as null), with
/// integer arguments biased towards small addresses (so accesses land in
/// memory).
fn calls(u: &mut Unstructured, module: &walrus::Module) -> Result<Vec<Call>> {
    let mut callable = Vec::new();
    for e in module.exports.iter() {
        let ExportItem::Function(f) = e.item else {
            continue;
        };
        let params = module.types.get(module.funcs.get(f).ty()).params();
        if params.iter().all(|p| !matches!(p, ValType::V128)) {
            callable.push((e.name.clone(), params.to_vec()));
        }
    }
    let mut out = Vec::new();
    if callable.is_empty() {
        return Ok(out);
    }
    for _ in 0..u.int_in_range(1..=6)? {
        let (name, params) = u.choose(&callable)?;
        let mut args = Vec::new();
        for p in params {
            args.push(match p {
                ValType::I32 => Arg::I32(small_or_any(u)? as i32),
                ValType::I64 => Arg::I64(small_or_any(u)?),
                ValType::F32 => Arg::F32(u.arbitrary()?),
                ValType::F64 => Arg::F64(u.arbitrary()?),
                ValType::Ref(r) if *r == RefType::FUNCREF => Arg::NullFuncRef,
                _ => Arg::NullExternRef,
            });
        }
        out.push((name.clone(), args));
    }
    Ok(out)
}

fn small_or_any(u: &mut Unstructured) -> Result<i64> {
    Ok(if u.ratio(3, 4)? {
        u.int_in_range(0..=70_000)?
    } else {
        u.arbitrary()?
    })
}
