//! The stand-in adapter: what wit-component sees instead of the real one.
//!
//! wit-component (`gc.rs`) rejects the real split adapter: it defines a
//! memory (memory 1), uses two memories, has data and element segments, and
//! a `__stack_pointer` global (which would make it inject stack allocation in
//! the *main* memory). The stand-in has the same function exports with the
//! same types, imports exactly what each export keeps alive in the real
//! adapter (see `trim::export_reach`), no memory of its own, no tables,
//! globals, data, elements or start, and the real adapter's
//! `component-type:*` custom sections, from which wit-component learns its
//! WIT world.
//!
//! Each body is `unreachable` followed by a `call` of every import the export
//! keeps alive (each result dropped; after `unreachable` the operand stack is
//! polymorphic, so no arguments are needed) and `memory.size 0; drop` when it
//! keeps `env`.`memory` alive: wit-component's GC then keeps the same imports
//! as walrus's GC keeps in the real adapter. The stand-in never runs.

use crate::module_facts::{Import, ModuleFacts};
use crate::trim::{ExportReach, ImportKey};
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use wasm_encoder_component::reencode::{Reencode, RoundtripReencoder};
use wasmparser_component::{ExternalKind, Parser, Payload, TypeRef};

/// The `component-type:*` custom sections of a module, in order.
pub fn component_type_sections(module: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::CustomSection(c) = payload? {
            if c.name().starts_with("component-type") {
                out.push((c.name().to_string(), c.data().to_vec()));
            }
        }
    }
    if out.is_empty() {
        bail!("the adapter has no `component-type:*` custom section (its WIT world)");
    }
    Ok(out)
}

/// Builds the stand-in from the split adapter, the per-export reach and the
/// custom sections that carry the adapter's WIT world.
pub fn build(split: &[u8], reach: &[ExportReach], custom: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let facts = ModuleFacts::read(split)?;
    let mut types = wasm_encoder_component::TypeSection::new();
    // Function index -> type index.
    let mut func_types: Vec<u32> = facts.imported_functions().collect();
    // Name -> function index.
    let exports: BTreeMap<&str, u32> = facts
        .exports
        .iter()
        .filter(|e| e.kind == ExternalKind::Func)
        .map(|e| (e.name.as_str(), e.index))
        .collect();
    let mut result_counts: Vec<usize> = Vec::new(); // type index -> number of results
    let mut re = RoundtripReencoder;

    for payload in Parser::new(0).parse_all(split) {
        match payload? {
            Payload::TypeSection(s) => {
                for group in s.clone() {
                    for sub in group?.into_types() {
                        result_counts.push(match &sub.composite_type.inner {
                            wasmparser_component::CompositeInnerType::Func(f) => f.results().len(),
                            _ => 0,
                        });
                    }
                }
                re.parse_type_section(&mut types, s)
                    .context("copying the type section")?
            }
            Payload::FunctionSection(s) => {
                for ty in s {
                    func_types.push(ty?);
                }
            }
            _ => {}
        }
    }

    let needed: BTreeSet<&ImportKey> = reach.iter().flat_map(|r| &r.imports).collect();

    // Imports: the needed ones, in the real adapter's order. Function imports
    // get new indices; a memory import must be `env`.`memory`.
    let mut import_section = wasm_encoder_component::ImportSection::new();
    let mut new_func: BTreeMap<ImportKey, (u32, u32)> = BTreeMap::new(); // key -> (index, type)
    let mut memory_import = None;
    for Import { module, name, ty } in &facts.imports {
        let key = (module.clone(), name.clone());
        if !needed.contains(&key) {
            continue;
        }
        match ty {
            TypeRef::Func(t) => {
                new_func.insert(key, (new_func.len() as u32, *t));
                import_section.import(module, name, wasm_encoder_component::EntityType::Function(*t));
            }
            TypeRef::Memory(m) => {
                if (module.as_str(), name.as_str()) != mmadapt_ir::abi::USER_MEMORY_IMPORT {
                    bail!("the split adapter imports memory `{module}`.`{name}`, not `env`.`memory`");
                }
                memory_import = Some(key.clone());
                import_section.import(
                    module,
                    name,
                    wasm_encoder_component::EntityType::Memory(re.memory_type(*m)?),
                );
            }
            other => bail!("the split adapter imports `{module}`.`{name}` ({other:?}); only functions and `env`.`memory` are supported"),
        }
    }
    let num_imports = new_func.len() as u32;

    let mut functions = wasm_encoder_component::FunctionSection::new();
    let mut export_section = wasm_encoder_component::ExportSection::new();
    let mut code = wasm_encoder_component::CodeSection::new();
    for (i, r) in reach.iter().enumerate() {
        let index = *exports
            .get(r.name.as_str())
            .with_context(|| format!("export `{}` is not a function", r.name))?;
        let ty = func_types[index as usize];
        functions.function(ty);
        export_section.export(
            &r.name,
            wasm_encoder_component::ExportKind::Func,
            num_imports + i as u32,
        );

        let mut body = wasm_encoder_component::Function::new([]);
        let mut ins = body.instructions();
        ins.unreachable();
        for key in &r.imports {
            if Some(key) == memory_import.as_ref() {
                ins.memory_size(0).drop();
            } else if let Some(&(f, t)) = new_func.get(key) {
                ins.call(f);
                for _ in 0..result_counts[t as usize] {
                    ins.drop();
                }
            }
        }
        ins.end();
        code.function(&body);
    }

    let mut module = wasm_encoder_component::Module::new();
    module.section(&types);
    module.section(&import_section);
    module.section(&functions);
    module.section(&export_section);
    module.section(&code);
    for (name, data) in custom {
        module.section(&wasm_encoder_component::CustomSection {
            name: name.into(),
            data: data.as_slice().into(),
        });
    }
    let bytes = module.finish();
    wasmparser_component::Validator::new()
        .validate_all(&bytes)
        .context("the stand-in adapter does not validate")?;
    Ok(bytes)
}
