//! Second lowerings of the bulk-data imports (file reads and writes, random
//! bytes), into the main memory.
//!
//! Invariant established: when the adapter exports its function table and
//! `mmadapt:zero-copy-ready`, every import in [`SLOTS`] that the adapter is
//! given also exists lowered with the *main* memory (and the adapter's
//! `cabi_import_realloc`; the main memory is never shared, `checks`
//! refuses that, so no thread can see the borrowed record); a fixup
//! module instantiated last puts these lowerings in new slots at the end
//! of the adapter's table and tells the adapter where they are. Nothing
//! else in the component changes: all new items come after every existing
//! one, so no index moves. The adapter's side is
//! `adapter-src/src/zero_copy.rs`, including why the result record of such
//! a call sits in user memory.
//!
//! The lowerings cannot be adapter imports: their realloc is an export of
//! the adapter itself, so they can only be made once it is instantiated,
//! the same cycle wit-component breaks with its shim table.

use crate::elem_fixup::Elements as ElemSegments;
use crate::index_space::{CoreFunc, CoreInstance, IndexSpaces};
use crate::rewrite::Plan;
use anyhow::Result;
use std::collections::BTreeSet;
use wasm_encoder_component::{
    Alias, CanonicalFunctionSection, CanonicalOption, CodeSection, ComponentAliasSection,
    ComponentSection, ElementSection, Elements, EntityType, ExportKind, Function, FunctionSection,
    HeapType, ImportSection, InstanceSection, Module, ModuleArg, ModuleSection, RefType,
    StartSection, TableType, TypeSection, ValType,
};

/// The adapter's exports this needs.
pub use mmadapt_ir::abi::{
    ZERO_COPY_READY_EXPORT as READY_EXPORT, ZERO_COPY_TABLE_EXPORT as TABLE_EXPORT,
};

/// Slot `i`: an adapter import (interface without version, function) and
/// the core signature of its lowering. Same order as the adapter's
/// `SLOT_*` constants.
pub const SLOTS: &[(&str, &str, &[ValType])] = &[
    (
        "wasi:filesystem/types",
        "[method]descriptor.read",
        &[ValType::I32, ValType::I64, ValType::I64, ValType::I32],
    ),
    (
        "wasi:filesystem/types",
        "[method]descriptor.write",
        &[
            ValType::I32,
            ValType::I32,
            ValType::I32,
            ValType::I64,
            ValType::I32,
        ],
    ),
    (
        "wasi:random/random",
        "get-random-bytes",
        &[ValType::I64, ValType::I32],
    ),
];

/// One slot the component can fill: its number, the component function
/// lowered, the adapter's realloc.
struct Found {
    slot: u32,
    func_index: u32,
    /// Only when the results hold a list (wit-component gives it then).
    realloc: Option<u32>,
}

/// Appends the zero-copy lowerings and the fixup to `component` (already
/// rewritten, see [`crate::rewrite::apply`]). Returns it unchanged when
/// the adapter does not take part or none of [`SLOTS`] is imported.
///
/// `private_instance`: the instance of the adapter's private module
/// ([`crate::private_module`]), whose table is the adapter's; without it,
/// the adapter exports its table itself. The fixup also puts `elements`
/// in the table (the adapter's element segments, exported: see
/// [`crate::elem_fixup`], which does it when there is no zero-copy
/// fixup); the second result says whether it did.
pub fn append(
    component: &[u8],
    plan: &Plan,
    adapter_exports: &BTreeSet<String>,
    private_instance: Option<u32>,
    elements: &ElemSegments,
) -> Result<(Vec<u8>, bool)> {
    let takes_part = adapter_exports.contains(READY_EXPORT)
        && (private_instance.is_some() || adapter_exports.contains(TABLE_EXPORT));
    let Some(main_memory) = plan.main_memory else {
        return Ok((component.to_vec(), false));
    };
    if !takes_part {
        return Ok((component.to_vec(), false));
    }
    let a = IndexSpaces::of(component)?;
    let found = find_lowerings(&a, plan.adapter_instance)?;
    if found.is_empty() {
        return Ok((component.to_vec(), false));
    }

    let mut out = component.to_vec();
    let module_index = a.modules.len() as u32;
    ModuleSection(&fixup_module(&found, elements)).append_to_component(&mut out);

    let first_lowered = a.funcs.len() as u32;
    let mut canon = CanonicalFunctionSection::new();
    for f in &found {
        let mut options = vec![CanonicalOption::Memory(main_memory)];
        options.extend(f.realloc.map(CanonicalOption::Realloc));
        canon.lower(f.func_index, options);
    }
    canon.append_to_component(&mut out);

    let table = a.tables;
    let ready = first_lowered + found.len() as u32;
    let mut aliases = ComponentAliasSection::new();
    aliases.alias(match private_instance {
        Some(instance) => Alias::CoreInstanceExport {
            instance,
            kind: ExportKind::Table,
            name: mmadapt_ir::abi::PRIVATE_TABLE,
        },
        None => Alias::CoreInstanceExport {
            instance: plan.adapter_instance,
            kind: ExportKind::Table,
            name: TABLE_EXPORT,
        },
    });
    aliases.alias(Alias::CoreInstanceExport {
        instance: plan.adapter_instance,
        kind: ExportKind::Func,
        name: READY_EXPORT,
    });
    crate::elem_fixup::alias_functions(&mut aliases, plan.adapter_instance, elements);
    aliases.append_to_component(&mut out);

    let first_instance = a.instances.len() as u32;
    let mut instances = InstanceSection::new();
    instances.export_items(
        [
            ("table".to_string(), ExportKind::Table, table),
            ("ready".to_string(), ExportKind::Func, ready),
        ]
        .into_iter()
        .chain(crate::elem_fixup::bag_items(elements, ready + 1))
        .collect::<Vec<_>>(),
    );
    instances.export_items(
        (0..found.len() as u32)
            .map(|i| (i.to_string(), ExportKind::Func, first_lowered + i))
            .collect::<Vec<_>>(),
    );
    instances.instantiate(
        module_index,
        [
            ("adapter", ModuleArg::Instance(first_instance)),
            ("lowered", ModuleArg::Instance(first_instance + 1)),
        ],
    );
    instances.append_to_component(&mut out);
    Ok((out, true))
}

