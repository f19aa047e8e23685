//! The verifier. It runs after every pass and checks, independently of how
//! the pass did its work, the invariants the pipeline promises:
//!
//! - the module validates with wasmparser (multi-memory on);
//! - after splitting: memory 0 is the imported user memory, and every memory
//!   instruction uses exactly the memories its region's kind calls for, so in
//!   particular no memory-0 access exists outside a region;
//! - no address derived from the shadow-stack pointer is used on user memory
//!   (such an access was meant for the adapter's own stack);
//! - after stripping: no marker import and no marker call is left.
//!
//! Failures name the function and instruction offset.

pub mod js;
mod stack_pointer;

use crate::error::VerifyError;
use crate::split_memory::SplitMemories;
use mmadapt_ir::indices::memory_indices;
use mmadapt_ir::walk::for_each_instr;
use mmadapt_ir::{memory_use, route, Location, RegionMap, Route, REGION_MODULE};
use walrus::ir::InstrLocId;
use walrus::{FunctionId, Module};

pub use stack_pointer::check_stack_pointer;

/// The wasm features split modules may use: the ones walrus accepts when it
/// lifts the input (wasmparser's defaults, legacy exceptions and wide
/// arithmetic, see `walrus::ModuleConfig`), plus multi-memory. The split adds
/// only a second memory, so an input that lifted must give an output that
/// validates.
pub fn features() -> wasmparser::WasmFeatures {
    use wasmparser::WasmFeatures as F;
    F::default() | F::MULTI_MEMORY | F::LEGACY_EXCEPTIONS | F::WIDE_ARITHMETIC
}

/// Emits the module and validates the bytes. Returns the bytes.
pub fn validate(module: &mut Module) -> Result<Vec<u8>, VerifyError> {
    let bytes = crate::emit::emit(module);
    wasmparser::Validator::new_with_features(features())
        .validate_all(&bytes)
        .map_err(|e| VerifyError {
            at: None,
            message: format!("output does not validate: {e}"),
        })?;
    Ok(bytes)
}

pub(crate) fn location(
    module: &Module,
    map: &RegionMap,
    fid: FunctionId,
    loc: Option<InstrLocId>,
) -> Location {
    map.location(module, fid, loc)
}

/// Checks that every memory instruction uses the memories its region's kind
/// calls for, and that memory 0 is the imported user memory.
pub fn check_routes(
    module: &Module,
    map: &RegionMap,
    mems: SplitMemories,
) -> Result<(), VerifyError> {
    let indices = memory_indices(module);
    if indices.get(&mems.user) != Some(&0) || indices.get(&mems.private) != Some(&1) {
        return Err(VerifyError {
            at: None,
            message: "memory 0 must be the imported user memory and memory 1 the private memory"
                .into(),
        });
    }
    if module.memories.iter().count() != 2 {
        return Err(VerifyError {
            at: None,
            message: format!(
                "expected 2 memories, found {}",
                module.memories.iter().count()
            ),
        });
    }
    for (fid, func) in module.funcs.iter_local() {
        let mut failure: Option<(InstrLocId, String)> = None;
        for_each_instr(func, |v| {
            if failure.is_some() {
                return;
            }
            let Some(usage) = memory_use(v.instr) else {
                return;
            };
            let kind = map.kind_at(fid, v.pos);
            let actual = usage.memories();
            let uses_user = actual.0 == Some(mems.user) || actual.1 == mems.user;
            if kind.is_none() && uses_user {
                failure = Some((v.loc, "memory-0 access outside every region".into()));
                return;
            }
            let expected = match route(kind, usage) {
                Ok(Route::Single(m)) => (None, mems.id(m)),
                Ok(Route::Copy { src, dst }) => (Some(mems.id(src)), mems.id(dst)),
                Err(e) => {
                    failure = Some((v.loc, e.to_string()));
                    return;
                }
            };
            if expected != actual {
                let show = |(s, d): (Option<walrus::MemoryId>, walrus::MemoryId)| match s {
                    Some(s) => format!("memory {} -> {}", indices[&s], indices[&d]),
                    None => format!("memory {}", indices[&d]),
                };
                failure = Some((
                    v.loc,
                    format!(
                        "access uses {} but its region ({}) calls for {}",
                        show(actual),
                        kind.map(|k| k.name()).unwrap_or("none"),
                        show(expected)
                    ),
                ));
            }
        });
        if let Some((loc, message)) = failure {
            return Err(VerifyError {
                at: Some(location(module, map, fid, Some(loc))),
                message,
            });
        }
    }
    Ok(())
}

/// Checks that no marker import and no call to one is left.
pub fn check_no_markers(module: &Module) -> Result<(), VerifyError> {
    if let Some(i) = module.imports.iter().find(|i| i.module == REGION_MODULE) {
        return Err(VerifyError {
            at: None,
            message: format!(
                "marker import `{}`.`{}` left in the module",
                i.module, i.name
            ),
        });
    }
    // With the imports gone no call can name a marker; the import check above
    // is therefore complete, and validation catches dangling references.
    Ok(())
}
