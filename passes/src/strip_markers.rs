//! Marker stripping.
//!
//! **Invariant established:** no call to a region marker remains and the
//! `mmadapt:region` imports are gone; the region map is carried over to the
//! new instruction positions, so it still describes the stripped module.
//! Markers have type `[] -> []`, so removing a call leaves the operand stack
//! as it was.

use mmadapt_ir::walk::{all_seqs, InstrPos};
use mmadapt_ir::{Markers, RegionMap};
use std::collections::HashMap;
use walrus::ir::Instr;
use walrus::{FunctionId, ImportKind, Module};

pub fn strip_markers(module: &mut Module, markers: &Markers, map: &mut RegionMap) {
    let funcs: Vec<FunctionId> = module.funcs.iter_local().map(|(id, _)| id).collect();
    for fid in funcs {
        let func = module.funcs.get_mut(fid).kind.unwrap_local_mut();
        let seqs = all_seqs(func);
        let mut moved: HashMap<InstrPos, InstrPos> = HashMap::new();
        for seq in seqs {
            let instrs = &mut func.block_mut(seq).instrs;
            let mut kept = Vec::with_capacity(instrs.len());
            for (index, entry) in instrs.drain(..).enumerate() {
                let is_marker = matches!(&entry.0, Instr::Call(c) if markers.op(c.func).is_some());
                if !is_marker {
                    moved.insert(
                        InstrPos { seq, index },
                        InstrPos {
                            seq,
                            index: kept.len(),
                        },
                    );
                    kept.push(entry);
                }
            }
            *instrs = kept;
        }
        map.remap_positions(fid, |p| moved.get(&p).copied());
    }
    let marker_imports: Vec<_> = module
        .imports
        .iter()
        .filter(|i| matches!(i.kind, ImportKind::Function(f) if markers.op(f).is_some()))
        .map(|i| (i.id(), i.kind.clone()))
        .collect();
    for (import, kind) in marker_imports {
        if let ImportKind::Function(f) = kind {
            module.funcs.delete(f);
        }
        module.imports.delete(import);
    }
}
