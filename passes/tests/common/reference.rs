//! An independent reference for where every memory access must land.
//!
//! The reference is the *unsplit* module with every memory instruction
//! replaced by a call to the host, and its region markers kept as host calls.
//! The host keeps two byte arrays (user memory, private memory) and the kind
//! of the region that is open *at run time*, and routes each access with its
//! own copy of the marker ABI's table (docs/marker-abi.md). It shares no code
//! with the region map, the cloning pass or the split pass: calls from inside
//! a region simply run while the region is open, so the dynamic region state
//! is the ground truth the static passes must agree with.

use std::collections::HashMap;
use walrus::ir::*;
use walrus::{ConstExpr, DataKind, FunctionId, LocalId, ValType};

/// Host import module of the reference.
pub const HOST: &str = "mmadapt:reference";

/// The instrumented module plus what the host needs to emulate memories.
pub struct Reference {
    pub bytes: Vec<u8>,
    /// Private memory's initial image (data segments applied) and maximum.
    pub private_init: Vec<u8>,
    pub private_max_pages: Option<u64>,
    /// Data segment contents by data index, as `memory.init` sees them
    /// after instantiation: active segments are dropped by then (empty).
    pub segments: HashMap<u32, Vec<u8>>,
    /// Memory instructions the reference cannot emulate (replaced by
    /// `unreachable`): SIMD loads other than splats, atomics, whose
    /// alignment traps the host does not model, and wait/notify. A run
    /// that reaches one traps in the reference only, so generated modules
    /// containing any are not executed.
    pub unsupported: usize,
}

struct Hooks {
    load: FunctionId,
    store: FunctionId,
    load128: FunctionId,
    store128: FunctionId,
    copy: FunctionId,
    fill: FunctionId,
    init: FunctionId,
    drop: FunctionId,
    size: FunctionId,
    grow: FunctionId,
    rmw: FunctionId,
    cmpxchg: FunctionId,
}

pub fn build(original: &[u8]) -> Reference {
    let mut module = walrus::ModuleConfig::new()
        .generate_producers_section(false)
        .parse(original)
        .expect("fixture parses");
    let memory = module.memories.iter().next().expect("one memory");
    let private_pages = memory.initial;
    let private_max_pages = memory.maximum;
    let mut private_init = vec![0u8; (private_pages as usize) * 65536];
    let mut segments = HashMap::new();
    for data in module.data.iter() {
        let DataKind::Active { offset, .. } = &data.kind else {
            segments.insert(data.id().index() as u32, data.value.clone());
            continue;
        };
        // An active segment is dropped once instantiation has applied it.
        segments.insert(data.id().index() as u32, Vec::new());
        let ConstExpr::Value(Value::I32(at)) = offset else {
            panic!("reference supports constant data offsets only");
        };
        let at = *at as u32 as usize;
        // Out of bounds: instantiating the reference module traps the same
        // way (it keeps the segments on its own memory), so skip it here.
        if let Some(dst) = private_init.get_mut(at..at.saturating_add(data.value.len())) {
            dst.copy_from_slice(&data.value);
        }
    }

    use ValType::{I32, I64, V128};
    let mut hook = |name: &str, params: &[ValType], results: &[ValType]| {
        let ty = module.types.add(params, results);
        module.add_import_func(HOST, name, ty).0
    };
    let hooks = Hooks {
        load: hook("load", &[I32, I32, I32, I32], &[I64]),
        store: hook("store", &[I32, I64, I32, I32], &[]),
        load128: hook("load128", &[I32, I32], &[V128]),
        store128: hook("store128", &[I32, V128, I32], &[]),
        copy: hook("copy", &[I32, I32, I32], &[]),
        fill: hook("fill", &[I32, I32, I32], &[]),
        init: hook("init", &[I32, I32, I32, I32], &[]),
        drop: hook("drop", &[I32], &[]),
        size: hook("size", &[], &[I32]),
        grow: hook("grow", &[I32], &[I32]),
        rmw: hook("rmw", &[I32, I64, I32, I32, I32], &[I64]),
        cmpxchg: hook("cmpxchg", &[I32, I64, I64, I32, I32], &[I64]),
    };

    let mut unsupported = 0;
    let funcs: Vec<FunctionId> = module.funcs.iter_local().map(|(id, _)| id).collect();
    for fid in funcs {
        // Scratch locals for cmpxchg's operand shuffling.
        let tmp32 = module.locals.add(I32);
        let func = module.funcs.get_mut(fid).kind.unwrap_local_mut();
        let seqs = mmadapt_ir::walk::all_seqs(func);
        for seq in seqs {
            let old = std::mem::take(&mut func.block_mut(seq).instrs);
            let mut new = Vec::with_capacity(old.len());
            for (instr, loc) in old {
                match replace(&instr, &hooks, tmp32) {
                    Some(seq) => {
                        if unemulated(&instr) {
                            unsupported += 1;
                        }
                        new.extend(seq.into_iter().map(|i| (i, loc)))
                    }
                    None => new.push((instr, loc)),
                }
            }
            func.block_mut(seq).instrs = new;
        }
    }
    Reference {
        bytes: module.emit_wasm(),
        private_init,
        private_max_pages,
        segments,
        unsupported,
    }
}

