//! Region markers: calls to the imports of module `mmadapt:region`.
//!
//! An opaque call to an import survives LLVM at -O3 with LTO, and LLVM may not
//! move accesses through escaped memory (user pointers are integer-to-pointer
//! casts, so always escaped) across it. See docs/marker-abi.md.

use crate::RegionKind;
use std::collections::HashMap;
use walrus::{FunctionId, ImportKind, Module};

pub use crate::abi::REGION_MODULE;

/// What a call to a marker import does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerOp {
    Begin(RegionKind),
    End(RegionKind),
}

/// The marker imports of a module.
#[derive(Clone, Debug, Default)]
pub struct Markers {
    by_func: HashMap<FunctionId, MarkerOp>,
}

/// A marker import with an unknown name or the wrong type.
#[derive(Debug, thiserror::Error)]
#[error("import `{REGION_MODULE}`.`{name}`: {problem}")]
pub struct MarkerImportError {
    pub name: String,
    pub problem: &'static str,
}

impl Markers {
    /// Finds the marker imports. Every import from [`REGION_MODULE`] must be
    /// one of the six markers and have type `[] -> []`.
    pub fn find(module: &Module) -> Result<Markers, MarkerImportError> {
        let mut by_func = HashMap::new();
        for import in module.imports.iter() {
            if import.module != REGION_MODULE {
                continue;
            }
            let error = |problem| MarkerImportError {
                name: import.name.clone(),
                problem,
            };
            let ImportKind::Function(func) = import.kind else {
                return Err(error("region markers must be functions"));
            };
            let op = parse_marker_name(&import.name)
                .ok_or_else(|| error("not a region marker (expected `user_begin`, `user_end`, `copy_out_begin`, `copy_out_end`, `copy_in_begin` or `copy_in_end`)"))?;
            let ty = module.types.get(module.funcs.get(func).ty());
            if !ty.params().is_empty() || !ty.results().is_empty() {
                return Err(error("region markers must have type [] -> []"));
            }
            by_func.insert(func, op);
        }
        let markers = Markers { by_func };
        markers.check_only_called(module)?;
        Ok(markers)
    }

    /// Markers are removed after the split, so they may be used only by
    /// direct `call`s: not exported, not in a table, not referenced.
    fn check_only_called(&self, module: &Module) -> Result<(), MarkerImportError> {
        let name = |f: FunctionId| {
            let import = module
                .imports
                .iter()
                .find(|i| i.kind == ImportKind::Function(f));
            import.map(|i| i.name.clone()).unwrap_or_default()
        };
        let error = |f, problem| {
            Err(MarkerImportError {
                name: name(f),
                problem,
            })
        };
        for e in module.exports.iter() {
            if let walrus::ExportItem::Function(f) = e.item {
                if self.op(f).is_some() {
                    return error(f, "region markers may only be called, not exported");
                }
            }
        }
        for elem in module.elements.iter() {
            let funcs = crate::walk::element_functions(elem);
            if let Some(f) = funcs.into_iter().find(|f| self.op(*f).is_some()) {
                return error(
                    f,
                    "region markers may only be called, not placed in a table",
                );
            }
        }
        for (_, func) in module.funcs.iter_local() {
            let mut bad = None;
            crate::walk::for_each_instr(func, |v| match v.instr {
                walrus::ir::Instr::RefFunc(r) if self.op(r.func).is_some() => bad = Some(r.func),
                walrus::ir::Instr::ReturnCall(r) if self.op(r.func).is_some() => bad = Some(r.func),
                _ => {}
            });
            if let Some(f) = bad {
                return error(
                    f,
                    "region markers may only be called directly (no ref.func or return_call)",
                );
            }
        }
        Ok(())
    }

    /// The marker that a call to `func` is, if it is one.
    pub fn op(&self, func: FunctionId) -> Option<MarkerOp> {
        self.by_func.get(&func).copied()
    }

    /// Every marker function.
    pub fn funcs(&self) -> impl Iterator<Item = FunctionId> + '_ {
        self.by_func.keys().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.by_func.is_empty()
    }
}

fn parse_marker_name(name: &str) -> Option<MarkerOp> {
    let (kind, edge) = name.rsplit_once('_')?;
    let kind = RegionKind::ALL.into_iter().find(|k| k.name() == kind)?;
    match edge {
        "begin" => Some(MarkerOp::Begin(kind)),
        "end" => Some(MarkerOp::End(kind)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_names() {
        assert_eq!(
            parse_marker_name("copy_out_begin"),
            Some(MarkerOp::Begin(RegionKind::CopyOut))
        );
        assert_eq!(
            parse_marker_name("user_end"),
            Some(MarkerOp::End(RegionKind::User))
        );
        assert_eq!(parse_marker_name("copy_begin"), None);
        assert_eq!(parse_marker_name("user_start"), None);
    }
}
