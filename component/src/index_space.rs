//! The core index spaces of a component's top level, read in one pass: its
//! core modules (with the bytes of those defined in place), core instances,
//! core functions, liftings, tables and memories, and the section each
//! lies in.
//!
//! Everything that edits the component wit-component built asks here, so
//! that the indices are counted once: the rewrite plans with them and
//! applies its plan with them ([`crate::rewrite`]), and the zero-copy
//! lowerings take the next free ones ([`crate::zero_copy`]). Nested modules
//! and components have index spaces of their own and are skipped.

use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::ops::Range;
use wasmparser_component::{
    CanonicalFunction, CanonicalOption, Chunk, ComponentAlias, ComponentExternalKind,
    ComponentOuterAliasKind, ComponentTypeRef, ExternalKind, Instance, Parser, Payload,
};

/// A core module defined in place (by a core module section).
#[derive(Debug, Clone)]
pub(crate) struct ModuleInPlace {
    /// Ordinal of its top-level section.
    pub section: u32,
    /// Its bytes in the component.
    pub range: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) enum CoreFunc {
    /// `alias core export $instance "name" (core func)`
    Alias { instance: u32, name: String },
    /// `canon lower` of component function `func_index`, with its ordinal
    /// among all canonical functions.
    Lower {
        ordinal: u32,
        func_index: u32,
        options: Vec<CanonicalOption>,
    },
    /// Any other canonical built-in.
    Other,
}

#[derive(Debug, Clone)]
pub(crate) enum CoreInstance {
    Instantiate {
        module: u32,
        args: Vec<(String, u32)>,
    },
    FromExports(Vec<(String, ExternalKind, u32)>),
}

/// The top-level core index spaces of a component, by index.
#[derive(Default)]
pub(crate) struct IndexSpaces {
    /// Core modules: `None` for those from other sources (imports,
    /// re-exports, aliases).
    pub modules: Vec<Option<ModuleInPlace>>,
    /// Section ordinal of each core module.
    pub module_section: Vec<u32>,
    pub instances: Vec<CoreInstance>,
    /// Section ordinal of each core instance.
    pub instance_section: Vec<u32>,
    pub funcs: Vec<CoreFunc>,
    /// Every `canon lift`: (ordinal, lifted core function, options).
    pub lifts: Vec<(u32, u32, Vec<CanonicalOption>)>,
    /// How many core tables there are (all are aliases).
    pub tables: u32,
    /// Section ordinal of each core memory (all are aliases).
    pub memory_section: Vec<u32>,
    /// Section ordinal of every canonical function, by ordinal.
    pub canon_section: Vec<u32>,
    /// For canonical sections: ordinal of their first entry.
    pub canon_start: BTreeMap<u32, u32>,
}

/// Iterates the top-level payloads of a component, skipping nested module
/// and component contents. Yields (section ordinal, payload).
pub(crate) fn top_level(bytes: &[u8]) -> Result<Vec<(u32, Payload<'_>)>> {
    let mut parser = Parser::new(0);
    let mut remaining = bytes;
    let mut out = Vec::new();
    let mut ordinal = 0u32;
    loop {
        let (consumed, payload) = match parser.parse(remaining, true)? {
            Chunk::Parsed { consumed, payload } => (consumed, payload),
            Chunk::NeedMoreData(_) => bail!("truncated component"),
        };
        remaining = &remaining[consumed..];
        let skip = match &payload {
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => unchecked_range.end - unchecked_range.start,
            _ => 0,
        };
        remaining = &remaining[skip as usize..];
        let end = matches!(payload, Payload::End(_));
        let is_section = payload.as_section().is_some();
        out.push((ordinal, payload));
        if is_section {
            ordinal += 1;
        }
        if end {
            return Ok(out);
        }
    }
}

impl IndexSpaces {
    /// Reads the index spaces of `component`.
    pub fn of(component: &[u8]) -> Result<IndexSpaces> {
        let mut a = IndexSpaces::default();
        let mut canon_ordinal = 0u32;
        for (section, payload) in top_level(component)? {
            match payload {
                Payload::ModuleSection {
                    unchecked_range, ..
                } => {
                    a.module_section.push(section);
                    a.modules.push(Some(ModuleInPlace {
                        section,
                        range: unchecked_range.start as usize..unchecked_range.end as usize,
                    }))
                }
                Payload::ComponentImportSection(s) => {
                    for import in s {
                        if let ComponentTypeRef::Module(_) = import?.ty {
                            a.module_section.push(section);
                            a.modules.push(None);
                        }
                    }
                }
                Payload::ComponentExportSection(s) => {
                    // Exports may re-export (and so re-index) modules.
                    for export in s {
                        if export?.kind == ComponentExternalKind::Module {
                            a.module_section.push(section);
                            a.modules.push(None);
                        }
                    }
                }
                Payload::InstanceSection(s) => {
                    for instance in s {
                        a.instance_section.push(section);
                        a.instances.push(match instance? {
                            Instance::Instantiate { module_index, args } => {
                                CoreInstance::Instantiate {
                                    module: module_index,
                                    args: args
                                        .iter()
                                        .map(|arg| (arg.name.to_string(), arg.index))
                                        .collect(),
                                }
                            }
                            Instance::FromExports(exports) => CoreInstance::FromExports(
                                exports
                                    .iter()
                                    .map(|e| (e.name.to_string(), e.kind, e.index))
                                    .collect(),
                            ),
                        });
                    }
                }
                Payload::ComponentAliasSection(s) => {
                    for alias in s {
                        match alias? {
                            ComponentAlias::CoreInstanceExport {
                                kind,
                                instance_index,
                                name,
                            } => match kind {
                                ExternalKind::Func | ExternalKind::FuncExact => {
                                    a.funcs.push(CoreFunc::Alias {
                                        instance: instance_index,
                                        name: name.to_string(),
                                    })
                                }
                                ExternalKind::Memory => a.memory_section.push(section),
                                ExternalKind::Table => a.tables += 1,
                                _ => {}
                            },
                            ComponentAlias::InstanceExport {
                                kind: ComponentExternalKind::Module,
                                ..
                            }
                            | ComponentAlias::Outer {
                                kind: ComponentOuterAliasKind::CoreModule,
                                ..
                            } => {
                                a.module_section.push(section);
                                a.modules.push(None)
                            }
                            _ => {}
                        }
                    }
                }
                Payload::ComponentCanonicalSection(s) => {
                    a.canon_start.insert(section, canon_ordinal);
                    for func in s {
                        let func = func?;
                        a.canon_section.push(section);
                        match func {
                            // The only canonical function that is not a core function.
                            CanonicalFunction::Lift {
                                core_func_index,
                                options,
                                ..
                            } => a
                                .lifts
                                .push((canon_ordinal, core_func_index, options.to_vec())),
                            CanonicalFunction::Lower {
                                func_index,
                                options,
                            } => a.funcs.push(CoreFunc::Lower {
                                ordinal: canon_ordinal,
                                func_index,
                                options: options.to_vec(),
                            }),
                            _ => a.funcs.push(CoreFunc::Other),
                        }
                        canon_ordinal += 1;
                    }
                }
                _ => {}
            }
        }
        Ok(a)
    }
}
