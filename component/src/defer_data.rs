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
//! The same first call also zero-fills the pages of the static region
//! (from the first segment to `static_end`, the linker's `__data_end`)
//! that no segment touches: the zero-initialised statics (`.bss`). They
//! hold zeros already, so the fill changes no byte; it makes the first
//! access to those pages a write. Why: a page of fresh memory whose first
//! access is a read is mapped to the kernel's shared zero page, and the
//! write that follows is a copy-on-write fault that flushes the TLB of
//! every CPU running the process (an IPI). The adapter's state is a
//! static in `.bss` and is read before it is written; under `wasmtime
//! serve` that was one more TLB shootdown per request than the standard
//! adapter (perf `tlb:tlb_flush`, `do_wp_page`), and costs nothing to
//! avoid.
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
pub(crate) const ENSURE_NAME: &str = "mmadapt:ensure-private-data";

/// The host page size the static region's fill is planned in. A host with
/// larger pages only has fewer of them: the fill stays a no-op.
const HOST_PAGE: i64 = 4096;

/// Defers `private`'s active data to the first call of an entry, and
/// zero-fills the pages of the static region below `static_end` that no
/// segment touches (none if `static_end` is `None`). Returns whether it
/// changed the module.
pub fn defer(module: &mut Module, private: MemoryId, static_end: Option<i32>) -> Result<bool> {
    let entries = entry_functions(module);
    if module.memories.get(private).import.is_some()
        || entries.iter().any(|f| !is_local(module, *f))
    {
        return Ok(false);
    }
    let Deferred { copies, fills } = plan(module, private, static_end)?;
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
                for (at, len) in &fills {
                    then.i32_const(*at)
                        .i32_const(0)
                        .i32_const(*len)
                        .memory_fill(private);
                }
            },
            |_| {},
        );
    let ensure_fn = builder.finish(vec![], &mut module.funcs);
    call_first(module, ensure_fn)?;
    check(module, private, ensure_fn, done)?;
    Ok(true)
}

/// The private memory's active data and the `.bss` fill, as the first
/// entry call puts them in.
pub(crate) struct Deferred {
    /// Active segments of the private memory: id, offset, length.
    pub copies: Vec<(DataId, i32, i32)>,
    /// Zero fills: offset, length.
    pub fills: Vec<(i32, i32)>,
}

/// What [`defer`] moves: the private memory's active segments and the
/// static pages no segment touches (none if `static_end` is `None` or
/// there is no segment).
pub(crate) fn plan(
    module: &Module,
    private: MemoryId,
    static_end: Option<i32>,
) -> Result<Deferred> {
    let copies = active_segments(module, private)?;
    let fills = static_end.map_or_else(Vec::new, |end| untouched_pages(&copies, end));
    check_fills(&copies, &fills)?;
    Ok(Deferred { copies, fills })
}

/// Makes every entry (export and start function) call `ensure_fn` first.
pub(crate) fn call_first(module: &mut Module, ensure_fn: FunctionId) -> Result<()> {
    for f in entry_functions(module) {
        match &mut module.funcs.get_mut(f).kind {
            FunctionKind::Local(local) => {
                local.builder_mut().func_body().call_at(0, ensure_fn);
            }
            _ => bail!("deferring the private memory's data: an entry is not a local function"),
        }
    }
    Ok(())
}

/// The parts of the static region, `[first segment, static_end)`, on host
/// pages that no segment in `copies` touches: offset and length of each
/// run of such pages, clipped to the region.
fn untouched_pages(copies: &[(DataId, i32, i32)], static_end: i32) -> Vec<(i32, i32)> {
    let Some(start) = copies.iter().map(|(_, at, _)| i64::from(*at)).min() else {
        return Vec::new();
    };
    let end = i64::from(static_end);
    let touched = |page: i64| {
        copies.iter().any(|(_, at, len)| {
            let (at, len) = (i64::from(*at), i64::from(*len));
            len > 0 && at / HOST_PAGE <= page && page <= (at + len - 1) / HOST_PAGE
        })
    };
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for page in start / HOST_PAGE..(end + HOST_PAGE - 1) / HOST_PAGE {
        if touched(page) {
            continue;
        }
        let (lo, hi) = (
            (page * HOST_PAGE).max(start),
            ((page + 1) * HOST_PAGE).min(end),
        );
        match runs.last_mut() {
            Some((_, run_end)) if *run_end == lo => *run_end = hi,
            _ => runs.push((lo, hi)),
        }
    }
    runs.into_iter()
        .filter(|(lo, hi)| hi > lo)
        // Both ends lie between two i32 offsets.
        .map(|(lo, hi)| (lo as i32, (hi - lo) as i32))
        .collect()
}

