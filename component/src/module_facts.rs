//! What the assembly needs to know about a core module without lifting it:
//! whether the bytes are a core module at all (the `\0asm` magic and the
//! version), and its imports and exports, read with wasmparser. Every check,
//! plan and test that asks one of these asks here, so that there is one
//! reading of them.

use crate::trim::ImportKey;
use anyhow::{bail, Result};
use std::collections::BTreeSet;
use wasmparser_component::{Chunk, ExternalKind, MemoryType, Parser, Payload, TypeRef};

/// `bytes` starts as a core module does, not as a component or as anything
/// else. Only the header is looked at: what follows is reported by whoever
/// reads it.
pub fn check_core_module(bytes: &[u8]) -> Result<()> {
    if !bytes.starts_with(b"\0asm") {
        bail!("not a WebAssembly binary (no `\\0asm` magic)");
    }
    if Parser::is_component(bytes) {
        bail!("input is already a component");
    }
    Ok(())
}

/// One import of a core module.
#[derive(Clone, Debug)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub ty: TypeRef,
}

/// One export of a core module.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub kind: ExternalKind,
    pub index: u32,
}

/// A core module's imports and exports, each in the order of its section.
#[derive(Clone, Debug, Default)]
pub struct ModuleFacts {
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
}

impl ModuleFacts {
    /// Reads the import and export sections of `module`.
    pub fn read(module: &[u8]) -> Result<ModuleFacts> {
        let mut facts = ModuleFacts::default();
        for payload in payloads_but_code(module)? {
            match payload {
                Payload::ImportSection(s) => {
                    for i in s.into_imports() {
                        let i = i?;
                        facts.imports.push(Import {
                            module: i.module.to_string(),
                            name: i.name.to_string(),
                            ty: i.ty,
                        });
                    }
                }
                Payload::ExportSection(s) => {
                    for e in s {
                        let e = e?;
                        facts.exports.push(Export {
                            name: e.name.to_string(),
                            kind: e.kind,
                            index: e.index,
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(facts)
    }

    /// The (module, name) of every import.
    pub fn import_keys(&self) -> BTreeSet<ImportKey> {
        self.imports
            .iter()
            .map(|i| (i.module.clone(), i.name.clone()))
            .collect()
    }

    /// The name of every export.
    pub fn export_names(&self) -> BTreeSet<String> {
        self.exports.iter().map(|e| e.name.clone()).collect()
    }

    /// The type index of every imported function, in order: the start of
    /// the function index space.
    pub fn imported_functions(&self) -> impl Iterator<Item = u32> + '_ {
        self.imports.iter().filter_map(|i| match i.ty {
            TypeRef::Func(ty) => Some(ty),
            _ => None,
        })
    }

    /// Every imported memory, in order: the start of the memory index space.
    pub fn imported_memories(&self) -> impl Iterator<Item = MemoryType> + '_ {
        self.imports.iter().filter_map(|i| match i.ty {
            TypeRef::Memory(m) => Some(m),
            _ => None,
        })
    }

    /// Whether every export is a function (true when there are none).
    pub fn exports_only_functions(&self) -> bool {
        self.exports.iter().all(|e| e.kind == ExternalKind::Func)
    }

    /// The index of the export `name` of kind `kind`.
    pub fn export(&self, name: &str, kind: ExternalKind) -> Option<u32> {
        self.exports
            .iter()
            .find(|e| e.name == name && e.kind == kind)
            .map(|e| e.index)
    }
}

/// The payloads of a core module with its function bodies skipped: the code
/// section is its `CodeSectionStart` alone. Nothing here reads code, and
/// a large module has hundreds of thousands of bodies; every other section
/// is parsed as `parse_all` parses it.
pub fn payloads_but_code(module: &[u8]) -> Result<Vec<Payload<'_>>> {
    let mut parser = Parser::new(0);
    let mut remaining = module;
    let mut out = Vec::new();
    loop {
        let (consumed, payload) = match parser.parse(remaining, true)? {
            Chunk::Parsed { consumed, payload } => (consumed, payload),
            Chunk::NeedMoreData(_) => bail!("truncated module"),
        };
        remaining = &remaining[consumed..];
        if let Payload::CodeSectionStart { size, .. } = payload {
            // A code section that runs past the end is left to the parser,
            // which reports where, as `parse_all` does.
            if let Some(rest) = remaining.get(size as usize..) {
                parser.skip_section();
                remaining = rest;
            }
        }
        let end = matches!(payload, Payload::End(_));
        out.push(payload);
        if end {
            return Ok(out);
        }
    }
}

/// The (module, name) of every import of `module`.
pub fn import_keys(module: &[u8]) -> Result<BTreeSet<ImportKey>> {
    Ok(ModuleFacts::read(module)?.import_keys())
}

/// The name of every export of `module`.
pub fn export_names(module: &[u8]) -> Result<BTreeSet<String>> {
    Ok(ModuleFacts::read(module)?.export_names())
}
