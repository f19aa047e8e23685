//! The shadow-stack check: no address derived from the shadow-stack pointer
//! may be used on user memory. That covers every access in a pure user region
//! and the user side of copy regions (copy-out writes, copy-in reads).
//!
//! An address computed from `__stack_pointer` points into the adapter's own
//! stack, which lives in private memory. If such an access is routed to the
//! user's memory, the optimizer moved it into a region (or the adapter code is
//! wrong), and the split would send it to the wrong memory. This check finds
//! it.
//!
//! The analysis is a taint analysis by abstract interpretation of the operand
//! stack: `global.get $__stack_pointer` produces a tainted value, arithmetic
//! propagates taint, locals are tainted flow-insensitively (once tainted,
//! always), and labels carry taint along branches; it iterates to a fixpoint.
//! Loads, calls and comparisons produce untainted values. It is conservative
//! in the direction that matters: a stack address stays tainted however it
//! travels through locals and arithmetic.

use super::location;
use crate::error::VerifyError;
use mmadapt_ir::{Mem, RegionKind, RegionMap, Route};
use std::collections::{HashMap, HashSet};
use walrus::ir::*;
use walrus::{FunctionId, GlobalId, GlobalKind, LocalFunction, LocalId, Module, ValType};

/// The shadow-stack pointer: the global named `__stack_pointer`, or, in a
/// module without global names, global 0 if it is a mutable i32 (where LLVM
/// puts it).
pub fn stack_pointer(module: &Module) -> Option<GlobalId> {
    if let Some(g) = module
        .globals
        .iter()
        .find(|g| g.name.as_deref() == Some("__stack_pointer"))
    {
        return Some(g.id());
    }
    if module.globals.iter().any(|g| g.name.is_some()) {
        return None;
    }
    let first = module.globals.iter().next()?;
    (first.mutable && first.ty == ValType::I32 && matches!(first.kind, GlobalKind::Local(_)))
        .then(|| first.id())
}

pub fn check_stack_pointer(module: &Module, map: &RegionMap) -> Result<(), VerifyError> {
    let Some(sp) = stack_pointer(module) else {
        return Ok(());
    };
    for (fid, func) in module.funcs.iter_local() {
        let in_some_region =
            map.context(fid).is_some() || map.regions().any(|(_, r)| r.func == fid);
        if !in_some_region {
            continue;
        }
        let mut loops = HashSet::new();
        mmadapt_ir::walk::for_each_instr(func, |v| {
            if let Instr::Loop(l) = v.instr {
                loops.insert(l.seq);
            }
        });
        let mut t = Taint {
            module,
            func,
            loops,
            fid,
            map,
            sp,
            locals: HashSet::new(),
            labels: HashMap::new(),
            label_of: HashMap::new(),
            changed: false,
            checking: false,
            violation: None,
        };
        t.run().map_err(|(loc, message)| VerifyError {
            at: Some(location(module, map, fid, loc)),
            message,
        })?;
    }
    Ok(())
}

type Fail = (Option<InstrLocId>, String);

struct Taint<'a> {
    module: &'a Module,
    func: &'a LocalFunction,
    /// The sequences that are loop bodies: branches to them carry the loop's
    /// parameters.
    loops: HashSet<InstrSeqId>,
    fid: FunctionId,
    map: &'a RegionMap,
    sp: GlobalId,
    locals: HashSet<LocalId>,
    /// Taint of the values each label receives, keyed by the label's first
    /// sequence (an if's two arms share one label).
    labels: HashMap<InstrSeqId, Vec<bool>>,
    label_of: HashMap<InstrSeqId, InstrSeqId>,
    changed: bool,
    checking: bool,
    violation: Option<InstrLocId>,
}

