//! Carrying out a [`Plan`]: the component re-encoded section by section,
//! with the stand-in's module section replaced by the real adapter, the
//! private memory's alias inserted before the planned section, and the
//! `memory` option of the planned canonical functions swapped for it.
//! Every other section is copied as it is. The sections are found by the
//! plan's ordinals: nothing is counted again here.

use super::Plan;
use crate::index_space::top_level;
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::convert::Infallible;
use wasm_encoder_component::reencode::{
    component_utils, Error as ReencodeError, Reencode, ReencodeComponent,
};
use wasmparser_component::{CanonicalFunction, CanonicalOption, Payload};

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
pub fn apply(component: &[u8], plan: &Plan, real_adapter: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm_encoder_component::Component::new();
    let target_ordinals: BTreeSet<u32> = plan.targets.iter().map(|t| t.ordinal).collect();
    for (section, payload) in top_level(component)? {
        if section == plan.alias_before_section && payload.as_section().is_some() {
            let mut aliases = wasm_encoder_component::ComponentAliasSection::new();
            aliases.alias(wasm_encoder_component::Alias::CoreInstanceExport {
                instance: plan.adapter_instance,
                kind: wasm_encoder_component::ExportKind::Memory,
                name: mmadapt_ir::abi::PRIVATE_MEMORY_EXPORT,
            });
            out.section(&aliases);
        }
        match payload {
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
    Ok(out.finish())
}
