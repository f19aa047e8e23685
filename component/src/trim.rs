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
    /// How many core parameters the exported function takes.
    pub params: usize,
}

/// The split adapter parsed once, for [`export_reach_of`] and then
/// [`trim_module`]; `keep_names`: whether `emit_wasm` writes a name section.
pub fn parse_adapter(bytes: &[u8], keep_names: bool) -> Result<walrus::Module> {
    parse_keeping_names(bytes, keep_names)
}

fn parse_keeping_names(bytes: &[u8], keep_names: bool) -> Result<walrus::Module> {
    let mut config = walrus::ModuleConfig::new();
    config.generate_producers_section(false);
    config.generate_name_section(keep_names);
    config
        .parse(bytes)
        .map_err(|e| anyhow!("{e:#}"))
        .context("walrus could not parse the split adapter")
}

/// Where the adapter's static data ends: the value of the immutable global
/// the linker exports as `__data_end` (wasm-ld does; a module without it
/// gets no `.bss` fill, see `defer_data`).
fn static_data_end(module: &walrus::Module) -> Option<i32> {
    let walrus::ExportItem::Global(g) =
        module.exports.iter().find(|e| e.name == "__data_end")?.item
    else {
        return None;
    };
    match module.globals.get(g) {
        walrus::Global {
            mutable: false,
            kind: walrus::GlobalKind::Local(walrus::ConstExpr::Value(walrus::ir::Value::I32(end))),
            ..
        } => Some(*end),
        _ => None,
    }
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

/// What one function refers to directly.
#[derive(Default)]
struct Refs {
    funcs: Vec<walrus::FunctionId>,
    memories: BTreeSet<walrus::MemoryId>,
    /// Calls through a table (or touches one): every function in an element
    /// segment may run.
    tables: bool,
}

fn refs_of(func: &walrus::LocalFunction) -> Refs {
    use walrus::ir::Instr;
    let mut r = Refs::default();
    mmadapt_ir::walk::for_each_instr(func, |v| {
        match v.instr {
            Instr::Call(c) => r.funcs.push(c.func),
            Instr::ReturnCall(c) => r.funcs.push(c.func),
            Instr::RefFunc(c) => r.funcs.push(c.func),
            Instr::CallIndirect(_)
            | Instr::ReturnCallIndirect(_)
            | Instr::CallRef(_)
            | Instr::ReturnCallRef(_)
            | Instr::TableGet(_)
            | Instr::TableSet(_)
            | Instr::TableGrow(_)
            | Instr::TableSize(_)
            | Instr::TableFill(_)
            | Instr::TableCopy(_)
            | Instr::TableInit(_) => r.tables = true,
            _ => {}
        }
        if let Some(usage) = mmadapt_ir::memory_use(v.instr) {
            let (src, dst) = usage.memories();
            r.memories.extend(src);
            r.memories.insert(dst);
        }
    });
    r
}

/// The call graph of a module, for what a set of root functions keeps
/// alive: functions reachable by calls and `ref.func` (and, once anything
/// reachable uses a table, every function of every element segment), and
/// the memories their instructions use. Declared element segments are
/// roots, as in walrus's GC.
struct Liveness {
    refs: std::collections::HashMap<walrus::FunctionId, Refs>,
    element_funcs: Vec<walrus::FunctionId>,
    declared: Vec<walrus::FunctionId>,
}

/// What [`Liveness::reach`] found.
struct Reach {
    funcs: std::collections::HashSet<walrus::FunctionId>,
    memories: BTreeSet<walrus::MemoryId>,
    /// Some live code uses a table.
    tables: bool,
}

impl Liveness {
    fn of(module: &walrus::Module) -> Liveness {
        let refs = module
            .funcs
            .iter_local()
            .map(|(id, f)| (id, refs_of(f)))
            .collect();
        let mut element_funcs: Vec<walrus::FunctionId> = Vec::new();
        let mut declared: Vec<walrus::FunctionId> = Vec::new();
        for elem in module.elements.iter() {
            let funcs = mmadapt_ir::walk::element_functions(elem);
            if matches!(elem.kind, walrus::ElementKind::Declared) {
                declared.extend(&funcs);
            }
            element_funcs.extend(funcs);
        }
        Liveness {
            refs,
            element_funcs,
            declared,
        }
    }

    fn reach(&self, roots: impl IntoIterator<Item = walrus::FunctionId>) -> Reach {
        let mut r = Reach {
            funcs: Default::default(),
            memories: BTreeSet::new(),
            tables: false,
        };
        let mut stack: Vec<_> = roots.into_iter().collect();
        stack.extend(&self.declared);
        while let Some(f) = stack.pop() {
            if !r.funcs.insert(f) {
                continue;
            }
            if let Some(refs) = self.refs.get(&f) {
                stack.extend(&refs.funcs);
                r.memories.extend(&refs.memories);
                if refs.tables && !r.tables {
                    r.tables = true;
                    stack.extend(&self.element_funcs);
                }
            }
        }
        r
    }
}

/// For every exported function of the split adapter, the imports it keeps
/// alive ([`Liveness`]). This is the liveness of walrus's GC (which
/// [`trim`] uses to cut the real adapter), computed for every export in
/// one pass over the module; where the two could differ (tables), this one
/// keeps more, never less.
pub fn export_reach(split: &[u8]) -> Result<Vec<ExportReach>> {
    export_reach_of(&parse_keeping_names(split, true)?)
}

/// [`export_reach`] of a parsed adapter.
pub fn export_reach_of(module: &walrus::Module) -> Result<Vec<ExportReach>> {
    let liveness = Liveness::of(module);
    let mut out = Vec::new();
    for export in module.exports.iter() {
        let walrus::ExportItem::Function(root) = export.item else {
            continue;
        };
        let reach = liveness.reach([root]);
        let imports = module
            .imports
            .iter()
            .filter(|i| match i.kind {
                walrus::ImportKind::Function(f) => reach.funcs.contains(&f),
                walrus::ImportKind::Memory(m) => reach.memories.contains(&m),
                _ => true,
            })
            .map(|i| (i.module.clone(), i.name.clone()))
            .collect();
        let params = module.types.get(module.funcs.get(root).ty()).params().len();
        out.push(ExportReach {
            name: export.name.clone(),
            imports,
            params,
        });
    }
    Ok(out)
}

/// Leaves out the adapter's `cabi_realloc` when nothing can need it.
///
/// wit-component keeps an adapter's `cabi_realloc` export (and the code
/// behind it) for two uses: as the import realloc when there is no
/// `cabi_import_realloc`, and for lifting WIT exports whose arguments are
/// lists or strings. With `cabi_import_realloc` there, and no WIT export
/// (a name with `#`) that takes arguments at all, it is dead weight: wasip2
/// links one in every adapter (a weak symbol of wit-bindgen's runtime).
pub fn drop_unneeded_realloc(reach: &mut Vec<ExportReach>) {
    let has_import_realloc = reach.iter().any(|r| r.name == "cabi_import_realloc");
    let lifts_arguments = reach.iter().any(|r| r.name.contains('#') && r.params > 0);
    if has_import_realloc && !lifts_arguments {
        reach.retain(|r| r.name != "cabi_realloc");
    }
}

/// The real adapter cut down to the function exports `keep` plus the
/// private-memory export; unreachable functions and imports are removed,
/// and so is the name section unless `keep_names` (it is most of the
/// adapter's size after the code, and only backtraces read it). The
/// private memory's data is then packed ([`crate::pack_data`]) and copied
/// in on first use instead of at instantiation ([`crate::defer_data`]).
///
/// With `private_module`, the private memory, globals, table and data move
/// out to a module of their own and the adapter is lowered for hosts
/// without multi-memory ([`crate::private_module`]); the second result is
/// that module.
pub fn trim(
    split: &[u8],
    keep: &BTreeSet<String>,
    keep_names: bool,
    private_module: bool,
) -> Result<(Vec<u8>, Option<crate::private_module::Parts>)> {
    trim_module(
        parse_keeping_names(split, keep_names)?,
        keep,
        keep_names,
        private_module,
    )
}

/// [`trim`] of the adapter [`parse_adapter`] parsed with `keep_names`.
pub fn trim_module(
    mut m: walrus::Module,
    keep: &BTreeSet<String>,
    keep_names: bool,
    private_module: bool,
) -> Result<(Vec<u8>, Option<crate::private_module::Parts>)> {
    let private = mmadapt_ir::abi::PRIVATE_MEMORY_EXPORT;
    if !m.exports.iter().any(|e| e.name == private) {
        anyhow::bail!("the split adapter does not export `{private}`");
    }
    // Read before the exports go: the linker's end of static data.
    let static_end = static_data_end(&m);
    // The zero-copy exports (the function table and its `ready` hook) stay
    // only if live code still calls through the table: then every function
    // in it is live already, so exporting it adds no import the stand-in
    // lacks. Whether it does is asked of the call graph before the GC, so
    // that the module is parsed once.
    let kept_funcs = m.exports.iter().filter_map(|e| match e.item {
        walrus::ExportItem::Function(f) if keep.contains(&e.name) => Some(f),
        _ => None,
    });
    let table_live = Liveness::of(&m).reach(kept_funcs).tables;
    let zero_copy = [
        crate::zero_copy::TABLE_EXPORT,
        crate::zero_copy::READY_EXPORT,
    ];
    keep_exports(&mut m, &|n| {
        n == private || keep.contains(n) || (table_live && zero_copy.contains(&n))
    });
    // The WIT world was for wit-component; the component does not need it,
    // nor (unless names are kept for debugging) the tool-chain notes.
    let worlds: Vec<_> = m
        .customs
        .iter()
        .filter(|(_, c)| {
            c.name().starts_with("component-type")
                || (!keep_names && matches!(c.name(), "target_features" | "producers"))
        })
        .map(|(id, _)| id)
        .collect();
    for id in worlds {
        m.customs.delete(id);
    }
    crate::pack_data::pack(&mut m);
    let memory = m
        .exports
        .iter()
        .find_map(|e| match e.item {
            walrus::ExportItem::Memory(id) if e.name == private => Some(id),
            _ => None,
        })
        .with_context(|| format!("the split adapter's `{private}` is not a memory"))?;
    if private_module {
        let parts = crate::private_module::split_out(&mut m, memory, static_end)?;
        return Ok((m.emit_wasm(), Some(parts)));
    }
    crate::defer_data::defer(&mut m, memory, static_end)?;
    Ok((m.emit_wasm(), None))
}
