//! Carrying out a [`Plan`]: the component re-encoded section by section,
//! with the stand-in's module section replaced by the real adapter, the
//! private memory's alias inserted before the planned section, and the
//! `memory` option of the planned canonical functions swapped for it.
//! With a private module (`crate::private_module`), it is defined and
//! instantiated, with no arguments, just before the section that
//! instantiates the adapter, or before the alias's section if that comes
//! first (a main module importing `env`.`memory`); the adapter gets that instance as
//! [`PRIVATE_MODULE`], the memory alias names it, and the core module and
//! instance indices from there on move up by one. Every other section is
//! copied as it is. The sections are found by the plan's ordinals: nothing
//! is counted again here.

use super::Plan;
use crate::index_space::{top_level, IndexSpaces};
use anyhow::{ensure, Context, Result};
use mmadapt_ir::abi::{PRIVATE_MEMORY, PRIVATE_MODULE};
use std::collections::BTreeSet;
use std::convert::Infallible;
use wasm_encoder_component::reencode::{
    component_utils, Error as ReencodeError, Reencode, ReencodeComponent,
};
use wasmparser_component::{CanonicalFunction, CanonicalOption, Instance, Payload};

/// Where the private module goes, and the indices it takes.
struct Insertion<'a> {
    bytes: &'a [u8],
    /// Ordinal of the section that instantiates the adapter, or of the
    /// alias's section if that comes first.
    before_section: u32,
    /// The new module's and instance's indices.
    module: u32,
    instance: u32,
}

/// Moves core module and instance indices up past the inserted ones.
struct Shift {
    module: u32,
    instance: u32,
}

impl Reencode for Shift {
    type Error = Infallible;
}

impl ReencodeComponent for Shift {
    fn module_index(&mut self, i: u32) -> u32 {
        if i >= self.module {
            i + 1
        } else {
            i
        }
    }
    fn instance_index(&mut self, i: u32) -> u32 {
        if i >= self.instance {
            i + 1
        } else {
            i
        }
    }
}

/// Re-encodes canonical functions, swapping the memory of the targets.
struct CanonRewriter {
    targets: BTreeSet<u32>,
    ordinal: u32,
    in_target: bool,
    private_memory: u32,
}

impl Reencode for CanonRewriter {
    type Error = Infallible;
}

impl ReencodeComponent for CanonRewriter {
    fn parse_component_canonical(
        &mut self,
        section: &mut wasm_encoder_component::CanonicalFunctionSection,
        func: CanonicalFunction,
    ) -> Result<(), ReencodeError<Infallible>> {
        self.in_target = self.targets.contains(&self.ordinal);
        self.ordinal += 1;
        let r = component_utils::parse_component_canonical(self, section, func);
        self.in_target = false;
        r
    }

    fn canonical_option(
        &mut self,
        opt: CanonicalOption,
    ) -> Result<wasm_encoder_component::CanonicalOption, ReencodeError<Infallible>> {
        match opt {
            CanonicalOption::Memory(_) if self.in_target => Ok(
                wasm_encoder_component::CanonicalOption::Memory(self.private_memory),
            ),
            other => component_utils::canonical_option(self, other),
        }
    }
}

