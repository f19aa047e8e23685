//! A deterministic text view of a module's code, for snapshots and for
//! `mmadapt print`. Every memory instruction shows the memory (or memories)
//! it uses and the region it runs in; with routing on it also shows where the
//! split pass will send it. Output depends only on the module's contents.

mod mnemonics;

use crate::access::memory_use;
use crate::indices::{function_indices, memory_indices};
use crate::markers::{MarkerOp, Markers};
use crate::region_map::RegionMap;
use crate::route::{route, Route};
use crate::walk::{child_seqs, offset_of, InstrPos};
use mnemonics::{load_name, memarg, op_name, rmw_name, simd_name, store_name};
use std::collections::HashMap;
use std::fmt::Write;
use walrus::ir::*;
use walrus::{FunctionId, LocalFunction, Module};

/// What to show.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrintOptions {
    /// Show, for each memory instruction, the memory the split pass routes
    /// it to (for modules that have not been split yet).
    pub show_route: bool,
}

/// Prints the region map: one line per region.
pub fn print_regions(module: &Module, map: &RegionMap) -> String {
    let indices = function_indices(module);
    let mut out = String::new();
    let mut regions: Vec<_> = map.regions().collect();
    regions.sort_by_key(|(_, r)| (indices[&r.func], r.ordinal));
    for (_, r) in regions {
        let f = module.funcs.get(r.func);
        let name = f.name.as_deref().unwrap_or("");
        let _ = write!(
            out,
            "#{} {} r{} {}",
            indices[&r.func], name, r.ordinal, r.kind
        );
        if r.whole_function {
            out.push_str(" whole-function");
        } else {
            let ends: Vec<String> = r.ends.iter().map(|e| hex(*e)).collect();
            let _ = write!(out, " begin={} ends=[{}]", hex(r.begin), ends.join(","));
        }
        out.push('\n');
    }
    if out.is_empty() {
        out.push_str("(no regions)\n");
    }
    out
}

/// Prints every local function's code.
pub fn print_module(
    module: &Module,
    markers: &Markers,
    map: Option<&RegionMap>,
    opts: PrintOptions,
) -> String {
    let p = Printer {
        module,
        markers,
        map,
        opts,
        funcs: function_indices(module),
        mems: memory_indices(module),
    };
    let mut out = String::new();
    // Memories first: index, import or local, limits.
    let mut memories: Vec<&walrus::Memory> = module.memories.iter().collect();
    memories.sort_by_key(|m| p.mems[&m.id()]);
    for m in memories {
        let idx = p.mems[&m.id()];
        let origin = match m.import {
            Some(i) => {
                let i = module.imports.get(i);
                format!("import {}.{}", i.module, i.name)
            }
            None => "local".to_string(),
        };
        let _ = writeln!(
            out,
            "memory {idx} {origin} initial={} max={}",
            m.initial,
            m.maximum
                .map(|m| m.to_string())
                .unwrap_or_else(|| "-".into())
        );
    }
    let mut exports: Vec<String> = module
        .exports
        .iter()
        .filter_map(|e| match e.item {
            walrus::ExportItem::Memory(m) => {
                Some(format!("export memory {} as {:?}", p.mems[&m], e.name))
            }
            _ => None,
        })
        .collect();
    exports.sort();
    for e in exports {
        let _ = writeln!(out, "{e}");
    }
    let mut locals: Vec<(FunctionId, &LocalFunction)> = module.funcs.iter_local().collect();
    locals.sort_by_key(|(id, _)| p.funcs[id]);
    for (fid, func) in locals {
        p.function(&mut out, fid, func);
    }
    out
}

/// The function being printed.
struct FuncPrint<'a> {
    fid: FunctionId,
    func: &'a LocalFunction,
    locals: &'a HashMap<walrus::LocalId, u32>,
}

struct Printer<'a> {
    module: &'a Module,
    markers: &'a Markers,
    map: Option<&'a RegionMap>,
    opts: PrintOptions,
    funcs: HashMap<FunctionId, u32>,
    mems: HashMap<walrus::MemoryId, u32>,
}

