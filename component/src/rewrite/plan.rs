//! Planning the rewrite: which core module is the stand-in adapter, its
//! instance, the memory it is given as `env`.`memory`, the canonical
//! functions that feed it, and where its private memory's alias goes, all
//! as indices of the component's index spaces (`index_space.rs`).
//!
//! A lowering feeds the adapter when it is one of the adapter's indirect
//! lowerings, found two ways (both must agree with wit-component's layout,
//! encoding.rs `encode_shim`/`materialize_shim_import`):
//! - the adapter instance's arguments alias shim-instance exports named
//!   `"0"`, `"1"`, ...; the fixup's "actual" instance exports the lowered
//!   functions under the same names;
//! - its `realloc` option is a function exported by the adapter instance
//!   (`cabi_import_realloc`).

use crate::index_space::{CoreFunc, CoreInstance, IndexSpaces};
use crate::module_facts::ModuleFacts;
use anyhow::{bail, ensure, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use wasmparser_component::{CanonicalOption, ExternalKind};

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

/// What the rewrite changes, found by [`plan`] and carried out by
/// [`apply`](super::apply).
#[derive(Debug, Clone)]
pub struct Plan {
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
    /// Ordinal of the top-level section that defines the adapter module.
    pub adapter_section: u32,
    /// Each canonical section that holds a target, by section ordinal: the
    /// ordinal of its first canonical function.
    pub target_sections: BTreeMap<u32, u32>,
    pub targets: Vec<Target>,
}

/// Finds the adapter and the lowerings that feed it (`None` if the
/// component has no adapter). `standin_exports` are the function exports
/// of the stand-in before wit-component's GC.
pub fn plan(component: &[u8], standin_exports: &BTreeSet<String>) -> Result<Option<Plan>> {
    let a = IndexSpaces::of(component)?;

    // 1. The adapter module: the only core module whose exports are a
    //    non-empty subset of the stand-in's function exports.
    let mut candidates = Vec::new();
    for (i, module) in a.modules.iter().enumerate() {
        let Some(module) = module else { continue };
        let facts = ModuleFacts::read(&component[module.range.clone()])?;
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
    // Candidates are modules defined in place; an error, not a panic, if not.
    let adapter_section = a.modules[adapter_module as usize]
        .as_ref()
        .map(|m| m.section)
        .context("the planned adapter module is not defined in this component")?;

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
    //    target, after every existing core memory, so that its index is the
    //    next free one. It may come before the adapter's instantiation (a
    //    main module importing `env`.`memory`: wit-component then lowers
    //    before instantiating the adapter); `apply` then instantiates the
    //    private module there, and refuses for the one-module layout.
    let first = targets.iter().map(|t| t.ordinal).min();
    let alias_before_section = match first {
        Some(o) => a.canon_section[o as usize],
        None => u32::MAX,
    };
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
    let target_sections = targets
        .iter()
        .map(|t| {
            let section = a.canon_section[t.ordinal as usize];
            (section, a.canon_start[&section])
        })
        .collect();
    Ok(Some(Plan {
        adapter_module,
        adapter_instance,
        adapter_exports,
        adapter_imports,
        main_memory,
        private_memory: a.memory_section.len() as u32,
        alias_before_section,
        adapter_section,
        target_sections,
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

fn target(a: &IndexSpaces, core_func: u32, ordinal: u32) -> Target {
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
