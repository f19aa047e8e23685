//! The shape an adapter module must have before splitting: exactly one memory,
//! defined by the module itself, and none of the names the split reserves.

use crate::error::PassError;
use crate::{PRIVATE_MEMORY_EXPORT, USER_MEMORY_IMPORT};
use walrus::{ImportKind, MemoryId, Module};

/// Checks the module's shape and returns its own memory.
pub fn adapter_memory(module: &Module) -> Result<MemoryId, PassError> {
    for import in module.imports.iter() {
        if let ImportKind::Memory(_) = import.kind {
            return Err(PassError::ImportsMemory(format!(
                "{}.{}",
                import.module, import.name
            )));
        }
        if (import.module.as_str(), import.name.as_str()) == USER_MEMORY_IMPORT {
            return Err(PassError::Reserved(format!(
                "{}.{}",
                import.module, import.name
            )));
        }
    }
    if module
        .exports
        .iter()
        .any(|e| e.name == PRIVATE_MEMORY_EXPORT)
    {
        return Err(PassError::Reserved(PRIVATE_MEMORY_EXPORT.into()));
    }
    let own: Vec<MemoryId> = module.memories.iter().map(|m| m.id()).collect();
    match own.as_slice() {
        [] => Err(PassError::NoMemory),
        [one] => Ok(*one),
        more => Err(PassError::SeveralMemories(more.len())),
    }
}
