//! Lowering for hosts without multi-memory (jco's default path).
//!
//! **Invariant established:** every instruction that names a memory is one
//! that jco's multi-memory polyfill translates: an `i32`/`i64`/`f32`/`f64`
//! load or store, an `i32` 8- or 16-bit load or store, or `memory.size`.
//! What jco cannot translate is rewritten, each memory access kept on the
//! memory it used:
//! - `i64` 8/16/32-bit loads and stores become the `i32` access of the same
//!   width with an extend (loads) or a wrap (stores), in place;
//! - `memory.copy` and `memory.fill` that touch the user memory become calls
//!   of helper functions added here: loops of 8-byte and 1-byte accesses,
//!   with the user memory's bounds checked first as the bulk instruction
//!   checks them (no byte is written when a buffer the program passed is
//!   out of bounds), and a backward copy for an overlapping copy within
//!   one memory;
//! - `memory.copy`, `memory.fill` and `memory.grow` on the private memory
//!   become calls of functions imported from the module that owns it
//!   ([`mmadapt_ir::abi::PRIVATE_MODULE`]), which runs them natively;
//! - anything else (atomics, SIMD accesses, `memory.init`, growing the user
//!   memory) is an error naming the function and offset.
//!
//! So the order of memory accesses per function, and which memory each one
//! uses, stays as the split verifier checked it; [`crate::verify::js`]
//! checks that again on the output.

use crate::error::PassError;
use mmadapt_ir::abi::{PRIVATE_COPY, PRIVATE_FILL, PRIVATE_GROW, PRIVATE_MODULE};
use mmadapt_ir::walk::{all_seqs, offset_of};
use mmadapt_ir::Location;
use std::collections::HashMap;
use walrus::ir::{
    BinaryOp, ExtendedLoad, Instr, InstrLocId, InstrSeqId, LoadKind, MemArg, StoreKind, UnaryOp,
};
use walrus::{FunctionBuilder, FunctionId, LocalId, MemoryId, Module, ValType};

/// The two memories of a split adapter.
#[derive(Clone, Copy, Debug)]
pub struct Memories {
    /// `None` when no live code touches user memory.
    pub user: Option<MemoryId>,
    pub private: MemoryId,
}

/// What the lowering added.
#[derive(Debug, Default)]
pub struct Lowered {
    /// Helper functions, by (destination, source) memory for copies.
    pub copy_helpers: HashMap<(MemoryId, MemoryId), FunctionId>,
    /// Helper functions for fills, by memory.
    pub fill_helpers: HashMap<MemoryId, FunctionId>,
    /// The private module's functions, imported when used.
    pub private_imports: HashMap<&'static str, FunctionId>,
}

/// Lowers `module` as the module doc says.
pub fn lower_for_js(module: &mut Module, mems: Memories) -> Result<Lowered, PassError> {
    let mut lowered = Lowered::default();
    let indices = mmadapt_ir::indices::function_indices(module);
    let funcs: Vec<FunctionId> = module.funcs.iter_local().map(|(id, _)| id).collect();
    for fid in funcs {
        let seqs = all_seqs(module.funcs.get(fid).kind.unwrap_local());
        let mut failure = None;
        for seq in seqs {
            if let Err((loc, what)) = lower_seq(module, fid, seq, mems, &mut lowered) {
                failure = Some((loc, what));
                break;
            }
        }
        if let Some((loc, what)) = failure {
            let at = Location {
                func_name: module.funcs.get(fid).name.clone(),
                func_index: indices[&fid],
                cloned_for: None,
                offset: offset_of(loc),
            };
            return Err(PassError::NotLowerable { at, what });
        }
    }
    Ok(lowered)
}

