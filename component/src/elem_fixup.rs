//! The adapter's element segments, for the private-module layout
//! ([`crate::private_module`]).
//!
//! The adapter's function table lives in the private module, which is
//! instantiated before the adapter and so cannot name its functions; the
//! adapter itself may have no element segment (jco's default path refuses
//! one in a module with two memories). So the adapter exports the functions
//! its segments held, and a small fixup module, instantiated after every
//! other instance, imports the table and those functions and puts them at
//! the segments' offsets with active element segments of its own.
//!
//! Invariant established: the table holds at each segment's offset what the
//! adapter's segments put there, before any code of the component runs
//! (instances are made in order and none before this one calls into the
//! adapter). Nothing else changes: all new items come after every existing
//! one, so no index moves.

use crate::index_space::IndexSpaces;
use anyhow::Result;
use mmadapt_ir::abi::PRIVATE_TABLE;
use wasm_encoder_component::{
    Alias, ComponentAliasSection, ComponentSection, ConstExpr, ElementSection, EntityType,
    ExportKind, ImportSection, InstanceSection, Module, ModuleArg, ModuleSection, RefType,
    TableType, TypeSection, ValType,
};

/// The adapter's element segments as exports: the functions (export name,
/// core type) and, per segment, its offset and the functions in order.
#[derive(Debug, Clone, Default)]
pub struct Elements {
    pub functions: Vec<ElemFunc>,
    pub segments: Vec<(u32, Vec<usize>)>,
}

/// A function one of the segments holds, as the adapter exports it.
#[derive(Debug, Clone)]
pub struct ElemFunc {
    pub export: String,
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

/// The name the adapter exports the `k`th distinct element function under
/// (short: it is written three times; no preview1 or WIT name looks like
/// it, and `private_module` checks that it is free).
pub fn export_name(k: usize) -> String {
    format!("e{k}")
}

/// Appends the fixup to `component`: `private_instance` exports the table,
/// `adapter_instance` the functions of `elements`.
pub fn append(
    component: &[u8],
    adapter_instance: u32,
    private_instance: u32,
    elements: &Elements,
) -> Result<Vec<u8>> {
    if elements.segments.is_empty() {
        return Ok(component.to_vec());
    }
    let a = IndexSpaces::of(component)?;
    let mut out = component.to_vec();
    let module_index = a.modules.len() as u32;
    ModuleSection(&fixup_module(elements)).append_to_component(&mut out);

    let table = a.tables;
    let first_func = a.funcs.len() as u32;
    let mut aliases = ComponentAliasSection::new();
    aliases.alias(Alias::CoreInstanceExport {
        instance: private_instance,
        kind: ExportKind::Table,
        name: PRIVATE_TABLE,
    });
    alias_functions(&mut aliases, adapter_instance, elements);
    aliases.append_to_component(&mut out);

    let bag = a.instances.len() as u32;
    let mut instances = InstanceSection::new();
    instances.export_items(
        std::iter::once((PRIVATE_TABLE.to_string(), ExportKind::Table, table))
            .chain(bag_items(elements, first_func))
            .collect::<Vec<_>>(),
    );
    instances.instantiate(module_index, [("", ModuleArg::Instance(bag))]);
    instances.append_to_component(&mut out);
    Ok(out)
}

/// Imports `""`.`t` and the functions under their export names; one active
/// element segment per adapter segment.
fn fixup_module(elements: &Elements) -> Module {
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    imports.import(
        "",
        PRIVATE_TABLE,
        TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 0,
            maximum: None,
            shared: false,
        },
    );
    let mut elems = ElementSection::new();
    add_to_module(elements, "", &mut types, &mut imports, &mut elems, 0);
    let mut m = Module::new();
    m.section(&types).section(&imports).section(&elems);
    m
}

/// Aliases the adapter's element functions, in order (for a fixup's bag).
pub(crate) fn alias_functions(
    aliases: &mut ComponentAliasSection,
    adapter_instance: u32,
    elements: &Elements,
) {
    for f in &elements.functions {
        aliases.alias(Alias::CoreInstanceExport {
            instance: adapter_instance,
            kind: ExportKind::Func,
            name: &f.export,
        });
    }
}

/// The bag entries of the element functions aliased by
/// [`alias_functions`], the first of which is core function `first_func`.
pub(crate) fn bag_items(
    elements: &Elements,
    first_func: u32,
) -> impl Iterator<Item = (String, ExportKind, u32)> + '_ {
    elements
        .functions
        .iter()
        .enumerate()
        .map(move |(k, f)| (f.export.clone(), ExportKind::Func, first_func + k as u32))
}

/// Adds the element functions to a fixup module being built: their types
/// at the end of `types`, their imports from `module` under their export
/// names at the end of `imports`, and one active segment on table 0 per
/// adapter segment. `first_func` is the function index the first of these
/// imports gets.
pub(crate) fn add_to_module(
    elements: &Elements,
    module: &str,
    types: &mut TypeSection,
    imports: &mut ImportSection,
    elems: &mut ElementSection,
    first_func: u32,
) {
    for f in &elements.functions {
        let ty = types.len();
        types
            .ty()
            .function(f.params.iter().copied(), f.results.iter().copied());
        imports.import(module, &f.export, EntityType::Function(ty));
    }
    for (offset, funcs) in &elements.segments {
        let funcs: Vec<u32> = funcs.iter().map(|k| first_func + *k as u32).collect();
        elems.active(
            Some(0),
            &ConstExpr::i32_const(*offset as i32),
            wasm_encoder_component::Elements::Functions(funcs.as_slice().into()),
        );
    }
}