/// Instructions [`replace`] turns into something that does not behave like
/// them in every case (see [`Reference::unsupported`]).
fn unemulated(instr: &Instr) -> bool {
    match instr {
        Instr::LoadSimd(l) => !matches!(
            l.kind,
            LoadSimdKind::Splat8
                | LoadSimdKind::Splat16
                | LoadSimdKind::Splat32
                | LoadSimdKind::Splat64
        ),
        Instr::Load(l) => l.kind.atomic(),
        Instr::Store(s) => s.kind.atomic(),
        Instr::AtomicRmw(_) | Instr::Cmpxchg(_) => true,
        Instr::AtomicNotify(_) | Instr::AtomicWait(_) => true,
        _ => false,
    }
}

fn c32(v: i32) -> Instr {
    Instr::Const(Const {
        value: Value::I32(v),
    })
}

fn call(f: FunctionId) -> Instr {
    Instr::Call(Call { func: f })
}

fn un(op: UnaryOp) -> Instr {
    Instr::Unop(Unop { op })
}

/// The replacement for one memory instruction, or `None` to keep it.
fn replace(instr: &Instr, h: &Hooks, tmp32: LocalId) -> Option<Vec<Instr>> {
    use UnaryOp::*;
    let off = |arg: &MemArg| c32(arg.offset as i32);
    Some(match instr {
        Instr::Load(l) => {
            // (width, signed, conversion of the i64 the host returns)
            let (width, signed, conv): (i32, i32, Vec<Instr>) = match l.kind {
                LoadKind::I32 { .. } => (4, 0, vec![un(I32WrapI64)]),
                LoadKind::I64 { .. } => (8, 0, vec![]),
                LoadKind::F32 => (4, 0, vec![un(I32WrapI64), un(F32ReinterpretI32)]),
                LoadKind::F64 => (8, 0, vec![un(F64ReinterpretI64)]),
                LoadKind::V128 => return Some(vec![off(&l.arg), call(h.load128)]),
                LoadKind::I32_8 { kind } => (1, sign(kind), vec![un(I32WrapI64)]),
                LoadKind::I32_16 { kind } => (2, sign(kind), vec![un(I32WrapI64)]),
                LoadKind::I64_8 { kind } => (1, sign(kind), vec![]),
                LoadKind::I64_16 { kind } => (2, sign(kind), vec![]),
                LoadKind::I64_32 { kind } => (4, sign(kind), vec![]),
            };
            let mut v = vec![off(&l.arg), c32(width), c32(signed), call(h.load)];
            v.extend(conv);
            v
        }
        Instr::Store(s) => {
            let (width, conv): (i32, Vec<Instr>) = match s.kind {
                StoreKind::I32 { .. } => (4, vec![un(I64ExtendUI32)]),
                StoreKind::I64 { .. } => (8, vec![]),
                StoreKind::F32 => (4, vec![un(I32ReinterpretF32), un(I64ExtendUI32)]),
                StoreKind::F64 => (8, vec![un(I64ReinterpretF64)]),
                StoreKind::V128 => return Some(vec![off(&s.arg), call(h.store128)]),
                StoreKind::I32_8 { .. } => (1, vec![un(I64ExtendUI32)]),
                StoreKind::I32_16 { .. } => (2, vec![un(I64ExtendUI32)]),
                StoreKind::I64_8 { .. } => (1, vec![]),
                StoreKind::I64_16 { .. } => (2, vec![]),
                StoreKind::I64_32 { .. } => (4, vec![]),
            };
            let mut v = conv;
            v.extend([off(&s.arg), c32(width), call(h.store)]);
            v
        }
        Instr::LoadSimd(l) => {
            let (width, splat) = match l.kind {
                LoadSimdKind::Splat8 => (1, vec![un(I32WrapI64), un(I8x16Splat)]),
                LoadSimdKind::Splat16 => (2, vec![un(I32WrapI64), un(I16x8Splat)]),
                LoadSimdKind::Splat32 => (4, vec![un(I32WrapI64), un(I32x4Splat)]),
                LoadSimdKind::Splat64 => (8, vec![un(I64x2Splat)]),
                // Not executable by the reference: a trap if reached, so a
                // test that runs it fails instead of passing silently.
                _ => return Some(vec![Instr::Unreachable(Unreachable {})]),
            };
            let mut v = vec![off(&l.arg), c32(width), c32(0), call(h.load)];
            v.extend(splat);
            v
        }
        Instr::AtomicRmw(a) => {
            let (width, is32) = atomic_width(&a.width);
            let op = match a.op {
                AtomicOp::Add => 0,
                AtomicOp::Sub => 1,
                AtomicOp::And => 2,
                AtomicOp::Or => 3,
                AtomicOp::Xor => 4,
                AtomicOp::Xchg => 5,
            };
            let mut v = Vec::new();
            if is32 {
                v.push(un(I64ExtendUI32));
            }
            v.extend([off(&a.arg), c32(width), c32(op), call(h.rmw)]);
            if is32 {
                v.push(un(I32WrapI64));
            }
            v
        }
        Instr::Cmpxchg(a) => {
            let (width, is32) = atomic_width(&a.width);
            let mut v = Vec::new();
            if is32 {
                // [addr, expected, replacement] → [addr, expected64, replacement64]
                v.push(Instr::LocalSet(LocalSet { local: tmp32 }));
                v.push(un(I64ExtendUI32));
                v.push(Instr::LocalGet(LocalGet { local: tmp32 }));
                v.push(un(I64ExtendUI32));
            }
            v.extend([off(&a.arg), c32(width), call(h.cmpxchg)]);
            if is32 {
                v.push(un(I32WrapI64));
            }
            v
        }
        Instr::MemoryCopy(_) => vec![call(h.copy)],
        Instr::MemoryFill(_) => vec![call(h.fill)],
        Instr::MemoryInit(i) => vec![c32(i.data.index() as i32), call(h.init)],
        // Dropped segments must make a later `memory.init` trap.
        Instr::DataDrop(d) => vec![c32(d.data.index() as i32), call(h.drop)],
        Instr::MemorySize(_) => vec![call(h.size)],
        Instr::MemoryGrow(_) => vec![call(h.grow)],
        // Not executable by the reference (see above).
        Instr::AtomicNotify(_) | Instr::AtomicWait(_) => vec![Instr::Unreachable(Unreachable {})],
        _ => return None,
    })
}

fn sign(kind: ExtendedLoad) -> i32 {
    match kind {
        ExtendedLoad::SignExtend => 1,
        ExtendedLoad::ZeroExtend | ExtendedLoad::ZeroExtendAtomic => 0,
    }
}

fn atomic_width(w: &AtomicWidth) -> (i32, bool) {
    match w {
        AtomicWidth::I32 => (4, true),
        AtomicWidth::I32_8 => (1, true),
        AtomicWidth::I32_16 => (2, true),
        AtomicWidth::I64 => (8, false),
        AtomicWidth::I64_8 => (1, false),
        AtomicWidth::I64_16 => (2, false),
        AtomicWidth::I64_32 => (4, false),
    }
}
