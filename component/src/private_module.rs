//! The layout every host runs, jco's default path included: the adapter's
//! private memory, globals, table and data live in a small core module of
//! their own, the *private module*, and the adapter keeps only code.
//!
//! Why: jco without `--multi-memory` (and `jco run`, which has no way to ask
//! for it) turns a core module that uses two memories into one that uses
//! its first imported memory natively and reaches the others through JS
//! helpers, and it refuses such a module when it defines a memory, global,
//! table, element or data segment, or uses a bulk memory instruction.
//! So:
//! - the private module defines the private memory (the split adapter's
//!   limits), the adapter's globals with their initial values, its function
//!   table, and its data as passive segments; it exports them, and the
//!   functions that run the bulk operations on that memory natively:
//!   `init` (the data copied in on its first call, as
//!   [`crate::defer_data`] does in the adapter otherwise; every adapter
//!   entry calls it first), `grow`, `copy` and `fill`. It has one memory, so
//!   jco leaves it alone;
//! - the adapter imports all of that from [`PRIVATE_MODULE`], and is lowered
//!   by `mmadapt_passes::lower_for_js`: no bulk memory instruction is left,
//!   and what touched the private memory calls the private module;
//! - the component instantiates the private module just before the adapter
//!   and nothing else is given it, so the main module cannot reach the
//!   private memory (`rewrite::apply`).
//!
//! Invariant established, checked here on the result: the adapter has no
//! memory, global, table, element or data of its own, both its memories are
//! imported (the user memory first: see [`USER_MEMORY_FIRST`]), and
//! `mmadapt_passes::verify::js` holds; the private module validates without
//! multi-memory.

use crate::defer_data;
use crate::elem_fixup::{export_name, ElemFunc, Elements};
use anyhow::{bail, ensure, Context, Result};
use mmadapt_ir::abi::{
    PRIVATE_COPY, PRIVATE_FILL, PRIVATE_GROW, PRIVATE_INIT, PRIVATE_MEMORY, PRIVATE_MODULE,
    PRIVATE_TABLE,
};
use walrus::ir::Value;
use walrus::{ConstExpr, ExportItem, FunctionKind, GlobalKind, MemoryId, Module, RefType, ValType};
use wasm_encoder_component as enc;

/// Which memory the adapter imports first. jco keeps the first imported
/// memory native and reaches the other through a JS call per access, which
/// passes the address as a signed `i32`: with the private memory second,
/// every address it sees is below 2 GiB (the private memory is small), and
/// user buffers anywhere in a 4 GiB memory work.
pub const USER_MEMORY_FIRST: bool = true;

/// The export name of global `i` of the private module.
fn global_name(i: usize) -> String {
    format!("g{i}")
}

/// The private module, and the adapter's element segments as exports for
/// [`crate::elem_fixup`].
pub struct Parts {
    pub module: Vec<u8>,
    pub elements: Elements,
}

