//! Checks on the main module before assembly, so that the common mistakes get
//! a clear message rather than one from deep inside wit-component.

use crate::module_facts::{self, check_core_module, Import, ModuleFacts};
use anyhow::{bail, Result};
use wasmparser_component::{
    CompositeInnerType, ExternalKind, FuncType, MemoryType, Parser, Payload, TypeRef,
    TypeSectionReader,
};

/// The main module must be a core module that exports its memory, and every
/// import must come from an adapter that provides it (or from the WIT world
/// the module embeds, which wit-component checks). `adapters` are the split
/// adapters by import module, `other_adapters` the names of the others.
pub fn check_main(main: &[u8], adapters: &[(&str, &[u8])], other_adapters: &[&str]) -> Result<()> {
    check_core_module(main)?;
    let mut provided = Vec::new();
    for (name, bytes) in adapters {
        provided.push((*name, module_facts::export_names(bytes)?));
    }
    let facts = ModuleFacts::read(main)?;
    let exports_memory = facts.export("memory", ExternalKind::Memory).is_some();
    let mut embeds_world = false;
    // Types of the main module's functions and memories, by index, for the
    // exports the adapter imports (see `check_main_exports`).
    let mut types = Vec::new();
    let mut funcs: Vec<u32> = facts.imported_functions().collect();
    let mut memories: Vec<MemoryType> = facts.imported_memories().collect();
    for payload in module_facts::payloads_but_code(main)? {
        match payload {
            Payload::TypeSection(s) => types.extend(func_types(s)?),
            Payload::FunctionSection(s) => {
                for t in s {
                    funcs.push(t?);
                }
            }
            Payload::MemorySection(s) => {
                for m in s {
                    memories.push(m?);
                }
            }
            Payload::CustomSection(c) if c.name().starts_with("component-type") => {
                embeds_world = true
            }
            _ => {}
        }
    }
    for Import { module, name, ty } in &facts.imports {
        // wit-component defines the memory a module imports as `env`.`memory`
        // (what `wasm-ld --import-memory` makes) and gives it to the module,
        // the adapters and the lowerings (`Import::MainModuleMemory`).
        if is_env_memory(module, name, ty) {
            continue;
        }
        if let Some((_, exports)) = provided.iter().find(|(n, _)| *n == module.as_str()) {
            if !matches!(ty, TypeRef::Func(_)) {
                bail!("imports `{module}`.`{name}` as something other than a function");
            }
            if !exports.contains(name.as_str()) {
                if module == crate::PREVIEW1 {
                    bail!(
                        "imports `{module}`.`{name}`, which the preview1 adapter does not provide"
                    );
                }
                bail!("imports `{module}`.`{name}`, which adapter `{module}` does not provide");
            }
        } else if !other_adapters.contains(&module.as_str()) && !embeds_world {
            bail!(
                "imports `{module}`.`{name}` from unknown module `{module}` (only `{}` and the modules of `--adapt` adapters can be satisfied)",
                crate::PREVIEW1
            );
        }
    }
    // wit-component leaves out an adapter that the module imports nothing
    // from and whose world exports nothing (the reactor adapter), and with
    // it the adapter's needs: a reactor without preview1 imports may have a
    // shared or 64-bit `memory`, while the command adapter is always in and
    // needs `memory` (both found by the acceptance test,
    // docs/robustness.md).
    let mut kept = Vec::new();
    for (name, bytes) in adapters {
        if facts.imports.iter().any(|i| i.module == *name) || exports_wit(bytes)? {
            kept.push(*bytes);
        }
    }
    let imported_memory = facts
        .imports
        .iter()
        .filter(|i| matches!(i.ty, TypeRef::Memory(_)))
        .position(|i| is_env_memory(&i.module, &i.name, &i.ty));
    if !kept.is_empty() && !exports_memory && imported_memory.is_none() {
        bail!("the module exports no memory named `memory`, which the adapter needs");
    }
    // The memory the adapters get: the imported `env`.`memory` if any (the
    // `memory` export is then not used), else the exported `memory`.
    let memory = match imported_memory {
        Some(m) => memories.get(m).copied(),
        None => facts
            .export("memory", ExternalKind::Memory)
            .and_then(|m| memories.get(m as usize).copied()),
    };
    let main_types = MainTypes {
        types,
        funcs,
        memory,
        facts,
    };
    for bytes in kept {
        check_main_exports(&main_types, bytes)?;
    }
    Ok(())
}

