//! The region map: for every instruction, the region it runs in.
//!
//! Regions are delimited by marker calls, but wasm control flow is structured,
//! so a region's extent is computed by abstract interpretation over the
//! structured control flow: the state "which region is open" flows through
//! blocks, loops, if/else, try_table and legacy try, and every place where
//! paths meet (a label reached by a branch or by falling through, a function's
//! return) must agree on it. Disagreement is an error that names the function
//! and the offset; the map never guesses.
//!
//! Functions that run entirely in region context (clones made by the split
//! pass for calls from inside a region) are given as `contexts`: every one of
//! their instructions belongs to one whole-function region.

use crate::access::memory_use;
use crate::error::{Location, RegionError, RegionErrorKind};
use crate::markers::{MarkerOp, Markers};
use crate::route::route;
use crate::walk::{offset_of, InstrPos};
use crate::RegionKind;
use id_arena::{Arena, Id};
use std::collections::{BTreeMap, HashMap};
use walrus::ir::{Instr, InstrLocId, InstrSeqId, LegacyCatch, TryTableCatch};
use walrus::{FunctionId, FunctionKind, LocalFunction, Module};

pub type RegionId = Id<Region>;

/// One region: a stretch of code delimited by a begin marker and its end
/// markers, or a whole function run in region context.
#[derive(Clone, Debug)]
pub struct Region {
    pub func: FunctionId,
    pub kind: RegionKind,
    /// Per-function ordinal, in order of appearance (for printing).
    pub ordinal: u32,
    /// Offset of the begin marker; `None` for a whole-function context.
    pub begin: Option<u32>,
    /// Offsets of the end markers that close it.
    pub ends: Vec<Option<u32>>,
    /// The whole function runs in this region (a clone for region context).
    pub whole_function: bool,
}

/// A function that runs entirely in region context: a clone made for calls
/// from inside regions of `kind`, copied from `original`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    pub kind: RegionKind,
    pub original: FunctionId,
}

/// A call to a local function from inside a region: the callee must run in
/// the region's context.
#[derive(Clone, Debug)]
pub struct RegionCall {
    pub func: FunctionId,
    pub pos: InstrPos,
    pub callee: FunctionId,
    pub region: RegionId,
}

/// The region of every instruction of a module.
#[derive(Debug, Default)]
pub struct RegionMap {
    regions: Arena<Region>,
    inside: HashMap<FunctionId, HashMap<InstrPos, RegionId>>,
    contexts: HashMap<FunctionId, RegionId>,
    /// The input function each context function was cloned from.
    originals: HashMap<FunctionId, FunctionId>,
    calls: Vec<RegionCall>,
}

impl RegionMap {
    /// Computes the map. `contexts` lists functions that run entirely in
    /// region context (clones), with the kind of that context.
    pub fn compute(
        module: &Module,
        markers: &Markers,
        contexts: &BTreeMap<FunctionId, Context>,
    ) -> Result<RegionMap, RegionError> {
        let indices = crate::indices::function_indices(module);
        let originals: HashMap<FunctionId, FunctionId> =
            contexts.iter().map(|(f, c)| (*f, c.original)).collect();
        let mut map = RegionMap {
            originals: originals.clone(),
            ..RegionMap::default()
        };
        for (fid, func) in module.funcs.iter_local() {
            let kind = contexts.get(&fid).map(|c| c.kind);
            let at =
                |loc: Option<InstrLocId>| location_in(module, &indices, &originals, kind, fid, loc);
            let mut cx = FuncCx {
                module,
                markers,
                fid,
                func,
                at: &at,
                map: &mut map,
                state: None,
                reachable: true,
                labels: HashMap::new(),
                label_info: Vec::new(),
                handlers: Vec::new(),
                next_ordinal: 0,
            };
            match contexts.get(&fid) {
                Some(c) => cx.whole_function(c.kind)?,
                None => cx.body()?,
            }
        }
        Ok(map)
    }

    /// Where an instruction of `func` is, for messages. A clone is reported
    /// as the input function it was copied from (its offsets are that
    /// function's), with the kind it was cloned for.
    pub fn location(&self, module: &Module, func: FunctionId, loc: Option<InstrLocId>) -> Location {
        let indices = crate::indices::function_indices(module);
        let kind = self.context(func).map(|r| self.regions[r].kind);
        location_in(module, &indices, &self.originals, kind, func, loc)
    }