/// Applies the plan: replaces the adapter module with `real_adapter`,
/// inserts the private-memory alias and retargets the lowerings.
/// `plan` must be [`plan`](super::plan)'s for this `component`: its
/// section ordinals are the component's.
/// With `private_module`, the adapter's instance index moves up by one in
/// the result (see the module doc), and the private module's instance
/// index is returned beside it.
pub fn apply(
    component: &[u8],
    plan: &Plan,
    real_adapter: &[u8],
    private_module: Option<&[u8]>,
) -> Result<(Vec<u8>, Option<u32>)> {
    let a = IndexSpaces::of(component)?;
    let adapter_section = a.instance_section[plan.adapter_instance as usize];
    let insertion = match private_module {
        None => {
            ensure!(
                adapter_section < plan.alias_before_section,
                "a lowering feeding the adapter comes before the adapter is instantiated \
                 (a module importing `env`.`memory`), which the one-module layout cannot \
                 retarget; leave out --single-module"
            );
            None
        }
        Some(bytes) => {
            // The private instance takes no arguments: it can go wherever
            // the first lowering that needs its memory is.
            let before_section = adapter_section.min(plan.alias_before_section);
            let modules = a
                .module_section
                .iter()
                .filter(|s| **s < before_section)
                .count();
            let instances = a
                .instance_section
                .iter()
                .filter(|s| **s < before_section)
                .count();
            Some(Insertion {
                bytes,
                before_section,
                module: modules as u32,
                instance: instances as u32,
            })
        }
    };
    let mut shift = insertion.as_ref().map(|i| Shift {
        module: i.module,
        instance: i.instance,
    });
    let mut out = wasm_encoder_component::Component::new();
    let target_ordinals: BTreeSet<u32> = plan.targets.iter().map(|t| t.ordinal).collect();
    // Core instances seen so far (old indices), to find the adapter's.
    let mut instance_ordinal = 0u32;
    for (section, payload) in top_level(component)? {
        if let Some(ins) = insertion.as_ref().filter(|i| i.before_section == section) {
            out.section(&wasm_encoder_component::RawSection {
                id: wasm_encoder_component::ComponentSectionId::CoreModule as u8,
                data: ins.bytes,
            });
            let mut instances = wasm_encoder_component::InstanceSection::new();
            instances.instantiate(
                ins.module,
                Vec::<(&str, wasm_encoder_component::ModuleArg)>::new(),
            );
            out.section(&instances);
        }
        let shifting = insertion
            .as_ref()
            .is_some_and(|i| section >= i.before_section);
        if section == plan.alias_before_section && payload.as_section().is_some() {
            let mut aliases = wasm_encoder_component::ComponentAliasSection::new();
            aliases.alias(match &insertion {
                Some(ins) => wasm_encoder_component::Alias::CoreInstanceExport {
                    instance: ins.instance,
                    kind: wasm_encoder_component::ExportKind::Memory,
                    name: PRIVATE_MEMORY,
                },
                None => wasm_encoder_component::Alias::CoreInstanceExport {
                    instance: plan.adapter_instance,
                    kind: wasm_encoder_component::ExportKind::Memory,
                    name: mmadapt_ir::abi::PRIVATE_MEMORY_EXPORT,
                },
            });
            out.section(&aliases);
        }
        match payload {
            Payload::InstanceSection(ref s) if shifting => {
                let shift = shift.as_mut().unwrap();
                let provider = insertion.as_ref().unwrap().instance;
                let mut instances = wasm_encoder_component::InstanceSection::new();
                for instance in s.clone() {
                    match instance? {
                        Instance::Instantiate { module_index, args } => {
                            let mut new_args: Vec<(String, wasm_encoder_component::ModuleArg)> =
                                args.iter()
                                    .map(|a| {
                                        (
                                            a.name.to_string(),
                                            wasm_encoder_component::ModuleArg::Instance(
                                                shift.instance_index(a.index),
                                            ),
                                        )
                                    })
                                    .collect();
                            if instance_ordinal == plan.adapter_instance {
                                new_args.push((
                                    PRIVATE_MODULE.to_string(),
                                    wasm_encoder_component::ModuleArg::Instance(provider),
                                ));
                            }
                            instances.instantiate(shift.module_index(module_index), new_args);
                        }
                        Instance::FromExports(exports) => {
                            instances.export_items(
                                exports
                                    .iter()
                                    .map(|e| (e.name, e.kind.into(), e.index))
                                    .collect::<Vec<_>>(),
                            );
                        }
                    }
                    instance_ordinal += 1;
                }
                out.section(&instances);
            }
            Payload::InstanceSection(ref s) => {
                instance_ordinal += s.count();
                let (id, range) = payload.as_section().context("unexpected payload")?;
                out.section(&wasm_encoder_component::RawSection {
                    id,
                    data: &component[range.start as usize..range.end as usize],
                });
            }
            Payload::ComponentAliasSection(ref s) if shifting => {
                let mut aliases = wasm_encoder_component::ComponentAliasSection::new();
                shift
                    .as_mut()
                    .unwrap()
                    .parse_component_alias_section(&mut aliases, s.clone())
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                out.section(&aliases);
            }
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::ModuleSection {
                ref unchecked_range,
                ..
            } => {
                let data = if section == plan.adapter_section {
                    real_adapter
                } else {
                    &component[unchecked_range.start as usize..unchecked_range.end as usize]
                };
                out.section(&wasm_encoder_component::RawSection {
                    id: wasm_encoder_component::ComponentSectionId::CoreModule as u8,
                    data,
                });
            }
            Payload::ComponentCanonicalSection(ref s)
                if plan.target_sections.contains_key(&section) =>
            {
                let mut rewriter = CanonRewriter {
                    targets: target_ordinals.clone(),
                    ordinal: plan.target_sections[&section],
                    in_target: false,
                    private_memory: plan.private_memory,
                };
                let mut canon = wasm_encoder_component::CanonicalFunctionSection::new();
                rewriter
                    .parse_component_canonical_section(&mut canon, s.clone())
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                out.section(&canon);
            }
            Payload::CustomSection(ref c) if shifting => {
                // The name section names modules and instances by index.
                shift
                    .as_mut()
                    .unwrap()
                    .parse_component_custom_section(&mut out, c.clone())
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            Payload::CustomSection(ref c) => {
                out.section(&wasm_encoder_component::CustomSection {
                    name: c.name().into(),
                    data: c.data().into(),
                });
            }
            ref other => {
                let (id, range) = other.as_section().context("unexpected payload")?;
                out.section(&wasm_encoder_component::RawSection {
                    id,
                    data: &component[range.start as usize..range.end as usize],
                });
            }
        }
    }
    Ok((out.finish(), insertion.map(|i| i.instance)))
}
