//! Checks on the main module before assembly, so that the common mistakes get
//! a clear message rather than one from deep inside wit-component.

use anyhow::{bail, Result};
use std::collections::BTreeSet;
use wasmparser_component::{ExternalKind, Parser, Payload, TypeRef};

/// The main module must be a core module that exports its memory, and every
/// import must come from an adapter that provides it (or from the WIT world
/// the module embeds, which wit-component checks).
pub fn check_main(main: &[u8], adapter: &[u8], other_adapters: &[&str]) -> Result<()> {
    if !main.starts_with(b"\0asm") {
        bail!("not a WebAssembly binary (no `\\0asm` magic)");
    }
    if main.len() >= 8 && main[4..8] == [0x0d, 0x00, 0x01, 0x00] {
        bail!("input is already a component");
    }
    let provided = exports_of(adapter)?;
    let mut exports_memory = false;
    let mut imports = Vec::new();
    let mut embeds_world = false;
    for payload in Parser::new(0).parse_all(main) {
        match payload? {
            Payload::ImportSection(s) => {
                for i in s.into_imports() {
                    let i = i?;
                    imports.push((i.module.to_string(), i.name.to_string(), i.ty));
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    let e = e?;
                    exports_memory |= e.kind == ExternalKind::Memory && e.name == "memory";
                }
            }
            Payload::CustomSection(c) if c.name().starts_with("component-type") => {
                embeds_world = true
            }
            _ => {}
        }
    }
    for (module, name, ty) in &imports {
        if module == crate::PREVIEW1 {
            if !matches!(ty, TypeRef::Func(_)) {
                bail!("imports `{module}`.`{name}` as something other than a function");
            }
            if !provided.contains(name.as_str()) {
                bail!("imports `{module}`.`{name}`, which the preview1 adapter does not provide");
            }
        } else if !other_adapters.contains(&module.as_str()) && !embeds_world {
            bail!(
                "imports `{module}`.`{name}` from unknown module `{module}` (only `{}` and the modules of `--adapt` adapters can be satisfied)",
                crate::PREVIEW1
            );
        }
    }
    let uses_adapter = imports.iter().any(|(m, ..)| m == crate::PREVIEW1);
    if uses_adapter && !exports_memory {
        bail!("the module exports no memory named `memory`, which the adapter needs");
    }
    Ok(())
}

fn exports_of(module: &[u8]) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for payload in Parser::new(0).parse_all(module) {
        if let Payload::ExportSection(s) = payload? {
            for e in s {
                out.insert(e?.name.to_string());
            }
        }
    }
    Ok(out)
}