/// Moves the private memory, globals, table and data of the trimmed
/// adapter `m` out into a private module, lowers the adapter, and returns
/// the private module's bytes. `static_end` is the linker's `__data_end`
/// (for the `.bss` fill, as in [`defer_data`]).
pub fn split_out(m: &mut Module, private: MemoryId, static_end: Option<i32>) -> Result<Parts> {
    ensure!(
        m.memories.get(private).import.is_none(),
        "the private memory is already imported"
    );
    // None when no live code touches user memory (walrus's GC dropped it).
    let user = m
        .memories
        .iter()
        .find(|mem| mem.id() != private)
        .map(|mem| mem.id());

    // The data, as `init` will copy it in.
    let deferred = defer_data::plan(m, private, static_end)?;
    let segments: Vec<Vec<u8>> = deferred
        .copies
        .iter()
        .map(|(id, _, _)| m.data.get(*id).value.clone())
        .collect();
    for (id, _, _) in &deferred.copies {
        m.memories.get_mut(private).data_segments.remove(id);
        m.data.delete(*id);
    }
    ensure!(
        m.data.iter().next().is_none(),
        "the adapter has data that is not the private memory's active data"
    );

    let mem = m.memories.get(private);
    ensure!(
        !mem.shared && !mem.memory64 && mem.page_size_log2.is_none(),
        "the private memory is not a plain 32-bit memory"
    );
    let mut p = PrivateModule {
        memory: enc::MemoryType {
            minimum: mem.initial,
            maximum: mem.maximum,
            memory64: false,
            shared: false,
            page_size_log2: None,
        },
        table: None,
        globals: Vec::new(),
        init: None,
        functions: Vec::new(),
    };
    let import = m.imports.add(PRIVATE_MODULE, PRIVATE_MEMORY, private);
    m.memories.get_mut(private).import = Some(import);
    // walrus numbers imported memories in the order of their imports: the
    // user memory's was there first; it goes after unless the user memory
    // is to be first.
    if let (false, Some(user)) = (USER_MEMORY_FIRST, user) {
        let user_import = m
            .memories
            .get(user)
            .import
            .context("the user memory is not imported")?;
        let (module, name) = {
            let i = m.imports.get(user_import);
            (i.module.clone(), i.name.clone())
        };
        m.imports.delete(user_import);
        let import = m.imports.add(&module, &name, user);
        m.memories.get_mut(user).import = Some(import);
    }
    // The private memory is the private module's export now, and so is
    // the table (the zero-copy fixup takes it from there).
    let exported: Vec<_> = m
        .exports
        .iter()
        .filter(|e| {
            matches!(e.item, ExportItem::Memory(id) if id == private)
                || matches!(e.item, ExportItem::Table(_))
        })
        .map(|e| e.id())
        .collect();
    for e in exported {
        m.exports.delete(e);
    }

    // Globals.
    let globals: Vec<_> = m
        .globals
        .iter()
        .filter(|g| matches!(g.kind, GlobalKind::Local(_)))
        .map(|g| g.id())
        .collect();
    for (i, id) in globals.into_iter().enumerate() {
        let g = m.globals.get(id);
        let GlobalKind::Local(ConstExpr::Value(value)) = &g.kind else {
            bail!("an adapter global has an initializer that is not a constant");
        };
        let (ty, init) = match (g.ty, value) {
            (ValType::I32, Value::I32(v)) => (enc::ValType::I32, enc::ConstExpr::i32_const(*v)),
            (ValType::I64, Value::I64(v)) => (enc::ValType::I64, enc::ConstExpr::i64_const(*v)),
            (ValType::F32, Value::F32(v)) => {
                (enc::ValType::F32, enc::ConstExpr::f32_const((*v).into()))
            }
            (ValType::F64, Value::F64(v)) => {
                (enc::ValType::F64, enc::ConstExpr::f64_const((*v).into()))
            }
            _ => bail!("an adapter global has a type the private module cannot hold"),
        };
        p.globals.push((
            enc::GlobalType {
                val_type: ty,
                mutable: g.mutable,
                shared: false,
            },
            init,
        ));
        let import = m.imports.add(PRIVATE_MODULE, &global_name(i), id);
        m.globals.get_mut(id).kind = GlobalKind::Import(import);
    }

    // The table (the zero-copy fixup grows it and fills its slots).
    let tables: Vec<_> = m.tables.iter().map(|t| t.id()).collect();
    ensure!(tables.len() <= 1, "the adapter has more than one table");
    if let Some(id) = tables.first().copied() {
        let t = m.tables.get(id);
        ensure!(
            t.import.is_none()
                && !t.table64
                && t.init.is_none()
                && t.element_ty == RefType::FUNCREF,
            "the adapter's table is not a plain funcref table of its own"
        );
        p.table = Some(enc::TableType {
            element_type: enc::RefType::FUNCREF,
            table64: false,
            minimum: t.initial,
            maximum: t.maximum,
            shared: false,
        });
        let import = m.imports.add(PRIVATE_MODULE, PRIVATE_TABLE, id);
        m.tables.get_mut(id).import = Some(import);
    }

    // The data: every entry asks the private module to copy it in, once.
    if !deferred.copies.is_empty() || !deferred.fills.is_empty() {
        let segments = deferred
            .copies
            .iter()
            .zip(segments)
            .map(|((_, at, _), bytes)| (*at, bytes))
            .collect();
        p.init = Some((merge_close_segments(segments), deferred.fills.clone()));
        let ty = m.types.add(&[], &[]);
        let (init, _) = m.add_import_func(PRIVATE_MODULE, PRIVATE_INIT, ty);
        defer_data::call_first(m, init)?;
        defer_data::check_entries(m, init)?;
    }

    // The element segments: their functions exported, for the fixup
    // (after the entries got their `ensure` call: these are no entries).
    let elements = export_elements(m)?;

    // The code: nothing a single-memory host cannot translate.
    let before = mmadapt_passes::verify::js::memory_trace(m);
    let lowered = mmadapt_passes::lower_for_js::lower_for_js(
        m,
        mmadapt_passes::lower_for_js::Memories { user, private },
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    mmadapt_passes::verify::js::check_lowered(m, &before, private)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for name in lowered.private_imports.keys() {
        p.functions.push(name);
    }
    p.functions.sort();
    check_code_only(m)?;
    if let Some(user) = user {
        let first = mmadapt_ir::indices::memory_indices(m)[&user] == 0;
        ensure!(
            first == USER_MEMORY_FIRST,
            "the lowered adapter imports its memories in the wrong order"
        );
    }
    let bytes = p.encode();
    let mut features = crate::features();
    features.remove(wasmparser_component::WasmFeatures::MULTI_MEMORY);
    wasmparser_component::Validator::new_with_features(features)
        .validate_all(&bytes)
        .context("the private module does not validate without multi-memory")?;
    Ok(Parts {
        module: bytes,
        elements,
    })
}

/// Removes the element segments, exporting their functions instead.
fn export_elements(m: &mut Module) -> Result<Elements> {
    let mut out = Elements::default();
    let mut seen: Vec<walrus::FunctionId> = Vec::new();
    let ids: Vec<_> = m.elements.iter().map(|e| e.id()).collect();
    for id in ids {
        let e = m.elements.get(id);
        let walrus::ElementKind::Active { offset, .. } = &e.kind else {
            bail!("the adapter has a passive or declared element segment");
        };
        let ConstExpr::Value(Value::I32(offset)) = offset else {
            bail!("an adapter element segment has an offset that is not a constant");
        };
        let offset = u32::try_from(*offset)?;
        let funcs = mmadapt_ir::walk::element_functions(e);
        let mut indices = Vec::new();
        for f in funcs {
            let k = match seen.iter().position(|x| *x == f) {
                Some(k) => k,
                None => {
                    seen.push(f);
                    let ty = m.types.get(m.funcs.get(f).ty());
                    let convert = |v: &[ValType]| -> Result<Vec<enc::ValType>> {
                        v.iter()
                            .map(|t| {
                                Ok(match t {
                                    ValType::I32 => enc::ValType::I32,
                                    ValType::I64 => enc::ValType::I64,
                                    ValType::F32 => enc::ValType::F32,
                                    ValType::F64 => enc::ValType::F64,
                                    _ => bail!("an element function has a parameter or result the fixup cannot type"),
                                })
                            })
                            .collect()
                    };
                    out.functions.push(ElemFunc {
                        export: export_name(seen.len() - 1),
                        params: convert(ty.params())?,
                        results: convert(ty.results())?,
                    });
                    seen.len() - 1
                }
            };
            indices.push(k);
        }
        out.segments.push((offset, indices));
    }
    for (k, f) in seen.iter().enumerate() {
        let name = export_name(k);
        ensure!(
            m.exports.iter().all(|e| e.name != name),
            "the adapter already exports `{name}`, the name its element function #{k} needs"
        );
        m.exports.add(&name, *f);
    }
    let ids: Vec<_> = m.elements.iter().map(|e| e.id()).collect();
    for id in ids {
        if let walrus::ElementKind::Active { table, .. } = m.elements.get(id).kind {
            m.tables.get_mut(table).elem_segments.remove(&id);
        }
        m.elements.delete(id);
    }
    Ok(out)
}

/// Segments closer than this many bytes are copied in as one, with the
/// zeros between them: each segment costs about that much in the private
/// module (its header, and `memory.init` + `data.drop` in `init`).
const MERGE_GAP: i64 = 16;

/// Merges segments (offset, bytes) whose gap is below [`MERGE_GAP`]. The
/// bytes between them are zero in the memory either way (nothing else
/// initialises them), so what `init` leaves in the memory is the same.
fn merge_close_segments(mut segments: Vec<(i32, Vec<u8>)>) -> Vec<(i32, Vec<u8>)> {
    segments.sort_by_key(|(at, _)| *at);
    let mut out: Vec<(i32, Vec<u8>)> = Vec::new();
    for (at, bytes) in segments {
        if let Some((last_at, last)) = out.last_mut() {
            let end = i64::from(*last_at) + last.len() as i64;
            let gap = i64::from(at) - end;
            if (0..MERGE_GAP).contains(&gap) {
                last.resize(last.len() + gap as usize, 0);
                last.extend_from_slice(&bytes);
                continue;
            }
        }
        out.push((at, bytes));
    }
    out
}

/// The adapter defines no memory, global, table, element or data.
fn check_code_only(m: &Module) -> Result<()> {
    ensure!(
        m.memories.iter().all(|x| x.import.is_some()),
        "the lowered adapter defines a memory"
    );
    ensure!(
        m.globals
            .iter()
            .all(|g| matches!(g.kind, GlobalKind::Import(_))),
        "the lowered adapter defines a global"
    );
    ensure!(
        m.tables.iter().all(|t| t.import.is_some()),
        "the lowered adapter defines a table"
    );
    ensure!(
        m.elements.iter().next().is_none() && m.data.iter().next().is_none(),
        "the lowered adapter has element or data segments"
    );
    ensure!(
        m.start.is_none(),
        "the lowered adapter has a start function"
    );
    ensure!(
        m.funcs
            .iter()
            .all(|f| !matches!(f.kind, FunctionKind::Uninitialized(_))),
        "the lowered adapter has an uninitialized function"
    );
    Ok(())
}

/// `init`'s work: segments (offset, bytes), then zero fills (offset,
/// length).
type Init = (Vec<(i32, Vec<u8>)>, Vec<(i32, i32)>);

/// What the private module holds.
struct PrivateModule {
    memory: enc::MemoryType,
    table: Option<enc::TableType>,
    globals: Vec<(enc::GlobalType, enc::ConstExpr)>,
    /// What `init` copies in and zero-fills.
    init: Option<Init>,
    /// The bulk operations the adapter imports.
    functions: Vec<&'static str>,
}

impl PrivateModule {
    fn encode(&self) -> Vec<u8> {
        use enc::Instruction as I;
        let mut types = enc::TypeSection::new();
        types.ty().function([], []); // 0: init
        types
            .ty()
            .function([enc::ValType::I32], [enc::ValType::I32]); // 1: grow
        types.ty().function(
            [enc::ValType::I32, enc::ValType::I32, enc::ValType::I32],
            [],
        ); // 2: copy, fill
        let mut funcs = enc::FunctionSection::new();
        let mut code = enc::CodeSection::new();
        let mut exports = enc::ExportSection::new();
        let mut memories = enc::MemorySection::new();
        memories.memory(self.memory);
        exports.export(PRIVATE_MEMORY, enc::ExportKind::Memory, 0);
        let mut tables = enc::TableSection::new();
        if let Some(t) = self.table {
            tables.table(t);
            exports.export(PRIVATE_TABLE, enc::ExportKind::Table, 0);
        }
        let mut globals = enc::GlobalSection::new();
        for (i, (ty, init)) in self.globals.iter().enumerate() {
            globals.global(*ty, init);
            exports.export(&global_name(i), enc::ExportKind::Global, i as u32);
        }
        let mut data = enc::DataSection::new();
        let mut func_index = 0;
        if let Some((segments, fills)) = &self.init {
            // Once: a flag of its own, tested first.
            let done = self.globals.len() as u32;
            globals.global(
                enc::GlobalType {
                    val_type: enc::ValType::I32,
                    mutable: true,
                    shared: false,
                },
                &enc::ConstExpr::i32_const(0),
            );
            let mut f = enc::Function::new([]);
            f.instruction(&I::GlobalGet(done))
                .instruction(&I::If(enc::BlockType::Empty))
                .instruction(&I::Return)
                .instruction(&I::End)
                .instruction(&I::I32Const(1))
                .instruction(&I::GlobalSet(done));
            for (i, (at, bytes)) in segments.iter().enumerate() {
                data.passive(bytes.iter().copied());
                f.instruction(&I::I32Const(*at))
                    .instruction(&I::I32Const(0))
                    .instruction(&I::I32Const(bytes.len() as i32))
                    .instruction(&I::MemoryInit {
                        mem: 0,
                        data_index: i as u32,
                    })
                    .instruction(&I::DataDrop(i as u32));
            }
            for (at, len) in fills {
                f.instruction(&I::I32Const(*at))
                    .instruction(&I::I32Const(0))
                    .instruction(&I::I32Const(*len))
                    .instruction(&I::MemoryFill(0));
            }
            f.instruction(&I::End);
            funcs.function(0);
            code.function(&f);
            exports.export(PRIVATE_INIT, enc::ExportKind::Func, func_index);
            func_index += 1;
        }
        for name in &self.functions {
            let mut f = enc::Function::new([]);
            let ty = match *name {
                PRIVATE_GROW => {
                    f.instruction(&I::LocalGet(0))
                        .instruction(&I::MemoryGrow(0));
                    1
                }
                PRIVATE_COPY => {
                    f.instruction(&I::LocalGet(0))
                        .instruction(&I::LocalGet(1))
                        .instruction(&I::LocalGet(2))
                        .instruction(&I::MemoryCopy {
                            src_mem: 0,
                            dst_mem: 0,
                        });
                    2
                }
                PRIVATE_FILL => {
                    f.instruction(&I::LocalGet(0))
                        .instruction(&I::LocalGet(1))
                        .instruction(&I::LocalGet(2))
                        .instruction(&I::MemoryFill(0));
                    2
                }
                other => unreachable!("no private-module function `{other}`"),
            };
            f.instruction(&I::End);
            funcs.function(ty);
            code.function(&f);
            exports.export(name, enc::ExportKind::Func, func_index);
            func_index += 1;
        }
        let mut module = enc::Module::new();
        module.section(&types);
        if !self.functions.is_empty() || self.init.is_some() {
            module.section(&funcs);
        }
        if self.table.is_some() {
            module.section(&tables);
        }
        module.section(&memories);
        if !globals.is_empty() {
            module.section(&globals);
        }
        module.section(&exports);
        if !data.is_empty() {
            module.section(&enc::DataCountSection { count: data.len() });
        }
        if !self.functions.is_empty() || self.init.is_some() {
            module.section(&code);
        }
        if !data.is_empty() {
            module.section(&data);
        }
        module.finish()
    }
}
