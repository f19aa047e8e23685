//! A deterministic text view of a module's code, for snapshots and for
//! `mmadapt print`. Every memory instruction shows the memory (or memories)
//! it uses and the region it runs in; with routing on it also shows where the
//! split pass will send it. Output depends only on the module's contents.

use crate::access::memory_use;
use crate::indices::{function_indices, memory_indices};
use crate::markers::{MarkerOp, Markers};
use crate::region_map::RegionMap;
use crate::route::{route, Route};
use crate::walk::{child_seqs, offset_of, InstrPos};
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

/// Counts of memory instructions, per memory and region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Memory operands per memory index, inside any region.
    pub in_region: std::collections::BTreeMap<u32, usize>,
    /// Memory operands per memory index, outside every region.
    pub outside: std::collections::BTreeMap<u32, usize>,
    /// Regions by kind name.
    pub regions: std::collections::BTreeMap<&'static str, usize>,
    /// Marker calls left in the code.
    pub markers: usize,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mems: std::collections::BTreeSet<u32> = self
            .in_region
            .keys()
            .chain(self.outside.keys())
            .copied()
            .collect();
        writeln!(f, "memory  inside-regions  outside-regions")?;
        for m in mems {
            writeln!(
                f,
                "{:<6}  {:>14}  {:>15}",
                m,
                self.in_region.get(&m).copied().unwrap_or(0),
                self.outside.get(&m).copied().unwrap_or(0)
            )?;
        }
        let regions: Vec<String> = self
            .regions
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        writeln!(
            f,
            "regions: {}",
            if regions.is_empty() {
                "none".to_string()
            } else {
                regions.join(" ")
            }
        )?;
        write!(f, "markers: {}", self.markers)
    }
}

/// Counts memory operands per memory, inside and outside regions.
pub fn stats(module: &Module, markers: &Markers, map: Option<&RegionMap>) -> Stats {
    let mems = memory_indices(module);
    let mut out = Stats::default();
    if let Some(map) = map {
        for (_, r) in map.regions() {
            *out.regions.entry(r.kind.name()).or_default() += 1;
        }
    }
    for (fid, func) in module.funcs.iter_local() {
        crate::walk::for_each_instr(func, |v| {
            if let Instr::Call(c) = v.instr {
                if markers.op(c.func).is_some() {
                    out.markers += 1;
                }
            }
            let Some(usage) = memory_use(v.instr) else {
                return;
            };
            let inside = map.and_then(|m| m.region_of(fid, v.pos)).is_some();
            let bucket = if inside {
                &mut out.in_region
            } else {
                &mut out.outside
            };
            for m in operand_memories(usage) {
                *bucket.entry(mems[&m]).or_default() += 1;
            }
        });
    }
    out
}

fn operand_memories(usage: crate::MemUse) -> Vec<walrus::MemoryId> {
    let (src, dst) = usage.memories();
    src.into_iter().chain([dst]).collect()
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
        let mems: Vec<String> = operand_memories(usage)
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

/// `I32WrapI64` → `i32.wrap_i64`.
fn op_name(debug: &str) -> String {
    const PREFIXES: [&str; 11] = [
        "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2", "V128", "I32", "I64", "F32", "F64",
    ];
    let (prefix, rest) = PREFIXES
        .iter()
        .find_map(|p| debug.strip_prefix(p).map(|r| (*p, r)))
        .unwrap_or(("", debug));
    let mut snake = String::new();
    for (i, ch) in rest.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(ch.to_ascii_lowercase());
    }
    let rest = snake
        .split(['{', ' '])
        .next()
        .unwrap_or("")
        .trim_end_matches('_');
    if prefix.is_empty() {
        rest.to_string()
    } else {
        format!("{}.{}", prefix.to_lowercase(), rest)
    }
}

fn memarg(arg: &MemArg) -> String {
    if arg.offset == 0 {
        String::new()
    } else {
        format!(" offset={}", arg.offset)
    }
}

fn ext(kind: &ExtendedLoad) -> (&'static str, &'static str) {
    match kind {
        ExtendedLoad::SignExtend => ("", "_s"),
        ExtendedLoad::ZeroExtend => ("", "_u"),
        ExtendedLoad::ZeroExtendAtomic => (".atomic", "_u"),
    }
}