/// The fill's invariant: it writes no byte of a copied segment, so it
/// only writes zeros over zeros.
fn check_fills(copies: &[(DataId, i32, i32)], fills: &[(i32, i32)]) -> Result<()> {
    for (at, len) in fills {
        let (lo, hi) = (i64::from(*at), i64::from(*at) + i64::from(*len));
        ensure!(
            lo >= 0 && hi > lo,
            "deferring the private memory's data: an empty or negative fill at {lo}"
        );
        for (_, seg_at, seg_len) in copies {
            let (s_lo, s_hi) = (i64::from(*seg_at), i64::from(*seg_at) + i64::from(*seg_len));
            ensure!(
                hi <= s_lo || s_hi <= lo,
                "deferring the private memory's data: the fill [{lo}, {hi}) overlaps the segment [{s_lo}, {s_hi})"
            );
        }
    }
    Ok(())
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
    check_entries(module, ensure_fn)?;
    check_flag(module, ensure_fn, done)
}

/// Every entry (export and start function) calls `ensure_fn` first.
pub(crate) fn check_entries(module: &Module, ensure_fn: FunctionId) -> Result<()> {
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
    Ok(())
}

fn check_flag(module: &Module, ensure_fn: FunctionId, done: GlobalId) -> Result<()> {
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

    /// `wat` before and after the pass (which must change it); export `f`
    /// of both gives the same results on two calls.
    fn deferred_same(wat: &str, static_end: Option<i32>) -> (Vec<u8>, Vec<u8>) {
        let original = wat::parse_str(wat).unwrap();
        let mut m = walrus::Module::from_buffer(&original).unwrap();
        let mem = m.memories.iter().next().unwrap().id();
        assert!(defer(&mut m, mem, static_end).unwrap());
        let deferred = m.emit_wasm();
        assert_eq!(run_twice(&deferred), run_twice(&original));
        (original, deferred)
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
        let (original, deferred) = deferred_same(wat, None);
        assert_eq!(
            run_twice(&original),
            (i32::from(b'i') + 6, i32::from(b'i') + 7)
        );
        // Nothing is left to defer the second time.
        let mut again = walrus::Module::from_buffer(&deferred).unwrap();
        let mem = again.memories.iter().next().unwrap().id();
        assert!(!defer(&mut again, mem, None).unwrap());
    }

    /// Every `memory.fill` of `bytes` whose operands are constants.
    fn fills(bytes: &[u8]) -> Vec<(i32, i32, i32)> {
        use wasmparser_component::{Operator, Parser, Payload};
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(bytes) {
            let Payload::CodeSectionEntry(body) = payload.unwrap() else {
                continue;
            };
            let ops: Vec<_> = body
                .get_operators_reader()
                .unwrap()
                .into_iter()
                .map(Result::unwrap)
                .collect();
            for w in ops.windows(4) {
                if let [Operator::I32Const { value: at }, Operator::I32Const { value: byte }, Operator::I32Const { value: len }, Operator::MemoryFill { .. }] =
                    w
                {
                    out.push((*at, *byte, *len));
                }
            }
        }
        out
    }

    /// With the static region ending at 9000, the pages that no segment
    /// touches (4096..8192 and 8192..9000; page 0 holds both segments) are
    /// zero-filled on the first call: one run, clipped to the region. The
    /// export reads and bumps a `.bss` byte there, and behaves as before.
    #[test]
    fn static_pages_no_segment_touches_are_filled_with_zeros_first() {
        let wat = r#"(module
            (memory (export "m") 1)
            (data (i32.const 16) "hi")
            (data (i32.const 4000) "\05")
            (func (export "f") (result i32)
              (i32.store8 (i32.const 8500)
                (i32.add (i32.load8_u (i32.const 8500)) (i32.const 3)))
              (i32.add (i32.load8_u (i32.const 8500)) (i32.load8_u (i32.const 4000)))))"#;
        let (original, deferred) = deferred_same(wat, Some(9000));
        assert_eq!(run_twice(&original), (3 + 5, 6 + 5));
        assert_eq!(fills(&deferred), vec![(4096, 0, 4904)]);
    }

    /// A static region that every segment's pages already cover gets no
    /// fill, and none is planned across a segment.
    #[test]
    fn the_fill_skips_pages_a_segment_touches() {
        use walrus::Module;
        let mut m = Module::default();
        let a = m.data.add(walrus::DataKind::Passive, vec![1; 10]);
        let b = m.data.add(walrus::DataKind::Passive, vec![1; 10]);
        // Pages 0 and 2 hold a segment each; 1, 3 and 4 none.
        let copies = [(a, 100, 10), (b, 9000, 10)];
        assert_eq!(super::untouched_pages(&copies, 4000), vec![]);
        assert_eq!(super::untouched_pages(&copies, 8195), vec![(4096, 4096)]);
        assert_eq!(
            super::untouched_pages(&copies, 12289),
            vec![(4096, 4096), (12288, 1)]
        );
        let fills = super::untouched_pages(&copies, 20000);
        assert_eq!(fills, vec![(4096, 4096), (12288, 20000 - 12288)]);
        super::check_fills(&copies, &fills).unwrap();
        assert!(super::check_fills(&copies, &[(8950, 100)]).is_err());
    }
}
