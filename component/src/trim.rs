//! What each export of the split adapter needs, and the trimmed real adapter.
//!
//! Both use walrus's GC (`walrus::passes::gc`), the same liveness the final
//! trimmed adapter is cut with, so the stand-in can mirror it exactly: the
//! stand-in's body for export `E` references precisely the imports that stay
//! live in the real adapter when `E` is its only export.

use anyhow::{anyhow, Context, Result};
use std::collections::BTreeSet;

/// An import, by module and field name.
pub type ImportKey = (String, String);

/// One exported function and the imports live when it is the only export.
#[derive(Debug, Clone)]
pub struct ExportReach {
    pub name: String,
    pub imports: BTreeSet<ImportKey>,
}

fn parse(bytes: &[u8]) -> Result<walrus::Module> {
    let mut config = walrus::ModuleConfig::new();
    config.generate_producers_section(false);
    config
        .parse(bytes)
        .map_err(|e| anyhow!("{e:#}"))
        .context("walrus could not parse the split adapter")
}

/// Keeps only the exports named in `keep` and GCs what becomes unreachable.
fn keep_exports(module: &mut walrus::Module, keep: &dyn Fn(&str) -> bool) {
    let drop: Vec<_> = module
        .exports
        .iter()
        .filter(|e| !keep(&e.name))
        .map(|e| e.id())
        .collect();
    for id in drop {
        module.exports.delete(id);
    }
    walrus::passes::gc::run(module);
}

fn imports_of(module: &walrus::Module) -> BTreeSet<ImportKey> {
    module
        .imports
        .iter()
        .map(|i| (i.module.clone(), i.name.clone()))
        .collect()
}

/// For every exported function of the split adapter, the imports it keeps
/// alive (calls, transitively, plus whatever walrus treats as roots).
pub fn export_reach(split: &[u8]) -> Result<Vec<ExportReach>> {
    let module = parse(split)?;
    let funcs: Vec<String> = module
        .exports
        .iter()
        .filter(|e| matches!(e.item, walrus::ExportItem::Function(_)))
        .map(|e| e.name.clone())
        .collect();
    drop(module);
    funcs
        .into_iter()
        .map(|name| {
            let mut m = parse(split)?;
            keep_exports(&mut m, &|n| n == name);
            Ok(ExportReach {
                imports: imports_of(&m),
                name,
            })
        })
        .collect()
}

/// The real adapter cut down to the function exports `keep` plus the
/// private-memory export; unreachable functions and imports are removed.
pub fn trim(split: &[u8], keep: &BTreeSet<String>) -> Result<Vec<u8>> {
    let mut m = parse(split)?;
    let private = mmadapt_passes::PRIVATE_MEMORY_EXPORT;
    if !m.exports.iter().any(|e| e.name == private) {
        anyhow::bail!("the split adapter does not export `{private}`");
    }
    keep_exports(&mut m, &|n| n == private || keep.contains(n));
    // The WIT world was for wit-component; the component does not need it.
    let worlds: Vec<_> = m
        .customs
        .iter()
        .filter(|(_, c)| c.name().starts_with("component-type"))
        .map(|(id, _)| id)
        .collect();
    for id in worlds {
        m.customs.delete(id);
    }
    Ok(m.emit_wasm())
}
