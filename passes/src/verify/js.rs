//! The check after [`crate::lower_for_js`]: translation validation, needing
//! no region map.
//!
//! - every instruction that names a memory is one jco's multi-memory
//!   polyfill translates (plain loads and stores, `i32` narrow ones,
//!   `memory.size`);
//! - each helper the lowering added touches only the memories of the
//!   operation it stands for: a copy helper reads one memory and writes one,
//!   a fill helper writes one (plus `memory.size` of those, for bounds);
//! - per function that existed before the lowering, the sequence of memory
//!   operations, helper calls and calls of the private module's bulk
//!   operations counted as the operation they stand for, is exactly the
//!   sequence before: the same operations on the same memories in the same
//!   order. So every user-memory access is where the split verifier saw it.

use crate::error::VerifyError;
use mmadapt_ir::abi::{PRIVATE_COPY, PRIVATE_FILL, PRIVATE_GROW, PRIVATE_MODULE};
use mmadapt_ir::walk::{for_each_instr, offset_of};
use mmadapt_ir::{memory_use, Location, MemUse};
use std::collections::{BTreeMap, HashMap};
use walrus::ir::{Instr, LoadKind, StoreKind};
use walrus::{FunctionId, ImportKind, MemoryId, Module};

/// The memory operations of every local function, in binary order.
pub type Trace = BTreeMap<FunctionId, Vec<MemUse>>;

/// The trace of `module` before lowering.
pub fn memory_trace(module: &Module) -> Trace {
    module
        .funcs
        .iter_local()
        .map(|(fid, func)| {
            let mut ops = Vec::new();
            for_each_instr(func, |v| ops.extend(memory_use(v.instr)));
            (fid, ops)
        })
        .collect()
}

/// Checks the lowered `module` against its trace `before`; `private` is the
/// private memory (the one the private module's operations act on).
pub fn check_lowered(
    module: &Module,
    before: &Trace,
    private: MemoryId,
) -> Result<(), VerifyError> {
    let indices = mmadapt_ir::indices::function_indices(module);
    let fail = |fid: FunctionId, offset: Option<u32>, message: String| VerifyError {
        at: Some(Location {
            func_name: module.funcs.get(fid).name.clone(),
            func_index: indices[&fid],
            cloned_for: None,
            offset,
        }),
        message,
    };

    // What each callable stands for.
    let mut stands_for: HashMap<FunctionId, MemUse> = HashMap::new();
    for import in module.imports.iter() {
        let ImportKind::Function(f) = import.kind else {
            continue;
        };
        if import.module != PRIVATE_MODULE {
            continue;
        }
        let op = match import.name.as_str() {
            PRIVATE_COPY => MemUse::Copy {
                src: private,
                dst: private,
            },
            PRIVATE_FILL => MemUse::Fill(private),
            PRIVATE_GROW => MemUse::Grow(private),
            _ => continue,
        };
        stands_for.insert(f, op);
    }
    for (fid, func) in module.funcs.iter_local() {
        if before.contains_key(&fid) {
            continue;
        }
        // A helper: what it reads and writes decides what it stands for.
        let (mut reads, mut writes) = (Vec::new(), Vec::new());
        let mut other = None;
        for_each_instr(func, |v| match memory_use(v.instr) {
            Some(MemUse::Read(m)) => reads.push(m),
            Some(MemUse::Write(m)) => writes.push(m),
            Some(MemUse::Size(_)) | None => {}
            Some(_) => other = other.or(Some(offset_of(v.loc))),
        });
        if let Some(offset) = other {
            return Err(fail(
                fid,
                offset,
                "a lowering helper uses a bulk memory instruction".into(),
            ));
        }
        reads.dedup();
        writes.dedup();
        let op = match (reads.as_slice(), writes.as_slice()) {
            (&[src], &[dst]) => MemUse::Copy { src, dst },
            (&[], &[dst]) => MemUse::Fill(dst),
            _ => {
                return Err(fail(
                    fid,
                    None,
                    format!(
                        "a lowering helper reads {} and writes {} memories; a copy reads one and writes one, a fill writes one",
                        reads.len(),
                        writes.len()
                    ),
                ))
            }
        };
        // Its memory.size checks may only ask about the memories it uses.
        let mut stray = None;
        for_each_instr(func, |v| {
            if let Some(MemUse::Size(m)) = memory_use(v.instr) {
                if !op.operand_memories().contains(&m) {
                    stray = stray.or(Some(offset_of(v.loc)));
                }
            }
        });
        if let Some(offset) = stray {
            return Err(fail(
                fid,
                offset,
                "a lowering helper asks the size of a memory it does not use".into(),
            ));
        }
        stands_for.insert(fid, op);
    }

    for (fid, func) in module.funcs.iter_local() {
        let mut after = Vec::new();
        let mut untranslatable = None;
        for_each_instr(func, |v| {
            if untranslatable.is_none() && !translatable(v.instr) {
                untranslatable = Some(offset_of(v.loc));
            }
            match v.instr {
                Instr::Call(c) => after.extend(stands_for.get(&c.func).copied()),
                instr => after.extend(memory_use(instr)),
            }
        });
        if let Some(offset) = untranslatable {
            return Err(fail(
                fid,
                offset,
                "a memory instruction a single-memory host cannot translate is left".into(),
            ));
        }
        let Some(expected) = before.get(&fid) else {
            continue;
        };
        if let Some(i) =
            (0..expected.len().max(after.len())).find(|&i| expected.get(i) != after.get(i))
        {
            return Err(fail(
                fid,
                None,
                format!(
                    "memory operation #{i} was {:?} before lowering and is {:?} after",
                    expected.get(i),
                    after.get(i)
                ),
            ));
        }
    }
    Ok(())
}

/// Whether jco's polyfill translates `instr` (every instruction without a
/// memory operand is left alone by it).
fn translatable(instr: &Instr) -> bool {
    match instr {
        Instr::Load(l) => {
            matches!(
                l.kind,
                LoadKind::I32 { atomic: false }
                    | LoadKind::I64 { atomic: false }
                    | LoadKind::F32
                    | LoadKind::F64
                    | LoadKind::I32_8 { .. }
                    | LoadKind::I32_16 { .. }
            ) && !matches!(
                l.kind,
                LoadKind::I32_8 {
                    kind: walrus::ir::ExtendedLoad::ZeroExtendAtomic
                } | LoadKind::I32_16 {
                    kind: walrus::ir::ExtendedLoad::ZeroExtendAtomic
                }
            )
        }
        Instr::Store(s) => matches!(
            s.kind,
            StoreKind::I32 { atomic: false }
                | StoreKind::I64 { atomic: false }
                | StoreKind::F32
                | StoreKind::F64
                | StoreKind::I32_8 { atomic: false }
                | StoreKind::I32_16 { atomic: false }
        ),
        Instr::MemorySize(_) => true,
        other => memory_use(other).is_none() && !matches!(other, Instr::DataDrop(_)),
    }
}
