//! The split-memory pass.
//!
//! **Invariant established:** memory 0 is the user's memory, imported as
//! `env`.`memory`; memory 1 is the adapter's own memory, with its data
//! segments, limits and growth unchanged, exported as
//! [`crate::PRIVATE_MEMORY_EXPORT`] and under no other name; every memory
//! instruction uses the memories that [`mmadapt_ir::route`] gives for the
//! region it runs in (memory 1 outside every region).

use crate::{PRIVATE_MEMORY_EXPORT, USER_MEMORY_IMPORT};
use mmadapt_ir::access::set_memories;
use mmadapt_ir::walk::{for_each_instr, InstrPos};
use mmadapt_ir::{memory_use, route, Mem, RegionError, RegionMap, Route};
use walrus::{ExportItem, FunctionId, MemoryId, Module};

/// The two memories of a split module.
#[derive(Clone, Copy, Debug)]
pub struct SplitMemories {
    pub user: MemoryId,
    pub private: MemoryId,
}

impl SplitMemories {
    pub fn id(&self, m: Mem) -> MemoryId {
        match m {
            Mem::User => self.user,
            Mem::Private => self.private,
        }
    }
}

/// Imports the user memory and retargets every memory instruction.
pub fn split_memory(
    module: &mut Module,
    private: MemoryId,
    map: &RegionMap,
) -> Result<SplitMemories, RegionError> {
    let (module_name, name) = USER_MEMORY_IMPORT;
    // The user memory's real limits are the main module's; an import with
    // minimum 0 and no maximum accepts any of them.
    let (user, _) = module.add_import_memory(module_name, name, false, false, 0, None, None);
    let mems = SplitMemories { user, private };

    let old_exports: Vec<_> = module
        .exports
        .iter()
        .filter(|e| matches!(e.item, ExportItem::Memory(m) if m == private))
        .map(|e| e.id())
        .collect();
    for e in old_exports {
        module.exports.delete(e);
    }
    module.exports.add(PRIVATE_MEMORY_EXPORT, private);

    let funcs: Vec<FunctionId> = module.funcs.iter_local().map(|(id, _)| id).collect();
    for fid in funcs {
        let mut sites: Vec<(InstrPos, Route)> = Vec::new();
        let func = module.funcs.get(fid).kind.unwrap_local();
        let mut failure = None;
        for_each_instr(func, |v| {
            let Some(usage) = memory_use(v.instr) else {
                return;
            };
            // The region map already rejected ambiguous instructions, so a
            // failure here means the map and the module disagree.
            match route(map.kind_at(fid, v.pos), usage) {
                Ok(r) => sites.push((v.pos, r)),
                Err(e) => failure = failure.take().or(Some((v.loc, e))),
            }
        });
        if let Some((loc, e)) = failure {
            return Err(RegionError {
                at: map.location(module, fid, Some(loc)),
                kind: mmadapt_ir::RegionErrorKind::Ambiguous(e),
            });
        }
        let func = module.funcs.get_mut(fid).kind.unwrap_local_mut();
        for (pos, r) in sites {
            let (instr, _) = &mut func.block_mut(pos.seq).instrs[pos.index];
            set_memories(instr, |read_side| match r {
                Route::Single(m) => mems.id(m),
                Route::Copy { src, dst } => mems.id(if read_side { src } else { dst }),
            });
        }
    }
    Ok(mems)
}