fn lower_seq(
    module: &mut Module,
    fid: FunctionId,
    seq: InstrSeqId,
    mems: Memories,
    lowered: &mut Lowered,
) -> Result<(), (InstrLocId, &'static str)> {
    let old = std::mem::take(
        &mut module
            .funcs
            .get_mut(fid)
            .kind
            .unwrap_local_mut()
            .block_mut(seq)
            .instrs,
    );
    let mut new = Vec::with_capacity(old.len());
    for (instr, loc) in old {
        let fail = |what: &'static str| (loc, what);
        match instr {
            Instr::Load(mut l) => {
                let extend = match l.kind {
                    LoadKind::I32 { atomic: true } | LoadKind::I64 { atomic: true } => {
                        return Err(fail("an atomic load"))
                    }
                    LoadKind::V128 => return Err(fail("a v128 load")),
                    LoadKind::I32_8 {
                        kind: ExtendedLoad::ZeroExtendAtomic,
                    }
                    | LoadKind::I32_16 {
                        kind: ExtendedLoad::ZeroExtendAtomic,
                    }
                    | LoadKind::I64_8 {
                        kind: ExtendedLoad::ZeroExtendAtomic,
                    }
                    | LoadKind::I64_16 {
                        kind: ExtendedLoad::ZeroExtendAtomic,
                    }
                    | LoadKind::I64_32 {
                        kind: ExtendedLoad::ZeroExtendAtomic,
                    } => return Err(fail("an atomic load")),
                    LoadKind::I64_8 { kind } => {
                        l.kind = LoadKind::I32_8 { kind };
                        Some(extend_op(kind))
                    }
                    LoadKind::I64_16 { kind } => {
                        l.kind = LoadKind::I32_16 { kind };
                        Some(extend_op(kind))
                    }
                    LoadKind::I64_32 { kind } => {
                        l.kind = LoadKind::I32 { atomic: false };
                        Some(extend_op(kind))
                    }
                    _ => None,
                };
                new.push((Instr::Load(l), loc));
                if let Some(op) = extend {
                    new.push((Instr::Unop(walrus::ir::Unop { op }), InstrLocId::default()));
                }
            }
            Instr::Store(mut s) => {
                let narrow = match s.kind {
                    StoreKind::I32 { atomic: true }
                    | StoreKind::I64 { atomic: true }
                    | StoreKind::I32_8 { atomic: true }
                    | StoreKind::I32_16 { atomic: true }
                    | StoreKind::I64_8 { atomic: true }
                    | StoreKind::I64_16 { atomic: true }
                    | StoreKind::I64_32 { atomic: true } => return Err(fail("an atomic store")),
                    StoreKind::V128 => return Err(fail("a v128 store")),
                    StoreKind::I64_8 { .. } => Some(StoreKind::I32_8 { atomic: false }),
                    StoreKind::I64_16 { .. } => Some(StoreKind::I32_16 { atomic: false }),
                    StoreKind::I64_32 { .. } => Some(StoreKind::I32 { atomic: false }),
                    _ => None,
                };
                if let Some(kind) = narrow {
                    // The value is on top of the address: wrap it first.
                    new.push((
                        Instr::Unop(walrus::ir::Unop {
                            op: UnaryOp::I32WrapI64,
                        }),
                        InstrLocId::default(),
                    ));
                    s.kind = kind;
                }
                new.push((Instr::Store(s), loc));
            }
            Instr::MemoryCopy(c) => {
                let func = if c.src == mems.private && c.dst == mems.private {
                    private_import(module, lowered, PRIVATE_COPY)
                } else {
                    copy_helper(module, lowered, mems.user, c.dst, c.src)
                };
                new.push((Instr::Call(walrus::ir::Call { func }), loc));
            }
            Instr::MemoryFill(f) => {
                let func = if f.memory == mems.private {
                    private_import(module, lowered, PRIVATE_FILL)
                } else {
                    fill_helper(module, lowered, f.memory)
                };
                new.push((Instr::Call(walrus::ir::Call { func }), loc));
            }
            Instr::MemoryGrow(g) => {
                if g.memory != mems.private {
                    return Err(fail("growing the user memory"));
                }
                let func = private_import(module, lowered, PRIVATE_GROW);
                new.push((Instr::Call(walrus::ir::Call { func }), loc));
            }
            Instr::MemoryInit(_) => return Err(fail("`memory.init`")),
            Instr::DataDrop(_) => return Err(fail("`data.drop`")),
            Instr::LoadSimd(_) => return Err(fail("a SIMD memory access")),
            Instr::AtomicRmw(_) | Instr::Cmpxchg(_) => return Err(fail("an atomic access")),
            Instr::AtomicNotify(_) | Instr::AtomicWait(_) => {
                return Err(fail("`memory.atomic.notify`/`wait`"))
            }
            other => new.push((other, loc)),
        }
    }
    module
        .funcs
        .get_mut(fid)
        .kind
        .unwrap_local_mut()
        .block_mut(seq)
        .instrs = new;
    Ok(())
}