    /// The region the instruction at `pos` of `func` runs in.
    pub fn region_of(&self, func: FunctionId, pos: InstrPos) -> Option<RegionId> {
        self.inside.get(&func)?.get(&pos).copied()
    }

    /// The kind of the region the instruction at `pos` of `func` runs in.
    pub fn kind_at(&self, func: FunctionId, pos: InstrPos) -> Option<RegionKind> {
        self.region_of(func, pos).map(|r| self.regions[r].kind)
    }

    pub fn region(&self, id: RegionId) -> &Region {
        &self.regions[id]
    }

    /// All regions, in creation order (function by function).
    pub fn regions(&self) -> impl Iterator<Item = (RegionId, &Region)> {
        self.regions.iter()
    }

    /// Calls to local functions from inside regions.
    pub fn calls(&self) -> &[RegionCall] {
        &self.calls
    }

    /// Moves the recorded positions of `func` after a pass removed or moved
    /// instructions; `to` gives each old position's new one (`None`: removed).
    pub fn remap_positions(&mut self, func: FunctionId, to: impl Fn(InstrPos) -> Option<InstrPos>) {
        if let Some(inside) = self.inside.get_mut(&func) {
            *inside = inside
                .drain()
                .filter_map(|(p, r)| to(p).map(|p| (p, r)))
                .collect();
        }
        for call in self.calls.iter_mut().filter(|c| c.func == func) {
            if let Some(p) = to(call.pos) {
                call.pos = p;
            }
        }
    }

    /// The whole-function region of a function run in region context.
    pub fn context(&self, func: FunctionId) -> Option<RegionId> {
        self.contexts.get(&func).copied()
    }
}

/// What a branch target (label) is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LabelKind {
    /// The end of a block, if/else, try_table or try.
    BlockEnd,
    /// The head of a loop.
    LoopHead,
    /// The function's outermost label: reaching it returns.
    FunctionEnd,
}

/// A path reaching a label.
#[derive(Clone, Copy)]
struct Arrival {
    state: Option<RegionId>,
    offset: Option<u32>,
    by_branch: bool,
}

struct LabelInfo {
    kind: LabelKind,
    first: Option<Arrival>,
}

type LabelId = usize;

/// Where an exception raised in a try body goes.
enum Handler {
    /// try_table: its catch clauses branch to these labels.
    Labels(Vec<LabelId>),
    /// Legacy try: the handler blocks start in the state the try began in.
    Entry {
        state: Option<RegionId>,
        offset: Option<u32>,
    },
}

struct FuncCx<'a, 'm> {
    module: &'m Module,
    markers: &'m Markers,
    fid: FunctionId,
    func: &'m LocalFunction,
    at: &'a dyn Fn(Option<InstrLocId>) -> Location,
    map: &'a mut RegionMap,
    /// The region open at the current point, if any.
    state: Option<RegionId>,
    /// Whether the current point is reachable.
    reachable: bool,
    labels: HashMap<InstrSeqId, LabelId>,
    label_info: Vec<LabelInfo>,
    handlers: Vec<Handler>,
    next_ordinal: u32,
}

type Res<T = ()> = Result<T, RegionError>;

impl FuncCx<'_, '_> {
    fn error(&self, loc: Option<InstrLocId>, kind: RegionErrorKind) -> RegionError {
        RegionError {
            at: (self.at)(loc),
            kind,
        }
    }

    fn new_region(&mut self, kind: RegionKind, begin: Option<u32>, whole: bool) -> RegionId {
        let ordinal = self.next_ordinal;
        self.next_ordinal += 1;
        self.map.regions.alloc(Region {
            func: self.fid,
            kind,
            ordinal,
            begin,
            ends: Vec::new(),
            whole_function: whole,
        })
    }

    fn new_label(&mut self, kind: LabelKind, seqs: &[InstrSeqId]) -> LabelId {
        let id = self.label_info.len();
        self.label_info.push(LabelInfo { kind, first: None });
        for s in seqs {
            self.labels.insert(*s, id);
        }
        id
    }

    fn kind_of(&self, r: RegionId) -> RegionKind {
        self.map.regions[r].kind
    }

    fn begin_of(&self, r: RegionId) -> Option<u32> {
        self.map.regions[r].begin
    }

    // ---- whole-function contexts -------------------------------------