/// For every slot, the lowering that feeds the adapter's import of that
/// function (through wit-component's shim or directly).
fn find_lowerings(a: &IndexSpaces, adapter_instance: u32) -> Result<Vec<Found>> {
    let CoreInstance::Instantiate { args, .. } = &a.instances[adapter_instance as usize] else {
        anyhow::bail!("the adapter instance is not an instantiation");
    };
    // The component function and realloc of the lowering behind a core
    // function: itself, or the one behind a wit-component shim slot.
    let lowering = |core_func: u32| -> Option<(u32, Option<u32>)> {
        match &a.funcs[core_func as usize] {
            CoreFunc::Lower {
                func_index,
                options,
                ..
            } => Some((*func_index, realloc_of(options))),
            CoreFunc::Alias { name, .. } => a.instances.iter().find_map(|inst| match inst {
                CoreInstance::FromExports(items) => items.iter().find_map(|(n, _, idx)| {
                    match (&a.funcs[*idx as usize], n == name) {
                        (
                            CoreFunc::Lower {
                                func_index,
                                options,
                                ..
                            },
                            true,
                        ) => Some((*func_index, realloc_of(options))),
                        _ => None,
                    }
                }),
                _ => None,
            }),
            CoreFunc::Other => None,
        }
    };
    let mut found = Vec::new();
    for (slot, (interface, function, _)) in SLOTS.iter().enumerate() {
        let hit = args.iter().find_map(|(module, inst)| {
            let versionless = module.split('@').next().unwrap_or(module);
            if versionless != *interface {
                return None;
            }
            let CoreInstance::FromExports(items) = &a.instances[*inst as usize] else {
                return None;
            };
            items
                .iter()
                .find(|(name, _, _)| name == function)
                .and_then(|(_, _, idx)| lowering(*idx))
        });
        let Some((func_index, realloc)) = hit else {
            continue;
        };
        found.push(Found {
            slot: slot as u32,
            func_index,
            realloc,
        });
    }
    Ok(found)
}

/// The `realloc` option of a lowering, if it has one.
fn realloc_of(options: &[wasmparser_component::CanonicalOption]) -> Option<u32> {
    options.iter().find_map(|o| match o {
        wasmparser_component::CanonicalOption::Realloc(r) => Some(*r),
        _ => None,
    })
}

/// The fixup: imports the adapter's table and `ready`, and the lowerings as
/// `lowered`.`0`, `1`, ...; its start function grows the table by one slot
/// per slot number up to the highest found (returning, zero-copy off, if
/// the table cannot grow), stores each lowering at `base + slot`, and calls
/// `ready(base, mask)`.
///
/// With `elements`, it also imports `adapter`.`e0`, ... (after the
/// lowerings) and puts them in the table with active segments.
fn fixup_module(found: &[Found], elements: &ElemSegments) -> Module {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32, ValType::I32], []); // ready
    types.ty().function([], []); // start
    for f in found {
        types
            .ty()
            .function(SLOTS[f.slot as usize].2.iter().copied(), []);
    }
    let mut imports = ImportSection::new();
    imports.import(
        "adapter",
        "table",
        TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 0,
            maximum: None,
            shared: false,
        },
    );
    imports.import("adapter", "ready", EntityType::Function(0));
    for (i, _) in found.iter().enumerate() {
        imports.import(
            "lowered",
            &i.to_string(),
            EntityType::Function(2 + i as u32),
        );
    }
    // Functions: 0 = ready, 1.. = lowered, the element functions, then start.
    let first_elem_func = 1 + found.len() as u32;
    let start = first_elem_func + elements.functions.len() as u32;
    let mut elems = ElementSection::new();
    crate::elem_fixup::add_to_module(
        elements,
        "adapter",
        &mut types,
        &mut imports,
        &mut elems,
        first_elem_func,
    );
    let mut funcs = FunctionSection::new();
    funcs.function(1);
    let lowered: Vec<u32> = (1..=found.len() as u32).collect();
    elems.declared(Elements::Functions(lowered.as_slice().into()));

    let slots = found.iter().map(|f| f.slot + 1).max().unwrap_or(0);
    let mask = found.iter().fold(0u32, |m, f| m | 1 << f.slot);
    let mut body = Function::new([(1, ValType::I32)]);
    let mut ins = body.instructions();
    ins.ref_null(HeapType::FUNC)
        .i32_const(slots as i32)
        .table_grow(0)
        .local_tee(0)
        .i32_const(-1)
        .i32_eq()
        .if_(wasm_encoder_component::BlockType::Empty)
        // No room: leave the adapter on its copying path.
        .return_()
        .end();
    for (i, f) in found.iter().enumerate() {
        ins.local_get(0)
            .i32_const(f.slot as i32)
            .i32_add()
            .ref_func(1 + i as u32)
            .table_set(0);
    }
    ins.local_get(0).i32_const(mask as i32).call(0).end();
    let mut code = CodeSection::new();
    code.function(&body);

    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&funcs)
        .section(&StartSection {
            function_index: start,
        })
        .section(&elems)
        .section(&code);
    m
}
