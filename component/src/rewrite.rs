//! Rewriting the component that wit-component built around the stand-in.
//!
//! Three edits, nothing renumbered:
//! 1. the stand-in core module (after wit-component's GC) is replaced by the
//!    real split adapter trimmed to the same exports;
//! 2. a core alias of the adapter instance's `mmadapt:private-memory` export
//!    is inserted just before the first canonical section that needs it,
//!    after every other core memory alias, so it takes the next free core
//!    memory index and no existing index moves;
//! 3. every `canon lower` that feeds the adapter gets that memory as its
//!    `memory` option instead of the main module's.
//!
//! A lowering feeds the adapter when it is one of the adapter's indirect
//! lowerings, found two ways (both must agree with wit-component's layout,
//! encoding.rs `encode_shim`/`materialize_shim_import`):
//! - the adapter instance's arguments alias shim-instance exports named
//!   `"0"`, `"1"`, ...; the fixup's "actual" instance exports the lowered
//!   functions under the same names;
//! - its `realloc` option is a function exported by the adapter instance
//!   (`cabi_import_realloc`).

use crate::module_facts::ModuleFacts;
use anyhow::{bail, ensure, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::ops::Range;
use wasm_encoder_component::reencode::{
    component_utils, Error as ReencodeError, Reencode, ReencodeComponent,
};
use wasmparser_component::{
    CanonicalFunction, CanonicalOption, Chunk, ComponentAlias, ComponentExternalKind,
    ComponentOuterAliasKind, ComponentTypeRef, ExternalKind, Instance, Parser, Payload,
};

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

/// A canonical function whose `memory` option must become the adapter's
/// private memory: a lowering that feeds the adapter, or a lifting of one
/// of the adapter's own exports (which reads its arguments from, and writes
/// its results to, that memory, with the adapter's realloc).
#[derive(Debug, Clone)]
pub struct Target {
    /// Core function index of the lowered function (for a lifting: of the
    /// adapter export it lifts).
    pub core_func: u32,
    /// Ordinal among all canonical functions of the component.
    pub ordinal: u32,
    /// The memory option before the rewrite (the main module's memory).
    pub old_memory: Option<u32>,
}

/// What the rewrite found and changed.
#[derive(Debug, Clone)]
pub struct Report {
    pub adapter_module: u32,
    pub adapter_instance: u32,
    /// The function exports of the stand-in as wit-component kept them.
    pub adapter_exports: BTreeSet<String>,
    /// The imports of the stand-in as wit-component kept them.
    pub adapter_imports: BTreeSet<(String, String)>,
    /// The memory given to the adapter as `env`.`memory` (absent when no
    /// live adapter code touches user memory).
    pub main_memory: Option<u32>,
    pub private_memory: u32,
    /// Ordinal of the top-level section before which the alias goes.
    pub alias_before_section: u32,
    pub targets: Vec<Target>,
}

/// Everything the first pass learns about the component's index spaces.
#[derive(Default)]
pub(crate) struct Analysis {
    /// Core modules: the byte range for modules defined in place.
    pub modules: Vec<Option<Range<usize>>>,
    pub instances: Vec<CoreInstance>,
    /// Section ordinal of each core instance.
    instance_section: Vec<u32>,
    pub funcs: Vec<CoreFunc>,
    /// Every `canon lift`: (ordinal, lifted core function, options).
    pub lifts: Vec<(u32, u32, Vec<CanonicalOption>)>,
    /// How many core tables there are (all are aliases).
    pub tables: u32,
    /// Section ordinal of each core memory (all are aliases).
    memory_section: Vec<u32>,
    /// Section ordinal of every canonical function, by ordinal.
    canon_section: Vec<u32>,
    /// For canonical sections: ordinal of their first entry.
    canon_start: BTreeMap<u32, u32>,
}

/// Iterates the top-level payloads of a component, skipping nested module
/// and component contents. Yields (section ordinal, payload).
fn top_level(bytes: &[u8]) -> Result<Vec<(u32, Payload<'_>)>> {
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

pub(crate) fn analyze(bytes: &[u8]) -> Result<Analysis> {
    let mut a = Analysis::default();
    let mut canon_ordinal = 0u32;
    for (section, payload) in top_level(bytes)? {
        match payload {
            Payload::ModuleSection {
                unchecked_range, ..
            } => a.modules.push(Some(
                unchecked_range.start as usize..unchecked_range.end as usize,
            )),
            Payload::ComponentImportSection(s) => {
                for import in s {
                    if let ComponentTypeRef::Module(_) = import?.ty {
                        a.modules.push(None);
                    }
                }
            }
            Payload::ComponentExportSection(s) => {
                // Exports may re-export (and so re-index) modules.
                for export in s {
                    if export?.kind == ComponentExternalKind::Module {
                        a.modules.push(None);
                    }
                }
            }
            Payload::InstanceSection(s) => {
                for instance in s {
                    a.instance_section.push(section);
                    a.instances.push(match instance? {
                        Instance::Instantiate { module_index, args } => CoreInstance::Instantiate {
                            module: module_index,
                            args: args
                                .iter()
                                .map(|arg| (arg.name.to_string(), arg.index))
                                .collect(),
                        },
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
                        } => a.modules.push(None),
                        ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::CoreModule,
                            ..
                        } => a.modules.push(None),
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

/// The bytes of the core modules defined in place, in index order (modules
/// from other sources are `None`).
pub fn core_modules(component: &[u8]) -> Result<Vec<Option<&[u8]>>> {
    Ok(analyze(component)?
        .modules
        .into_iter()
        .map(|r| r.map(|r| &component[r]))
        .collect())
}

/// Finds the adapter and the lowerings that feed it (`None` if the
/// component has no adapter). `standin_exports` are the function exports
/// of the stand-in before wit-component's GC.
pub fn plan(component: &[u8], standin_exports: &BTreeSet<String>) -> Result<Option<Report>> {
    let a = analyze(component)?;

    // 1. The adapter module: the only core module whose exports are a
    //    non-empty subset of the stand-in's function exports.
    let mut candidates = Vec::new();
    for (i, range) in a.modules.iter().enumerate() {
        let Some(range) = range else { continue };
        let facts = ModuleFacts::read(&component[range.clone()])?;
        let exports = facts.export_names();
        if facts.exports_only_functions()
            && !exports.is_empty()
            && exports.is_subset(standin_exports)
        {
            candidates.push((i as u32, exports, facts.import_keys()));
        }
    }
    // None: wit-component left the adapter out, as it does when the main
    // module imports nothing from preview1.
    if candidates.is_empty() {
        return Ok(None);
    }
    ensure!(
        candidates.len() == 1,
        "expected exactly one core module shaped like the stand-in adapter, found {}",
        candidates.len()
    );
    let (adapter_module, adapter_exports, adapter_imports) = candidates.pop().unwrap();

    // 2. Its instance.
    let instantiations: Vec<u32> = a
        .instances
        .iter()
        .enumerate()
        .filter(|(_, inst)| matches!(inst, CoreInstance::Instantiate { module, .. } if *module == adapter_module))
        .map(|(i, _)| i as u32)
        .collect();
    ensure!(
        instantiations.len() == 1,
        "the adapter module is instantiated {} times, expected once",
        instantiations.len()
    );
    let adapter_instance = instantiations[0];
    let CoreInstance::Instantiate { args, .. } = &a.instances[adapter_instance as usize] else {
        unreachable!()
    };

    // 3. What the adapter is instantiated with: shim slots (indirect
    //    lowerings), direct lowerings, and the main memory for `env`.`memory`.
    let mut slots: BTreeSet<(u32, String)> = BTreeSet::new();
    let mut targets: BTreeMap<u32, Target> = BTreeMap::new(); // by core func
    let mut main_memory = None;
    for (arg_name, inst) in args {
        let CoreInstance::FromExports(items) = &a.instances[*inst as usize] else {
            continue;
        };
        for (item, kind, index) in items {
            match kind {
                ExternalKind::Func => match &a.funcs[*index as usize] {
                    CoreFunc::Alias { instance, name } => {
                        slots.insert((*instance, name.clone()));
                    }
                    CoreFunc::Lower { ordinal, .. } => {
                        targets.insert(*index, target(&a, *index, *ordinal));
                    }
                    CoreFunc::Other => {}
                },
                ExternalKind::Memory => {
                    ensure!(
                        (arg_name.as_str(), item.as_str()) == mmadapt_ir::abi::USER_MEMORY_IMPORT,
                        "the adapter is given memory `{arg_name}`.`{item}`"
                    );
                    main_memory = Some(*index);
                }
                _ => {}
            }
        }
    }

    // 4. The lowered functions behind the shim slots ("actual" instance).
    let slot_names: BTreeSet<&str> = slots.iter().map(|(_, n)| n.as_str()).collect();
    for inst in &a.instances {
        let CoreInstance::FromExports(items) = inst else {
            continue;
        };
        for (name, kind, index) in items {
            if *kind != ExternalKind::Func || !slot_names.contains(name.as_str()) {
                continue;
            }
            if let CoreFunc::Lower { ordinal, .. } = &a.funcs[*index as usize] {
                targets.insert(*index, target(&a, *index, *ordinal));
            }
        }
    }

    // 5. Cross-check: every lowering whose realloc is the adapter's is a target.
    for (f, func) in a.funcs.iter().enumerate() {
        let CoreFunc::Lower {
            ordinal, options, ..
        } = func
        else {
            continue;
        };
        let adapter_realloc = options.iter().any(|o| match o {
            CanonicalOption::Realloc(r) => matches!(
                &a.funcs[*r as usize],
                CoreFunc::Alias { instance, .. } if *instance == adapter_instance
            ),
            _ => false,
        });
        if adapter_realloc {
            ensure!(
                targets.contains_key(&(f as u32)),
                "lowering #{ordinal} uses the adapter's realloc but was not found among the adapter's shims"
            );
        }
    }

    // Only lowerings with a memory option need the rewrite.
    let mut targets: Vec<Target> = targets
        .into_values()
        .filter(|t| t.old_memory.is_some())
        .collect();
    // Liftings of the adapter's exports with a memory option (an export
    // that takes or returns lists or strings): wit-component gives them the
    // main memory too, and the adapter's realloc.
    for (ordinal, core_func, options) in &a.lifts {
        let of_adapter = matches!(
            &a.funcs[*core_func as usize],
            CoreFunc::Alias { instance, .. } if *instance == adapter_instance
        );
        let old_memory = memory_option(options);
        if of_adapter && old_memory.is_some() {
            targets.push(Target {
                core_func: *core_func,
                ordinal: *ordinal,
                old_memory,
            });
        }
    }
    // wit-component gives every lowering the main memory (the only memory
    // it knows); check it is the one the adapter got as `env`.`memory`, when
    // the adapter imports it at all.
    for t in &targets {
        if let Some(main) = main_memory {
            ensure!(
                t.old_memory == Some(main),
                "canonical function #{} of the adapter uses memory {:?}, not the main memory {main}",
                t.ordinal,
                t.old_memory
            );
        }
    }

    // 6. Where the alias goes: before the canonical section of the first
    //    target, after the adapter's instantiation and after every existing
    //    core memory, so that its index is the next free one.
    let first = targets.iter().map(|t| t.ordinal).min();
    let alias_before_section = match first {
        Some(o) => a.canon_section[o as usize],
        None => u32::MAX,
    };
    ensure!(
        a.instance_section[adapter_instance as usize] < alias_before_section,
        "a lowering feeding the adapter comes before the adapter is instantiated"
    );
    if let Some(late) = a
        .memory_section
        .iter()
        .find(|s| **s >= alias_before_section)
    {
        bail!(
            "a core memory is aliased in section {late}, at or after the insertion point \
             (section {alias_before_section}); inserting the private memory would renumber it"
        );
    }
    Ok(Some(Report {
        adapter_module,
        adapter_instance,
        adapter_exports,
        adapter_imports,
        main_memory,
        private_memory: a.memory_section.len() as u32,
        alias_before_section,
        targets,
    }))
}

/// The `memory` option of a canonical function, if it has one.
fn memory_option(options: &[CanonicalOption]) -> Option<u32> {
    options.iter().find_map(|o| match o {
        CanonicalOption::Memory(m) => Some(*m),
        _ => None,
    })
}

fn target(a: &Analysis, core_func: u32, ordinal: u32) -> Target {
    let old_memory = match &a.funcs[core_func as usize] {
        CoreFunc::Lower { options, .. } => memory_option(options),
        _ => None,
    };
    Target {
        core_func,
        ordinal,
        old_memory,
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
pub fn apply(component: &[u8], plan: &Report, real_adapter: &[u8]) -> Result<Vec<u8>> {
    let a = analyze(component)?;
    let mut out = wasm_encoder_component::Component::new();
    let mut module_index = 0u32;
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
                let data = if module_index == plan.adapter_module {
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
                if {
                    let start = a.canon_start[&section];
                    (start..start + s.count()).any(|o| target_ordinals.contains(&o))
                } =>
            {
                let mut rewriter = CanonRewriter {
                    targets: target_ordinals.clone(),
                    ordinal: a.canon_start[&section],
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
        // Count core modules defined in place (the only ones `plan` can pick).
        if let Payload::ModuleSection { .. } = payload {
            module_index += 1;
        }
        // Other sources of module indices, kept in step with `analyze`.
        match payload {
            Payload::ComponentImportSection(s) => {
                for i in s {
                    if let ComponentTypeRef::Module(_) = i?.ty {
                        module_index += 1;
                    }
                }
            }
            Payload::ComponentExportSection(s) => {
                for e in s {
                    if e?.kind == ComponentExternalKind::Module {
                        module_index += 1;
                    }
                }
            }
            Payload::ComponentAliasSection(s) => {
                for al in s {
                    match al? {
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Module,
                            ..
                        }
                        | ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::CoreModule,
                            ..
                        } => module_index += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out.finish())
}