    /// A clone for region context: every instruction is in one region, and
    /// the only things to check are what a region may contain.
    fn whole_function(&mut self, kind: RegionKind) -> Res {
        let region = self.new_region(kind, None, true);
        self.map.contexts.insert(self.fid, region);
        let mut visits = Vec::new();
        crate::walk::for_each_instr(self.func, |v| visits.push((v.pos, v.instr, v.loc)));
        for (pos, instr, loc) in visits {
            if let Instr::Call(c) = instr {
                if self.markers.op(c.func).is_some() {
                    return Err(
                        self.error(Some(loc), RegionErrorKind::MarkerInCalledFunction { kind })
                    );
                }
            }
            self.contents(pos, instr, loc, region)?;
        }
        Ok(())
    }

    // ---- ordinary functions ------------------------------------------

    fn body(&mut self) -> Res {
        let entry = self.func.entry_block();
        let label = self.new_label(LabelKind::FunctionEnd, &[entry]);
        self.seq(entry)?;
        if self.reachable {
            let end = self.func.block(entry).end;
            if let Some(r) = self.state {
                return Err(self.error(
                    Some(end),
                    RegionErrorKind::UnclosedAtEnd {
                        kind: self.kind_of(r),
                        begin: self.begin_of(r),
                    },
                ));
            }
            self.arrive(label, false, Some(end))?;
        }
        Ok(())
    }

    fn seq(&mut self, seq: InstrSeqId) -> Res {
        let instrs = &self.func.block(seq).instrs;
        for (index, (instr, loc)) in instrs.iter().enumerate() {
            self.instr(InstrPos { seq, index }, instr, *loc)?;
        }
        Ok(())
    }

    /// Runs `seq` as the body of a construct whose end is `label`, then
    /// continues after it in the joined state.
    fn block_body(&mut self, seq: InstrSeqId, label: LabelId) -> Res {
        self.seq(seq)?;
        self.fall_into(seq, label)
    }

    /// The fall-through edge from the end of `seq` to `label`.
    fn fall_into(&mut self, seq: InstrSeqId, label: LabelId) -> Res {
        if self.reachable {
            let end = self.func.block(seq).end;
            self.arrive(label, false, Some(end))?;
        }
        Ok(())
    }

    /// Continues after a construct ending at `label`.
    fn after(&mut self, label: LabelId) {
        match self.label_info[label].first {
            Some(a) => {
                self.state = a.state;
                self.reachable = true;
            }
            None => self.reachable = false,
        }
    }

    /// A path reaches `label` in the current state.
    fn arrive(&mut self, label: LabelId, by_branch: bool, loc: Option<InstrLocId>) -> Res {
        if !self.reachable {
            return Ok(());
        }
        let now = Arrival {
            state: self.state,
            offset: loc.and_then(offset_of),
            by_branch,
        };
        let info = &self.label_info[label];
        if info.kind == LabelKind::FunctionEnd {
            if let Some(r) = self.state {
                return Err(self.error(
                    loc,
                    RegionErrorKind::ReturnInRegion {
                        kind: self.kind_of(r),
                        begin: self.begin_of(r),
                    },
                ));
            }
        }
        let Some(prev) = info.first else {
            self.label_info[label].first = Some(now);
            return Ok(());
        };
        if prev.state == now.state {
            return Ok(());
        }
        // A branch taken while a region is open, towards a point where it is
        // not, leaves the region.
        for a in [now, prev] {
            if let (true, Some(r)) = (a.by_branch, a.state) {
                return Err(RegionError {
                    at: Location {
                        offset: a.offset,
                        ..(self.at)(None)
                    },
                    kind: RegionErrorKind::BranchOutOfRegion {
                        kind: self.kind_of(r),
                        begin: self.begin_of(r),
                    },
                });
            }
        }
        let describe = |a: Arrival| match a.state {
            Some(r) => format!("a {} region is open", self.kind_of(r)),
            None => "no region is open".to_string(),
        };
        let detail = format!(
            "{} on the path from offset {}, {} on the path from offset {}",
            describe(prev),
            hex(prev.offset),
            describe(now),
            hex(now.offset)
        );
        Err(self.error(loc, RegionErrorKind::OpenOnOnePath { detail }))
    }

    fn branch(&mut self, target: InstrSeqId, loc: InstrLocId) -> Res {
        let label = self.labels[&target];
        self.arrive(label, true, Some(loc))
    }