impl Printer<'_> {
    fn func_ref(&self, f: FunctionId) -> String {
        match &self.module.funcs.get(f).name {
            Some(n) => format!("${n}"),
            None => format!("#{}", self.funcs[&f]),
        }
    }

    fn function(&self, out: &mut String, fid: FunctionId, func: &LocalFunction) {
        let name = self.module.funcs.get(fid).name.as_deref().unwrap_or("");
        let _ = write!(out, "\nfunc #{} {}", self.funcs[&fid], name);
        if let Some(r) = self.map.and_then(|m| m.context(fid)) {
            let _ = write!(
                out,
                " (whole function in {} context)",
                self.map.unwrap().region(r).kind
            );
        }
        out.push('\n');
        // Locals are numbered as in the function: parameters first, then the
        // others in order of first use (walrus's ids are module-wide).
        let mut locals: HashMap<walrus::LocalId, u32> = HashMap::new();
        for a in &func.args {
            let n = locals.len() as u32;
            locals.insert(*a, n);
        }
        crate::walk::for_each_instr(func, |v| {
            if let Instr::LocalGet(LocalGet { local })
            | Instr::LocalSet(LocalSet { local })
            | Instr::LocalTee(LocalTee { local }) = v.instr
            {
                let n = locals.len() as u32;
                locals.entry(*local).or_insert(n);
            }
        });
        let mut labels = vec![func.entry_block()];
        let cx = FuncPrint {
            fid,
            func,
            locals: &locals,
        };
        self.seq(out, &cx, func.entry_block(), 1, &mut labels);
    }

    fn seq(
        &self,
        out: &mut String,
        cx: &FuncPrint<'_>,
        seq: InstrSeqId,
        depth: usize,
        labels: &mut Vec<InstrSeqId>,
    ) {
        for (index, (instr, loc)) in cx.func.block(seq).instrs.iter().enumerate() {
            let pos = InstrPos { seq, index };
            let indent = "  ".repeat(depth);
            let text = self.mnemonic(instr, labels, cx.locals);
            let note = self.note(cx.fid, pos, instr, *loc);
            let _ = writeln!(out, "{indent}{text}{note}");
            let children = child_seqs(instr);
            for (i, child) in children.iter().enumerate() {
                let empty = cx.func.block(*child).instrs.is_empty();
                if i > 0 {
                    // An `if` without `else` has an empty alternative.
                    if matches!(instr, Instr::IfElse(_)) && empty {
                        continue;
                    }
                    let word = if matches!(instr, Instr::IfElse(_)) {
                        "else"
                    } else {
                        "catch"
                    };
                    let _ = writeln!(out, "{indent}{word}");
                }
                labels.push(*child);
                self.seq(out, cx, *child, depth + 1, labels);
                labels.pop();
            }
            if !children.is_empty() {
                let _ = writeln!(out, "{indent}end");
            }
        }
    }

    /// The trailing comment: markers and memory instructions.
    fn note(&self, fid: FunctionId, pos: InstrPos, instr: &Instr, loc: InstrLocId) -> String {
        if let Instr::Call(c) = instr {
            if let Some(op) = self.markers.op(c.func) {
                let what = match op {
                    MarkerOp::Begin(k) => format!("begin {k} region"),
                    MarkerOp::End(k) => format!("end {k} region"),
                };
                return format!("  ;; {what} @{}", hex(offset_of(loc)));
            }
        }
        let Some(usage) = memory_use(instr) else {
            // Calls from inside a region run in its context (cloned callees).
            if let Instr::Call(_) | Instr::ReturnCall(_) = instr {
                if let Some(r) = self
                    .map
                    .and_then(|m| m.region_of(fid, pos).map(|r| m.region(r)))
                {
                    return format!("  ;; in r{}:{}", r.ordinal, r.kind);
                }
            }
            return String::new();
        };
        let region = self
            .map
            .and_then(|m| m.region_of(fid, pos).map(|r| m.region(r)));
        let mems: Vec<String> = usage
            .operand_memories()
            .into_iter()
            .map(|m| self.mems[&m].to_string())
            .collect();
        let mut note = format!("  ;; mem {}", mems.join("->"));
        match region {
            Some(r) => {
                let _ = write!(note, " in r{}:{}", r.ordinal, r.kind);
            }
            None if self.map.is_some() => note.push_str(" outside"),
            None => {}
        }
        if self.opts.show_route {
            let routed = match route(region.map(|r| r.kind), usage) {
                Ok(Route::Single(m)) => format!("mem {}", m.index()),
                Ok(Route::Copy { src, dst }) => format!("mem {}->{}", src.index(), dst.index()),
                Err(_) => "ambiguous".to_string(),
            };
            let _ = write!(note, " => {routed}");
        }
        let _ = write!(note, " @{}", hex(offset_of(loc)));
        note
    }

    fn mnemonic(
        &self,
        instr: &Instr,
        labels: &[InstrSeqId],
        locals: &HashMap<walrus::LocalId, u32>,
    ) -> String {
        let depth = |target: &InstrSeqId| {
            let at = labels.iter().rposition(|l| l == target).unwrap_or(0);
            (labels.len() - 1 - at).to_string()
        };
        match instr {
            Instr::Block(_) => "block".into(),
            Instr::Loop(_) => "loop".into(),
            Instr::IfElse(_) => "if".into(),
            Instr::TryTable(t) => {
                let catches: Vec<String> = t
                    .catches
                    .iter()
                    .map(|c| match c {
                        TryTableCatch::Catch { tag, label } => {
                            format!(" (catch tag{} {})", tag.index(), depth(label))
                        }
                        TryTableCatch::CatchRef { tag, label } => {
                            format!(" (catch_ref tag{} {})", tag.index(), depth(label))
                        }
                        TryTableCatch::CatchAll { label } => {
                            format!(" (catch_all {})", depth(label))
                        }
                        TryTableCatch::CatchAllRef { label } => {
                            format!(" (catch_all_ref {})", depth(label))
                        }
                    })
                    .collect();
                format!("try_table{}", catches.concat())
            }
            Instr::Try(_) => "try".into(),
            Instr::Br(b) => format!("br {}", depth(&b.block)),
            Instr::BrIf(b) => format!("br_if {}", depth(&b.block)),
            Instr::BrTable(t) => {
                let ts: Vec<String> = t.blocks.iter().map(depth).collect();
                format!("br_table [{}] {}", ts.join(" "), depth(&t.default))
            }
            Instr::Return(_) => "return".into(),
            Instr::Unreachable(_) => "unreachable".into(),
            Instr::Drop(_) => "drop".into(),
            Instr::Select(_) => "select".into(),
            Instr::Call(c) => format!("call {}", self.func_ref(c.func)),
            Instr::ReturnCall(c) => format!("return_call {}", self.func_ref(c.func)),
            Instr::CallIndirect(_) => "call_indirect".into(),
            Instr::LocalGet(l) => format!("local.get {}", locals[&l.local]),
            Instr::LocalSet(l) => format!("local.set {}", locals[&l.local]),
            Instr::LocalTee(l) => format!("local.tee {}", locals[&l.local]),
            Instr::GlobalGet(g) => format!("global.get {}", self.global_ref(g.global)),
            Instr::GlobalSet(g) => format!("global.set {}", self.global_ref(g.global)),
            Instr::Const(c) => match c.value {
                Value::I32(v) => format!("i32.const {v}"),
                Value::I64(v) => format!("i64.const {v}"),
                Value::F32(v) => format!("f32.const {v}"),
                Value::F64(v) => format!("f64.const {v}"),
                Value::V128(v) => format!("v128.const {v:#x}"),
            },
            Instr::Binop(b) => op_name(&format!("{:?}", b.op)),
            Instr::Unop(u) => op_name(&format!("{:?}", u.op)),
            Instr::Load(l) => format!("{}{}", load_name(&l.kind), memarg(&l.arg)),
            Instr::Store(s) => format!("{}{}", store_name(&s.kind), memarg(&s.arg)),
            Instr::LoadSimd(l) => {
                let (name, lane) = simd_name(&l.kind);
                format!("{name}{}{lane}", memarg(&l.arg))
            }
            Instr::AtomicRmw(a) => format!(
                "{}{}",
                rmw_name(&a.width, &format!("{:?}", a.op).to_lowercase()),
                memarg(&a.arg)
            ),
            Instr::Cmpxchg(a) => format!("{}{}", rmw_name(&a.width, "cmpxchg"), memarg(&a.arg)),
            Instr::AtomicNotify(a) => format!("memory.atomic.notify{}", memarg(&a.arg)),
            Instr::AtomicWait(a) => format!(
                "memory.atomic.wait{}{}",
                if a.sixty_four { 64 } else { 32 },
                memarg(&a.arg)
            ),
            Instr::AtomicFence(_) => "atomic.fence".into(),
            Instr::MemoryCopy(_) => "memory.copy".into(),
            Instr::MemoryFill(_) => "memory.fill".into(),
            Instr::MemoryInit(i) => format!("memory.init data{}", i.data.index()),
            Instr::DataDrop(d) => format!("data.drop data{}", d.data.index()),
            Instr::MemorySize(_) => "memory.size".into(),
            Instr::MemoryGrow(_) => "memory.grow".into(),
            Instr::Throw(t) => format!("throw tag{}", t.tag.index()),
            Instr::ThrowRef(_) => "throw_ref".into(),
            other => {
                // Rare instructions: their debug form without arena ids.
                let d = format!("{other:?}");
                d.split([' ', '(', '{'])
                    .next()
                    .unwrap_or("?")
                    .to_lowercase()
            }
        }
    }

    fn global_ref(&self, g: walrus::GlobalId) -> String {
        match &self.module.globals.get(g).name {
            Some(n) => format!("${n}"),
            None => format!("g{}", g.index()),
        }
    }
}

fn hex(o: Option<u32>) -> String {
    match o {
        Some(o) => format!("{o:#x}"),
        None => "-".into(),
    }
}
