//! Numbers for functions and memories in messages and printed output.

use std::collections::HashMap;
use walrus::{FunctionId, MemoryId, Module};

/// The number of every function in messages and printed output: its index
/// in the *input* module. walrus allocates functions in parse order, imports
/// first, so the arena index is the input's function index; functions a pass
/// adds (clones) get numbers after the input's. (walrus numbers the functions
/// of an emitted module differently: it orders them by size.)
pub fn function_indices(module: &Module) -> HashMap<FunctionId, u32> {
    module
        .funcs
        .iter()
        .map(|f| (f.id(), f.id().index() as u32))
        .collect()
}

/// Memory index of every memory.
pub fn memory_indices(module: &Module) -> HashMap<MemoryId, u32> {
    let mut out = HashMap::new();
    let mut next = 0u32;
    for import in module.imports.iter() {
        if let walrus::ImportKind::Memory(m) = import.kind {
            out.insert(m, next);
            next += 1;
        }
    }
    for m in module.memories.iter() {
        if m.import.is_none() {
            out.insert(m.id(), next);
            next += 1;
        }
    }
    out
}
