//! The private memory's data copied in on first use, not at instantiation.
//!
//! Invariant established: the private memory has no active data segment;
//! every exported function (and the start function, if any) first calls
//! one `ensure` function, which on its first call copies the former active
//! segments to their offsets (`memory.init`, then `data.drop`) and sets a
//! flag global. So by the time any adapter code runs, the memory holds
//! exactly what instantiation used to put in it. The memory's size and
//! every other section stay as they were.
//!
//! Why: `wasmtime serve` makes a fresh instance per request, and a memory
//! with active data gets a copy-on-write image that the pooling allocator
//! maps and resets for every instance, whether or not the adapter runs.
//! The standard adapter has no data of its own. Measured side by side with
//! `cargo bench -p mmadapt-e2e --bench serve` (README, Benchmarks): this
//! is what makes mmadapt's per-request cost no higher. Two alternatives
//! measured worse: starting the memory with no pages and growing it on
//! first use saves the reset of an unused memory, but a used one then costs
//! two `mprotect`s per instance (the grow, and the shrink back at the next
//! instantiation); and the image itself is what costs, not the pages.
//!
//! Left as it is: a private memory with no active data, and a module that
//! exports an *imported* function (no code of its own to run first).

use anyhow::{bail, ensure, Result};
use walrus::ir::{Instr, UnaryOp, Value};
use walrus::{
    ConstExpr, DataId, DataKind, ExportItem, FunctionBuilder, FunctionId, FunctionKind, GlobalId,
    MemoryId, Module, ValType,
};

/// The name of the function every entry calls first (kept by
/// `--debug-names`).
const ENSURE_NAME: &str = "mmadapt:ensure-private-data";

/// Defers `private`'s active data to the first call of an entry. Returns
/// whether it changed the module.
pub fn defer(module: &mut Module, private: MemoryId) -> Result<bool> {
    let entries = entry_functions(module);
    if module.memories.get(private).import.is_some()
        || entries.iter().any(|f| !is_local(module, *f))
    {
        return Ok(false);
    }
    let copies = active_segments(module, private)?;
    if copies.is_empty() {
        return Ok(false);
    }
    for (data, _, _) in &copies {
        module.data.get_mut(*data).kind = DataKind::Passive;
    }

    let done = module
        .globals
        .add_local(ValType::I32, true, false, ConstExpr::Value(Value::I32(0)));
    let mut builder = FunctionBuilder::new(&mut module.types, &[], &[]);
    builder.name(ENSURE_NAME.into());
    builder
        .func_body()
        .global_get(done)
        .unop(UnaryOp::I32Eqz)
        .if_else(
            None,
            |then| {
                then.i32_const(1).global_set(done);
                for (data, at, len) in &copies {
                    then.i32_const(*at)
                        .i32_const(0)
                        .i32_const(*len)
                        .memory_init(private, *data)
                        .data_drop(*data);
                }
            },
            |_| {},
        );
    let ensure_fn = builder.finish(vec![], &mut module.funcs);
    for f in &entries {
        if let FunctionKind::Local(local) = &mut module.funcs.get_mut(*f).kind {
            local.builder_mut().func_body().call_at(0, ensure_fn);
        }
    }
    check(module, private, ensure_fn, done)?;
    Ok(true)
}

/// The private memory's active segments: id, offset, length.
fn active_segments(module: &Module, private: MemoryId) -> Result<Vec<(DataId, i32, i32)>> {
    let mut out = Vec::new();
    for data in module.data.iter() {
        let DataKind::Active { memory, offset } = &data.kind else {
            continue;
        };
        if *memory != private {
            continue;
        }
        let ConstExpr::Value(Value::I32(at)) = offset else {
            bail!("a data segment of the private memory has a non-constant offset");
        };
        out.push((data.id(), *at, i32::try_from(data.value.len())?));
    }
    Ok(out)
}

/// The exported functions and the start function, each once.
fn entry_functions(module: &Module) -> Vec<FunctionId> {
    let mut out: Vec<_> = module
        .exports
        .iter()
        .filter_map(|e| match e.item {
            ExportItem::Function(f) => Some(f),
            _ => None,
        })
        .chain(module.start)
        .collect();
    out.sort();
    out.dedup();
    out
}

fn is_local(module: &Module, f: FunctionId) -> bool {
    matches!(module.funcs.get(f).kind, FunctionKind::Local(_))
}

/// The invariant, checked on the result: no active data in the private
/// memory, every entry calls `ensure` first, and `ensure` sets its flag
/// before anything else.
fn check(module: &Module, private: MemoryId, ensure_fn: FunctionId, done: GlobalId) -> Result<()> {
    ensure!(
        active_segments(module, private)?.is_empty(),
        "deferring the private memory's data: an active segment is left"
    );
    for f in entry_functions(module) {
        let FunctionKind::Local(local) = &module.funcs.get(f).kind else {
            bail!("deferring the private memory's data: an entry is not a local function");
        };
        let first = local.block(local.entry_block()).instrs.first();
        ensure!(
            matches!(first, Some((Instr::Call(c), _)) if c.func == ensure_fn),
            "deferring the private memory's data: an entry does not call `{ENSURE_NAME}` first"
        );
    }
    let FunctionKind::Local(ensure_body) = &module.funcs.get(ensure_fn).kind else {
        bail!("deferring the private memory's data: `{ENSURE_NAME}` is not local");
    };
    let starts_with_flag = matches!(
        ensure_body.block(ensure_body.entry_block()).instrs.first(),
        Some((Instr::GlobalGet(g), _)) if g.global == done
    );
    ensure!(
        starts_with_flag,
        "deferring the private memory's data: `{ENSURE_NAME}` does not test its flag first"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::defer;

    /// Runs export `f` of a fresh instance of `bytes` twice.
    fn run_twice(bytes: &[u8]) -> (i32, i32) {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, bytes).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let f = instance.get_typed_func::<(), i32>(&mut store, "f").unwrap();
        (
            f.call(&mut store, ()).unwrap(),
            f.call(&mut store, ()).unwrap(),
        )
    }

    /// The export reads its memory's data and then changes it: after the
    /// pass it reads the same on the first call and sees its own write on
    /// the second (the data is copied in once, not per call).
    #[test]
    fn data_is_copied_in_once_before_the_first_export_runs() {
        let wat = r#"(module
            (memory (export "m") 1)
            (data (i32.const 16) "hi")
            (data (i32.const 4000) "\05")
            (func (export "f") (result i32)
              (i32.store8 (i32.const 4000)
                (i32.add (i32.load8_u (i32.const 4000)) (i32.const 1)))
              (i32.add (i32.load8_u (i32.const 17)) (i32.load8_u (i32.const 4000)))))"#;
        let original = wat::parse_str(wat).unwrap();
        let mut m = walrus::Module::from_buffer(&original).unwrap();
        let mem = m.memories.iter().next().unwrap().id();
        assert!(defer(&mut m, mem).unwrap());
        let deferred = m.emit_wasm();
        assert_eq!(run_twice(&deferred), run_twice(&original));
        assert_eq!(
            run_twice(&original),
            (i32::from(b'i') + 6, i32::from(b'i') + 7)
        );
        // Nothing is left to defer the second time.
        let mut again = walrus::Module::from_buffer(&deferred).unwrap();
        let mem = again.memories.iter().next().unwrap().id();
        assert!(!defer(&mut again, mem).unwrap());
    }
}