fn extend_op(kind: ExtendedLoad) -> UnaryOp {
    match kind {
        ExtendedLoad::SignExtend => UnaryOp::I64ExtendSI32,
        _ => UnaryOp::I64ExtendUI32,
    }
}

/// The private module's function `name`, imported on first use with the
/// type of the instruction it stands for.
fn private_import(module: &mut Module, lowered: &mut Lowered, name: &'static str) -> FunctionId {
    if let Some(f) = lowered.private_imports.get(name) {
        return *f;
    }
    let (params, results): (&[ValType], &[ValType]) = match name {
        PRIVATE_GROW => (&[ValType::I32], &[ValType::I32]),
        _ => (&[ValType::I32, ValType::I32, ValType::I32], &[]),
    };
    let ty = module.types.add(params, results);
    let (f, _) = module.add_import_func(PRIVATE_MODULE, name, ty);
    lowered.private_imports.insert(name, f);
    f
}

/// The loops' accesses: no offset, no alignment promised.
const AT: MemArg = MemArg {
    align: 1,
    offset: 0,
};

/// Appends: trap unless `[addr, addr + len)` lies in `mem`, computed in 64
/// bits so nothing wraps (as `memory.copy`/`memory.fill` check it).
fn check_bounds(
    body: &mut walrus::InstrSeqBuilder<'_>,
    mem: MemoryId,
    addr: LocalId,
    len: LocalId,
) {
    body.local_get(addr)
        .unop(UnaryOp::I64ExtendUI32)
        .local_get(len)
        .unop(UnaryOp::I64ExtendUI32)
        .binop(BinaryOp::I64Add)
        .memory_size(mem)
        .unop(UnaryOp::I64ExtendUI32)
        .i64_const(16)
        .binop(BinaryOp::I64Shl)
        .binop(BinaryOp::I64GtU)
        .if_else(
            None,
            |then| {
                then.unreachable();
            },
            |_| {},
        );
}