    /// A point where an exception may be raised.
    fn may_throw(&mut self, loc: InstrLocId) -> Res {
        match self.handlers.last() {
            None => Ok(()),
            Some(Handler::Labels(labels)) => {
                for l in labels.clone() {
                    self.arrive(l, true, Some(loc))?;
                }
                Ok(())
            }
            Some(Handler::Entry { state, offset }) => {
                if !self.reachable || *state == self.state {
                    return Ok(());
                }
                let (state, offset) = (*state, *offset);
                match self.state {
                    Some(r) => Err(self.error(
                        Some(loc),
                        RegionErrorKind::BranchOutOfRegion {
                            kind: self.kind_of(r),
                            begin: self.begin_of(r),
                        },
                    )),
                    None => Err(self.error(
                        Some(loc),
                        RegionErrorKind::OpenOnOnePath {
                            detail: format!(
                                "the try at offset {} starts inside a {} region that is closed where this may throw",
                                hex(offset),
                                state.map(|r| self.kind_of(r).name()).unwrap_or("?")
                            ),
                        },
                    )),
                }
            }
        }
    }

    fn instr(&mut self, pos: InstrPos, instr: &Instr, loc: InstrLocId) -> Res {
        // Markers change the state and are not part of any region.
        if let Instr::Call(c) = instr {
            if let Some(op) = self.markers.op(c.func) {
                return self.marker(op, loc);
            }
        }
        if let Some(r) = self.state {
            self.contents(pos, instr, loc, r)?;
        }
        match instr {
            Instr::Block(b) => {
                let label = self.new_label(LabelKind::BlockEnd, &[b.seq]);
                self.block_body(b.seq, label)?;
                self.after(label);
            }
            Instr::Loop(l) => {
                let label = self.new_label(LabelKind::LoopHead, &[l.seq]);
                self.arrive(label, false, Some(loc))?;
                self.seq(l.seq)?;
            }
            Instr::IfElse(i) => {
                let label = self.new_label(LabelKind::BlockEnd, &[i.consequent, i.alternative]);
                let (state, reachable) = (self.state, self.reachable);
                self.block_body(i.consequent, label)?;
                self.state = state;
                self.reachable = reachable;
                self.seq(i.alternative)?;
                // An `if` without `else` has an empty alternative that walrus
                // synthesized (no offset): its path goes from the `if` itself
                // to the join, so errors on it point at the `if`.
                let end = self.func.block(i.alternative).end;
                let end = if offset_of(end).is_none() { loc } else { end };
                if self.reachable {
                    self.arrive(label, false, Some(end))?;
                }
                self.after(label);
            }
            Instr::TryTable(t) => {
                let label = self.new_label(LabelKind::BlockEnd, &[t.seq]);
                let targets = t
                    .catches
                    .iter()
                    .map(|c| match c {
                        TryTableCatch::Catch { label, .. }
                        | TryTableCatch::CatchRef { label, .. }
                        | TryTableCatch::CatchAll { label }
                        | TryTableCatch::CatchAllRef { label } => self.labels[label],
                    })
                    .collect();
                self.handlers.push(Handler::Labels(targets));
                self.seq(t.seq)?;
                self.handlers.pop();
                self.fall_into(t.seq, label)?;
                self.after(label);
            }
            Instr::Try(t) => {
                let handler_seqs: Vec<InstrSeqId> =
                    t.catches
                        .iter()
                        .filter_map(|c| match c {
                            LegacyCatch::Catch { handler, .. }
                            | LegacyCatch::CatchAll { handler } => Some(*handler),
                            LegacyCatch::Delegate { .. } => None,
                        })
                        .collect();
                let mut seqs = vec![t.seq];
                seqs.extend(&handler_seqs);
                let label = self.new_label(LabelKind::BlockEnd, &seqs);
                let (state, reachable) = (self.state, self.reachable);
                self.handlers.push(Handler::Entry {
                    state,
                    offset: offset_of(loc),
                });
                self.seq(t.seq)?;
                self.handlers.pop();
                self.fall_into(t.seq, label)?;
                for h in handler_seqs {
                    self.state = state;
                    self.reachable = reachable;
                    self.block_body(h, label)?;
                }
                self.after(label);
            }
            Instr::Br(b) => {
                self.branch(b.block, loc)?;
                self.reachable = false;
            }
            Instr::BrIf(b) => self.branch(b.block, loc)?,
            Instr::BrOnNull(b) => self.branch(b.block, loc)?,
            Instr::BrOnNonNull(b) => self.branch(b.block, loc)?,
            Instr::BrOnCast(b) => self.branch(b.block, loc)?,
            Instr::BrOnCastFail(b) => self.branch(b.block, loc)?,
            Instr::BrTable(t) => {
                for b in t.blocks.iter().chain([&t.default]) {
                    self.branch(*b, loc)?;
                }
                self.reachable = false;
            }
            Instr::Return(_)
            | Instr::ReturnCall(_)
            | Instr::ReturnCallIndirect(_)
            | Instr::ReturnCallRef(_) => {
                let entry = self.func.entry_block();
                self.branch(entry, loc)?;
                self.reachable = false;
            }
            Instr::Unreachable(_) => self.reachable = false,
            Instr::Throw(_) | Instr::ThrowRef(_) | Instr::Rethrow(_) => {
                self.may_throw(loc)?;
                self.reachable = false;
            }
            Instr::Call(_) | Instr::CallIndirect(_) | Instr::CallRef(_) => self.may_throw(loc)?,
            _ => {}
        }
        Ok(())
    }