fn load_name(kind: &LoadKind) -> String {
    let atomic = |a: bool| if a { ".atomic" } else { "" };
    match kind {
        LoadKind::I32 { atomic: a } => format!("i32{}.load", atomic(*a)),
        LoadKind::I64 { atomic: a } => format!("i64{}.load", atomic(*a)),
        LoadKind::F32 => "f32.load".into(),
        LoadKind::F64 => "f64.load".into(),
        LoadKind::V128 => "v128.load".into(),
        LoadKind::I32_8 { kind } => format!("i32{}.load8{}", ext(kind).0, ext(kind).1),
        LoadKind::I32_16 { kind } => format!("i32{}.load16{}", ext(kind).0, ext(kind).1),
        LoadKind::I64_8 { kind } => format!("i64{}.load8{}", ext(kind).0, ext(kind).1),
        LoadKind::I64_16 { kind } => format!("i64{}.load16{}", ext(kind).0, ext(kind).1),
        LoadKind::I64_32 { kind } => format!("i64{}.load32{}", ext(kind).0, ext(kind).1),
    }
}

fn store_name(kind: &StoreKind) -> String {
    let atomic = |a: bool| if a { ".atomic" } else { "" };
    match kind {
        StoreKind::I32 { atomic: a } => format!("i32{}.store", atomic(*a)),
        StoreKind::I64 { atomic: a } => format!("i64{}.store", atomic(*a)),
        StoreKind::F32 => "f32.store".into(),
        StoreKind::F64 => "f64.store".into(),
        StoreKind::V128 => "v128.store".into(),
        StoreKind::I32_8 { atomic: a } => format!("i32{}.store8", atomic(*a)),
        StoreKind::I32_16 { atomic: a } => format!("i32{}.store16", atomic(*a)),
        StoreKind::I64_8 { atomic: a } => format!("i64{}.store8", atomic(*a)),
        StoreKind::I64_16 { atomic: a } => format!("i64{}.store16", atomic(*a)),
        StoreKind::I64_32 { atomic: a } => format!("i64{}.store32", atomic(*a)),
    }
}

/// The mnemonic and, for lane instructions, the lane (printed after the
/// memory argument, as in the text format).
fn simd_name(kind: &LoadSimdKind) -> (String, String) {
    use LoadSimdKind::*;
    let plain = |s: &str| (s.to_string(), String::new());
    let lane = |s: &str, l: &u8| (s.to_string(), format!(" {l}"));
    match kind {
        Splat8 => plain("v128.load8_splat"),
        Splat16 => plain("v128.load16_splat"),
        Splat32 => plain("v128.load32_splat"),
        Splat64 => plain("v128.load64_splat"),
        V128Load8x8S => plain("v128.load8x8_s"),
        V128Load8x8U => plain("v128.load8x8_u"),
        V128Load16x4S => plain("v128.load16x4_s"),
        V128Load16x4U => plain("v128.load16x4_u"),
        V128Load32x2S => plain("v128.load32x2_s"),
        V128Load32x2U => plain("v128.load32x2_u"),
        V128Load32Zero => plain("v128.load32_zero"),
        V128Load64Zero => plain("v128.load64_zero"),
        V128Load8Lane(l) => lane("v128.load8_lane", l),
        V128Load16Lane(l) => lane("v128.load16_lane", l),
        V128Load32Lane(l) => lane("v128.load32_lane", l),
        V128Load64Lane(l) => lane("v128.load64_lane", l),
        V128Store8Lane(l) => lane("v128.store8_lane", l),
        V128Store16Lane(l) => lane("v128.store16_lane", l),
        V128Store32Lane(l) => lane("v128.store32_lane", l),
        V128Store64Lane(l) => lane("v128.store64_lane", l),
    }
}

fn rmw_name(width: &AtomicWidth, op: &str) -> String {
    let (ty, bits) = match width {
        AtomicWidth::I32 => ("i32", ""),
        AtomicWidth::I32_8 => ("i32", "8"),
        AtomicWidth::I32_16 => ("i32", "16"),
        AtomicWidth::I64 => ("i64", ""),
        AtomicWidth::I64_8 => ("i64", "8"),
        AtomicWidth::I64_16 => ("i64", "16"),
        AtomicWidth::I64_32 => ("i64", "32"),
    };
    let unsigned = if bits.is_empty() { "" } else { "_u" };
    format!("{ty}.atomic.rmw{bits}.{op}{unsigned}")
}

fn hex(o: Option<u32>) -> String {
    match o {
        Some(o) => format!("{o:#x}"),
        None => "-".into(),
    }
}