impl Taint<'_> {
    fn run(&mut self) -> Result<(), Fail> {
        loop {
            self.changed = false;
            self.seq(self.func.entry_block(), Vec::new())?;
            if !self.changed {
                break;
            }
        }
        self.checking = true;
        self.seq(self.func.entry_block(), Vec::new())?;
        match self.violation {
            Some(loc) => Err((
                Some(loc),
                "address derived from the shadow-stack pointer used on user memory inside a region (an access to the adapter's own stack would go to user memory)".into(),
            )),
            None => Ok(()),
        }
    }

    fn arity(&self, ty: InstrSeqType) -> (usize, usize) {
        match ty {
            InstrSeqType::Simple(None) => (0, 0),
            InstrSeqType::Simple(Some(_)) => (0, 1),
            InstrSeqType::MultiValue(t) => {
                let t = self.module.types.get(t);
                (t.params().len(), t.results().len())
            }
        }
    }

    fn label(&self, seq: InstrSeqId) -> InstrSeqId {
        self.label_of.get(&seq).copied().unwrap_or(seq)
    }

    /// Joins `vals` into the taint of `label`.
    fn join(&mut self, label: InstrSeqId, vals: &[bool]) {
        let entry = self
            .labels
            .entry(label)
            .or_insert_with(|| vec![false; vals.len()]);
        for (e, v) in entry.iter_mut().zip(vals) {
            if *v && !*e {
                *e = true;
                self.changed = true;
            }
        }
    }

    /// How many values a branch to `target` carries: a loop's parameters, any
    /// other label's results.
    fn branch_arity(&self, target: InstrSeqId) -> usize {
        let (params, results) = self.arity(self.func.block(target).ty);
        if self.loops.contains(&target) {
            params
        } else {
            results
        }
    }

    fn taint_local(&mut self, l: LocalId, t: bool) {
        if t && self.locals.insert(l) {
            self.changed = true;
        }
    }

    /// Interprets `seq` starting from `stack`; returns the stack at its end,
    /// or `None` when the end is unreachable.
    fn seq(&mut self, seq: InstrSeqId, mut stack: Vec<bool>) -> Result<Option<Vec<bool>>, Fail> {
        let pop = |stack: &mut Vec<bool>, n: usize| -> Vec<bool> {
            let at = stack.len().saturating_sub(n);
            let mut out = stack.split_off(at);
            while out.len() < n {
                out.insert(0, false);
            }
            out
        };
        let top = |stack: &Vec<bool>, n: usize| -> Vec<bool> {
            let at = stack.len().saturating_sub(n);
            let mut out = stack[at..].to_vec();
            while out.len() < n {
                out.insert(0, false);
            }
            out
        };
        let func = self.func;
        for (index, (instr, loc)) in func.block(seq).instrs.iter().enumerate() {
            let pos = mmadapt_ir::InstrPos { seq, index };
            if self.checking && self.violation.is_none() {
                let user_operands = user_address_operands(self.map.kind_at(self.fid, pos), instr);
                if user_operands
                    .iter()
                    .any(|depth| stack.len() > *depth && stack[stack.len() - 1 - depth])
                {
                    self.violation = Some(*loc);
                }
            }
            match instr {
                Instr::Block(Block { seq: body }) | Instr::TryTable(TryTable { seq: body, .. }) => {
                    let (params, results) = self.arity(self.func.block(*body).ty);
                    let args = pop(&mut stack, params);
                    if let Some(end) = self.seq(*body, args)? {
                        self.join(*body, &top(&end, results));
                    }
                    stack.extend(
                        self.labels
                            .get(body)
                            .cloned()
                            .unwrap_or(vec![false; results]),
                    );
                }
                Instr::Try(t) => {
                    let (params, results) = self.arity(self.func.block(t.seq).ty);
                    let args = pop(&mut stack, params);
                    if let Some(end) = self.seq(t.seq, args)? {
                        self.join(t.seq, &top(&end, results));
                    }
                    for c in &t.catches {
                        if let LegacyCatch::Catch { handler, .. }
                        | LegacyCatch::CatchAll { handler } = c
                        {
                            self.label_of.insert(*handler, t.seq);
                            if let Some(end) = self.seq(*handler, Vec::new())? {
                                self.join(t.seq, &top(&end, results));
                            }
                        }
                    }
                    stack.extend(
                        self.labels
                            .get(&t.seq)
                            .cloned()
                            .unwrap_or(vec![false; results]),
                    );
                }
                Instr::Loop(l) => {
                    let (params, results) = self.arity(self.func.block(l.seq).ty);
                    let args = pop(&mut stack, params);
                    self.join(l.seq, &args);
                    let entry = self.labels.get(&l.seq).cloned().unwrap_or(args);
                    match self.seq(l.seq, entry)? {
                        Some(end) => stack.extend(top(&end, results)),
                        None => return Ok(None),
                    }
                }
                Instr::IfElse(i) => {
                    pop(&mut stack, 1);
                    self.label_of.insert(i.alternative, i.consequent);
                    let (params, results) = self.arity(self.func.block(i.consequent).ty);
                    let args = pop(&mut stack, params);
                    for arm in [i.consequent, i.alternative] {
                        if let Some(end) = self.seq(arm, args.clone())? {
                            self.join(i.consequent, &top(&end, results));
                        }
                    }
                    stack.extend(
                        self.labels
                            .get(&i.consequent)
                            .cloned()
                            .unwrap_or(vec![false; results]),
                    );
                }
                Instr::Br(b) => {
                    let n = self.branch_arity(b.block);
                    self.join(self.label(b.block), &top(&stack, n));
                    return Ok(None);
                }
                Instr::BrIf(b) => {
                    pop(&mut stack, 1);
                    let n = self.branch_arity(b.block);
                    self.join(self.label(b.block), &top(&stack, n));
                }
                Instr::BrTable(t) => {
                    pop(&mut stack, 1);
                    for b in t.blocks.iter().chain([&t.default]) {
                        let n = self.branch_arity(*b);
                        self.join(self.label(*b), &top(&stack, n));
                    }
                    return Ok(None);
                }
                Instr::Return(_)
                | Instr::ReturnCall(_)
                | Instr::ReturnCallIndirect(_)
                | Instr::ReturnCallRef(_)
                | Instr::Unreachable(_)
                | Instr::Throw(_)
                | Instr::ThrowRef(_)
                | Instr::Rethrow(_) => return Ok(None),
                Instr::LocalGet(l) => stack.push(self.locals.contains(&l.local)),
                Instr::LocalSet(l) => {
                    let t = pop(&mut stack, 1)[0];
                    self.taint_local(l.local, t);
                }
                Instr::LocalTee(l) => {
                    let t = top(&stack, 1)[0];
                    self.taint_local(l.local, t);
                }
                Instr::GlobalGet(g) => stack.push(g.global == self.sp),
                Instr::Select(_) => {
                    pop(&mut stack, 1);
                    let vals = pop(&mut stack, 2);
                    stack.push(vals[0] || vals[1]);
                }
                other => {
                    let Some((pops, pushes, flow)) = effect(self.module, other) else {
                        return Err((
                            Some(*loc),
                            "the shadow-stack check does not know this instruction".into(),
                        ));
                    };
                    let ins = pop(&mut stack, pops);
                    let t = flow && ins.iter().any(|t| *t);
                    stack.extend(std::iter::repeat_n(t, pushes));
                }
            }
        }
        Ok(Some(stack))
    }
}