    fn marker(&mut self, op: MarkerOp, loc: InstrLocId) -> Res {
        match (op, self.state) {
            (MarkerOp::Begin(kind), None) => {
                let r = self.new_region(kind, offset_of(loc), false);
                self.state = Some(r);
                Ok(())
            }
            (MarkerOp::Begin(_), Some(open)) => Err(self.error(
                Some(loc),
                RegionErrorKind::Nested {
                    outer: self.kind_of(open),
                    outer_begin: self.begin_of(open),
                },
            )),
            (MarkerOp::End(kind), None) => {
                Err(self.error(Some(loc), RegionErrorKind::EndWithoutBegin { kind }))
            }
            (MarkerOp::End(kind), Some(open)) if kind != self.kind_of(open) => Err(self.error(
                Some(loc),
                RegionErrorKind::EndKindMismatch {
                    open: self.kind_of(open),
                    end: kind,
                    begin: self.begin_of(open),
                },
            )),
            (MarkerOp::End(_), Some(open)) => {
                self.map.regions[open].ends.push(offset_of(loc));
                self.state = None;
                Ok(())
            }
        }
    }

    /// Records an instruction that runs inside region `r` and checks that a
    /// region may contain it.
    fn contents(&mut self, pos: InstrPos, instr: &Instr, loc: InstrLocId, r: RegionId) -> Res {
        let kind = self.kind_of(r);
        self.map.inside.entry(self.fid).or_default().insert(pos, r);
        if let Some(usage) = memory_use(instr) {
            route(Some(kind), usage)
                .map_err(|e| self.error(Some(loc), RegionErrorKind::Ambiguous(e)))?;
        }
        let callee = match instr {
            Instr::Call(c) => c.func,
            Instr::ReturnCall(c) => c.func,
            Instr::CallIndirect(_)
            | Instr::ReturnCallIndirect(_)
            | Instr::CallRef(_)
            | Instr::ReturnCallRef(_) => {
                return Err(self.error(Some(loc), RegionErrorKind::IndirectCallInRegion { kind }))
            }
            _ => return Ok(()),
        };
        match &self.module.funcs.get(callee).kind {
            FunctionKind::Import(i) => {
                let import = self.module.imports.get(i.import);
                return Err(self.error(
                    Some(loc),
                    RegionErrorKind::ImportCallInRegion {
                        kind,
                        import: format!("{}.{}", import.module, import.name),
                    },
                ));
            }
            FunctionKind::Local(_) => self.map.calls.push(RegionCall {
                func: self.fid,
                pos,
                callee,
                region: r,
            }),
            FunctionKind::Uninitialized(_) => {}
        }
        Ok(())
    }
}

fn location_in(
    module: &Module,
    indices: &HashMap<FunctionId, u32>,
    originals: &HashMap<FunctionId, FunctionId>,
    cloned_for: Option<RegionKind>,
    func: FunctionId,
    loc: Option<InstrLocId>,
) -> Location {
    let shown = originals.get(&func).copied().unwrap_or(func);
    Location {
        func_name: module.funcs.get(shown).name.clone(),
        func_index: indices[&shown],
        cloned_for,
        offset: loc.and_then(offset_of),
    }
}

fn hex(o: Option<u32>) -> String {
    match o {
        Some(o) => format!("{o:#x}"),
        None => "?".into(),
    }
}