/// Appends a loop that runs `step_body` while `n >= at_least` (unsigned),
/// leaving `n` as it is: the body moves the pointers and `n` itself.
fn while_at_least(
    body: &mut walrus::InstrSeqBuilder<'_>,
    n: LocalId,
    at_least: i32,
    step_body: impl FnOnce(&mut walrus::InstrSeqBuilder<'_>),
) {
    body.block(None, |done| {
        let done_id = done.id();
        done.loop_(None, |l| {
            let again = l.id();
            if at_least == 1 {
                l.local_get(n).unop(UnaryOp::I32Eqz);
            } else {
                l.local_get(n).i32_const(at_least).binop(BinaryOp::I32LtU);
            }
            l.br_if(done_id);
            step_body(l);
            l.br(again);
        });
    });
}

/// The three `i32` parameters of a helper and its builder.
fn helper_builder(module: &mut Module, name: &str) -> (FunctionBuilder, [LocalId; 3]) {
    let params = [(); 3].map(|_| module.locals.add(ValType::I32));
    let mut builder = FunctionBuilder::new(
        &mut module.types,
        &[ValType::I32, ValType::I32, ValType::I32],
        &[],
    );
    builder.name(name.into());
    (builder, params)
}

/// Appends: `local += delta` (i32).
fn bump(body: &mut walrus::InstrSeqBuilder<'_>, local: LocalId, delta: i32) {
    body.local_get(local)
        .i32_const(delta)
        .binop(BinaryOp::I32Add)
        .local_set(local);
}

/// `(dst, src, len)`: `memory.copy dst src` as a loop, 8 bytes per
/// access (on jco's default path each access to the memory it keeps
/// outside is a call into JS).
fn copy_helper(
    module: &mut Module,
    lowered: &mut Lowered,
    user: Option<MemoryId>,
    dst_mem: MemoryId,
    src_mem: MemoryId,
) -> FunctionId {
    if let Some(f) = lowered.copy_helpers.get(&(dst_mem, src_mem)) {
        return *f;
    }
    let (mut builder, [d, s, n]) = helper_builder(module, "mmadapt:copy");
    let mut body = builder.func_body();
    // The user memory's side: a buffer the program passed may be out of
    // bounds, and then nothing may be written. The private side is the
    // adapter's own buffer; wasm's own check on each access covers it.
    if Some(dst_mem) == user {
        check_bounds(&mut body, dst_mem, d, n);
    }
    if Some(src_mem) == user {
        check_bounds(&mut body, src_mem, s, n);
    }
    let i64_load = LoadKind::I64 { atomic: false };
    let i64_store = StoreKind::I64 { atomic: false };
    let byte_load = LoadKind::I32_8 {
        kind: ExtendedLoad::ZeroExtend,
    };
    let byte_store = StoreKind::I32_8 { atomic: false };
    // One access of each side: `*d = *s`, as wide as `load` and `store`.
    let move_at = |l: &mut walrus::InstrSeqBuilder<'_>, load: LoadKind, store: StoreKind| {
        l.local_get(d)
            .local_get(s)
            .load(src_mem, load, AT)
            .store(dst_mem, store, AT);
    };
    let forward = |body: &mut walrus::InstrSeqBuilder<'_>| {
        // 8 bytes at a time, then the rest byte by byte.
        for (width, load, store) in [(8, i64_load, i64_store), (1, byte_load, byte_store)] {
            while_at_least(body, n, width, |l| {
                move_at(l, load, store);
                bump(l, d, width);
                bump(l, s, width);
                bump(l, n, -width);
            });
        }
    };
    if dst_mem == src_mem {
        // Overlapping within one memory: copy from the end when the
        // destination is above the source, as memory.copy's result is.
        body.local_get(d)
            .local_get(s)
            .binop(BinaryOp::I32GtU)
            .if_else(
                None,
                |back| {
                    back.local_get(d)
                        .local_get(n)
                        .binop(BinaryOp::I32Add)
                        .local_set(d);
                    back.local_get(s)
                        .local_get(n)
                        .binop(BinaryOp::I32Add)
                        .local_set(s);
                    while_at_least(back, n, 1, |l| {
                        bump(l, d, -1);
                        bump(l, s, -1);
                        bump(l, n, -1);
                        move_at(l, byte_load, byte_store);
                    });
                },
                |fwd| forward(fwd),
            );
    } else {
        forward(&mut body);
    }
    let f = builder.finish(vec![d, s, n], &mut module.funcs);
    lowered.copy_helpers.insert((dst_mem, src_mem), f);
    f
}

/// `(dst, value, len)`: `memory.fill mem` as a loop.
fn fill_helper(module: &mut Module, lowered: &mut Lowered, mem: MemoryId) -> FunctionId {
    if let Some(f) = lowered.fill_helpers.get(&mem) {
        return *f;
    }
    let (mut builder, [d, v, n]) = helper_builder(module, "mmadapt:fill");
    let mut body = builder.func_body();
    check_bounds(&mut body, mem, d, n);
    while_at_least(&mut body, n, 1, |l| {
        l.local_get(d)
            .local_get(v)
            .store(mem, StoreKind::I32_8 { atomic: false }, AT);
        bump(l, d, 1);
        bump(l, n, -1);
    });
    let f = builder.finish(vec![d, v, n], &mut module.funcs);
    lowered.fill_helpers.insert(mem, f);
    f
}