/// Stack depth (0 = top) of the address operands of `instr` that the region
/// kind `kind` routes to user memory.
fn user_address_operands(kind: Option<RegionKind>, instr: &Instr) -> Vec<usize> {
    let Some(usage) = mmadapt_ir::memory_use(instr) else {
        return Vec::new();
    };
    match mmadapt_ir::route(kind, usage) {
        Ok(Route::Single(Mem::User)) => address_operands(instr),
        // memory.copy: [dst, src, len] — dst at depth 2, src at depth 1.
        Ok(Route::Copy { src, dst }) => {
            let mut out = Vec::new();
            if dst == Mem::User {
                out.push(2);
            }
            if src == Mem::User {
                out.push(1);
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Stack depth (0 = top) of the address operands of a memory instruction.
fn address_operands(instr: &Instr) -> Vec<usize> {
    match instr {
        Instr::Load(_) => vec![0],
        Instr::Store(_) => vec![1],
        Instr::LoadSimd(l) => match l.kind {
            LoadSimdKind::V128Load8Lane(_)
            | LoadSimdKind::V128Load16Lane(_)
            | LoadSimdKind::V128Load32Lane(_)
            | LoadSimdKind::V128Load64Lane(_)
            | LoadSimdKind::V128Store8Lane(_)
            | LoadSimdKind::V128Store16Lane(_)
            | LoadSimdKind::V128Store32Lane(_)
            | LoadSimdKind::V128Store64Lane(_) => vec![1],
            _ => vec![0],
        },
        Instr::AtomicRmw(_) | Instr::AtomicNotify(_) => vec![1],
        Instr::Cmpxchg(_) | Instr::AtomicWait(_) => vec![2],
        Instr::MemoryCopy(_) => vec![2, 1],
        Instr::MemoryFill(_) | Instr::MemoryInit(_) => vec![2],
        _ => vec![],
    }
}

/// (values popped, values pushed, whether taint flows from inputs to
/// outputs) for the instructions without special handling.
fn effect(module: &Module, instr: &Instr) -> Option<(usize, usize, bool)> {
    let sig = |ty: walrus::TypeId| {
        let t = module.types.get(ty);
        (t.params().len(), t.results().len())
    };
    Some(match instr {
        Instr::Const(_) => (0, 1, false),
        Instr::GlobalSet(_) | Instr::Drop(_) => (1, 0, false),
        Instr::Binop(b) => (2, 1, !is_comparison(&format!("{:?}", b.op))),
        Instr::Unop(u) => (1, 1, !is_comparison(&format!("{:?}", u.op))),
        Instr::TernOp(_) | Instr::V128Bitselect(_) => (3, 1, true),
        Instr::I8x16Swizzle(_) | Instr::I8x16Shuffle(_) => (2, 1, true),
        Instr::I64Add128(_) | Instr::I64Sub128(_) => (4, 2, true),
        Instr::I64MulWideS(_) | Instr::I64MulWideU(_) => (2, 2, true),
        Instr::Load(_) => (1, 1, false),
        Instr::Store(_) => (2, 0, false),
        Instr::LoadSimd(l) => match l.kind {
            LoadSimdKind::V128Store8Lane(_)
            | LoadSimdKind::V128Store16Lane(_)
            | LoadSimdKind::V128Store32Lane(_)
            | LoadSimdKind::V128Store64Lane(_) => (2, 0, false),
            LoadSimdKind::V128Load8Lane(_)
            | LoadSimdKind::V128Load16Lane(_)
            | LoadSimdKind::V128Load32Lane(_)
            | LoadSimdKind::V128Load64Lane(_) => (2, 1, false),
            _ => (1, 1, false),
        },
        Instr::AtomicRmw(_) | Instr::AtomicNotify(_) => (2, 1, false),
        Instr::Cmpxchg(_) | Instr::AtomicWait(_) => (3, 1, false),
        Instr::AtomicFence(_) | Instr::DataDrop(_) | Instr::ElemDrop(_) => (0, 0, false),
        Instr::MemorySize(_) | Instr::TableSize(_) | Instr::RefNull(_) | Instr::RefFunc(_) => {
            (0, 1, false)
        }
        Instr::MemoryGrow(_)
        | Instr::TableGet(_)
        | Instr::RefIsNull(_)
        | Instr::RefAsNonNull(_) => (1, 1, false),
        Instr::MemoryInit(_)
        | Instr::MemoryCopy(_)
        | Instr::MemoryFill(_)
        | Instr::TableFill(_)
        | Instr::TableInit(_)
        | Instr::TableCopy(_) => (3, 0, false),
        Instr::TableSet(_) => (2, 0, false),
        Instr::TableGrow(_) | Instr::RefEq(_) => (2, 1, false),
        Instr::Call(c) => {
            let (p, r) = sig(module.funcs.get(c.func).ty());
            (p, r, false)
        }
        Instr::CallIndirect(c) => {
            let (p, r) = sig(c.ty);
            (p + 1, r, false)
        }
        Instr::CallRef(c) => {
            let (p, r) = sig(c.ty);
            (p + 1, r, false)
        }
        _ => return None,
    })
}

/// Comparisons produce booleans, not addresses.
fn is_comparison(op: &str) -> bool {
    let op = op.split([' ', '{']).next().unwrap_or(op);
    [
        "Eq", "Ne", "LtS", "LtU", "GtS", "GtU", "LeS", "LeU", "GeS", "GeU", "Lt", "Gt", "Le", "Ge",
        "Eqz",
    ]
    .iter()
    .any(|s| op.ends_with(s))
}