/// Whether an import is the main module's memory as `env`.`memory`.
fn is_env_memory(module: &str, name: &str, ty: &TypeRef) -> bool {
    module == "env" && name == "memory" && matches!(ty, TypeRef::Memory(_))
}

/// Whether the adapter's WIT world exports anything (the command adapter's
/// `wasi:cli/run`): wit-component then keeps it in the component even when
/// the main module imports nothing from it.
fn exports_wit(adapter: &[u8]) -> Result<bool> {
    let (_, bindgen) = wit_component::metadata::decode(adapter)?;
    Ok(!bindgen.resolve.worlds[bindgen.world].exports.is_empty())
}

/// What the main module's exports are, with their types.
struct MainTypes {
    /// Function types by type index (`None`: a GC type).
    types: Vec<Option<FuncType>>,
    /// Type index of each function.
    funcs: Vec<u32>,
    /// The memory the adapters are given as `env`.`memory`.
    memory: Option<MemoryType>,
    facts: ModuleFacts,
}

/// The main module's exports that the adapter imports must have the types it
/// imports them with: `_start` (the command adapter calls it as `() -> ()`)
/// and `memory` (32-bit, not shared). The component is assembled without
/// wit-component's validation of these (the stand-in adapter has no memory)
/// and validated at the end, so without this check a wrong type was
/// reported as "the assembled component does not validate" or, with
/// `--skip-validation`, produced an invalid component (found by the
/// `component new` property test, docs/robustness.md).
fn check_main_exports(main: &MainTypes, adapter: &[u8]) -> Result<()> {
    let mut adapter_types: Vec<Option<FuncType>> = Vec::new();
    for payload in Parser::new(0).parse_all(adapter) {
        if let Payload::TypeSection(s) = payload? {
            adapter_types.extend(func_types(s)?);
        }
    }
    for i in ModuleFacts::read(adapter)?.imports {
        match (i.module.as_str(), i.ty) {
            ("__main_module__", TypeRef::Func(t)) => {
                let want = adapter_types.get(t as usize).cloned().flatten();
                let have = main
                    .facts
                    .export(&i.name, ExternalKind::Func)
                    .and_then(|f| main.funcs.get(f as usize))
                    .and_then(|t| main.types.get(*t as usize).cloned().flatten());
                let Some(want) = want else { continue };
                let Some(index) = main.facts.export(&i.name, ExternalKind::Func) else {
                    continue;
                };
                match have {
                    Some(have) if have == want => {}
                    Some(have) => bail!(
                        "the module exports `{}` with type {have}; the adapter calls it as {want}",
                        i.name
                    ),
                    None => bail!(
                        "the module exports `{}` (function {index}) with a type declared in a recursion group, as a subtype or shared; the adapter calls it as {want}",
                        i.name
                    ),
                }
            }
            ("env", TypeRef::Memory(_)) if i.name == "memory" => {
                let Some(m) = main.memory else {
                    continue;
                };
                if m.memory64 {
                    bail!("the module's memory `memory` has 64-bit addresses; preview1 memories are 32-bit");
                }
                if m.shared {
                    bail!("the module's memory `memory` is shared; the adapter needs an unshared memory");
                }
                if m.page_size_log2.is_some_and(|p| p != 16) {
                    bail!("the module's memory `memory` has a custom page size; the adapter needs 64 KiB pages");
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The types of a type section by index: plain function types (alone in
/// their recursion group, final, no supertype: what `(type (func ...))`
/// declares), `None` for any other, which are never equal to a plain one.
fn func_types(section: TypeSectionReader) -> Result<Vec<Option<FuncType>>> {
    let mut out = Vec::new();
    for group in section {
        let group = group?;
        let alone = group.types().len() == 1;
        for sub in group.into_types() {
            let plain = alone && sub.is_final && sub.supertype_idxs.is_empty();
            out.push(match sub.composite_type.inner {
                CompositeInnerType::Func(f) if plain && !sub.composite_type.shared => Some(f),
                _ => None,
            });
        }
    }
    Ok(out)
}
