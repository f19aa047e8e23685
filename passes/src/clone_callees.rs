//! Callee cloning for region context.
//!
//! **Invariant established:** every call from inside a region, and every call
//! inside a clone, to a local function whose behaviour depends on context (see
//! [`crate::context_dependent`]) targets a clone of that function made for the
//! region's kind; there is exactly one clone per (callee, kind), recursion
//! included; the originals are untouched, so calls from outside regions keep
//! their meaning. The returned map lists every clone with its kind, and the
//! region map recomputed with it treats each clone as a whole-function region.

use crate::context_dependent;
use mmadapt_ir::{Context, RegionKind, RegionMap};
use std::collections::{BTreeMap, HashMap, HashSet};
use walrus::ir::{Instr, InstrLocId, InstrSeqId, InstrSeqType, LegacyCatch, TryTableCatch};
use walrus::{FunctionBuilder, FunctionId, FunctionKind, LocalId, Module};

/// Clones, for each region kind, the callees that run in region context, and
/// points the calls at the clones. Returns the clones and their kinds.
pub fn clone_callees(module: &mut Module, map: &RegionMap) -> BTreeMap<FunctionId, Context> {
    let dependent = context_dependent::find(module);
    let needs_clone = |f: FunctionId| {
        dependent.contains(&f) && matches!(module.funcs.get(f).kind, FunctionKind::Local(_))
    };

    // Every (callee, kind) pair reachable from a region, transitively.
    let mut pairs: Vec<(FunctionId, RegionKind)> = Vec::new();
    let mut seen: HashSet<(FunctionId, RegionKind)> = HashSet::new();
    for call in map.calls() {
        let kind = map.region(call.region).kind;
        if needs_clone(call.callee) && seen.insert((call.callee, kind)) {
            pairs.push((call.callee, kind));
        }
    }
    let mut i = 0;
    while i < pairs.len() {
        let (f, kind) = pairs[i];
        mmadapt_ir::walk::for_each_instr(module.funcs.get(f).kind.unwrap_local(), |v| {
            if let Some(callee) = direct_callee(v.instr) {
                if needs_clone(callee) && seen.insert((callee, kind)) {
                    pairs.push((callee, kind));
                }
            }
        });
        i += 1;
    }

    // Make the clones, then point calls at them.
    let mut clones: HashMap<(FunctionId, RegionKind), FunctionId> = HashMap::new();
    for &(f, kind) in &pairs {
        let c = copy_function(module, f, kind);
        clones.insert((f, kind), c);
    }
    for (&(_, kind), &c) in &clones {
        retarget_calls(module, c, |callee| clones.get(&(callee, kind)).copied());
    }
    for call in map.calls() {
        let kind = map.region(call.region).kind;
        if let Some(&c) = clones.get(&(call.callee, kind)) {
            let func = module.funcs.get_mut(call.func).kind.unwrap_local_mut();
            let (instr, _) = &mut func.block_mut(call.pos.seq).instrs[call.pos.index];
            set_callee(instr, c);
        }
    }
    clones
        .into_iter()
        .map(|((original, kind), c)| (c, Context { kind, original }))
        .collect()
}

fn direct_callee(instr: &Instr) -> Option<FunctionId> {
    match instr {
        Instr::Call(c) => Some(c.func),
        Instr::ReturnCall(c) => Some(c.func),
        _ => None,
    }
}

fn set_callee(instr: &mut Instr, to: FunctionId) {
    match instr {
        Instr::Call(c) => c.func = to,
        Instr::ReturnCall(c) => c.func = to,
        _ => unreachable!("region call sites are direct calls"),
    }
}

fn retarget_calls(
    module: &mut Module,
    f: FunctionId,
    to: impl Fn(FunctionId) -> Option<FunctionId>,
) {
    let func = module.funcs.get_mut(f).kind.unwrap_local_mut();
    for seq in mmadapt_ir::walk::all_seqs(func) {
        for (instr, _) in func.block_mut(seq).instrs.iter_mut() {
            if let Some(target) = direct_callee(instr).and_then(&to) {
                set_callee(instr, target);
            }
        }
    }
}

/// A copy of function `f` with fresh locals and sequences, named after the
/// original and the context (`name$user`). Instruction offsets are kept, so
/// errors and the printer point at the original code.
fn copy_function(module: &mut Module, f: FunctionId, kind: RegionKind) -> FunctionId {
    let original = module.funcs.get(f);
    let name = original
        .name
        .clone()
        .unwrap_or_else(|| format!("func{}", f.index()));
    let func = original.kind.unwrap_local();
    let ty = module.types.get(func.ty());
    let (params, results) = (ty.params().to_vec(), ty.results().to_vec());

    // Snapshot the sequences, outermost first.
    struct Seq {
        old: InstrSeqId,
        ty: InstrSeqType,
        end: InstrLocId,
        instrs: Vec<(Instr, InstrLocId)>,
    }
    let mut seqs = Vec::new();
    for id in mmadapt_ir::walk::all_seqs(func) {
        let s = func.block(id);
        seqs.push(Seq {
            old: id,
            ty: s.ty,
            end: s.end,
            instrs: s.instrs.clone(),
        });
    }
    let old_args = func.args.clone();

    let mut builder = FunctionBuilder::new(&mut module.types, &params, &results);
    builder.name(format!("{name}${kind}"));
    let mut seq_map: HashMap<InstrSeqId, InstrSeqId> = HashMap::new();
    seq_map.insert(seqs[0].old, builder.func_body_id());
    for s in &seqs[1..] {
        let id = builder.dangling_instr_seq(s.ty).id();
        seq_map.insert(s.old, id);
    }
    let mut local_map: HashMap<LocalId, LocalId> = HashMap::new();
    let args: Vec<LocalId> = old_args
        .iter()
        .map(|a| {
            let new = module.locals.add(module.locals.get(*a).ty());
            local_map.insert(*a, new);
            new
        })
        .collect();
    let mut ends = Vec::new();
    for s in seqs {
        ends.push((seq_map[&s.old], s.end));
        let mut instrs = s.instrs;
        for (instr, _) in instrs.iter_mut() {
            remap(instr, &seq_map, &mut |l| {
                *local_map
                    .entry(l)
                    .or_insert_with(|| module.locals.add(module.locals.get(l).ty()))
            });
        }
        let mut seq = builder.instr_seq(seq_map[&s.old]);
        *seq.instrs_mut() = instrs;
    }
    let id = builder.finish(args, &mut module.funcs);
    // Sequence end offsets, so errors at a clone's block ends point somewhere.
    let func = module.funcs.get_mut(id).kind.unwrap_local_mut();
    for (seq, end) in ends {
        func.block_mut(seq).end = end;
    }
    id
}

/// Points the sequence and local references of `instr` at their copies.
fn remap(
    instr: &mut Instr,
    seqs: &HashMap<InstrSeqId, InstrSeqId>,
    local: &mut dyn FnMut(LocalId) -> LocalId,
) {
    let s = |id: &mut InstrSeqId| *id = seqs[id];
    match instr {
        Instr::Block(b) => s(&mut b.seq),
        Instr::Loop(l) => s(&mut l.seq),
        Instr::IfElse(i) => {
            s(&mut i.consequent);
            s(&mut i.alternative);
        }
        Instr::TryTable(t) => {
            s(&mut t.seq);
            for c in t.catches.iter_mut() {
                match c {
                    TryTableCatch::Catch { label, .. }
                    | TryTableCatch::CatchRef { label, .. }
                    | TryTableCatch::CatchAll { label }
                    | TryTableCatch::CatchAllRef { label } => s(label),
                }
            }
        }
        Instr::Try(t) => {
            s(&mut t.seq);
            for c in t.catches.iter_mut() {
                match c {
                    LegacyCatch::Catch { handler, .. } | LegacyCatch::CatchAll { handler } => {
                        s(handler)
                    }
                    LegacyCatch::Delegate { .. } => {}
                }
            }
        }
        Instr::Br(b) => s(&mut b.block),
        Instr::BrIf(b) => s(&mut b.block),
        Instr::BrOnNull(b) => s(&mut b.block),
        Instr::BrOnNonNull(b) => s(&mut b.block),
        Instr::BrOnCast(b) => s(&mut b.block),
        Instr::BrOnCastFail(b) => s(&mut b.block),
        Instr::BrTable(t) => {
            for b in t.blocks.iter_mut() {
                s(b);
            }
            s(&mut t.default);
        }
        Instr::LocalGet(l) => l.local = local(l.local),
        Instr::LocalSet(l) => l.local = local(l.local),
        Instr::LocalTee(l) => l.local = local(l.local),
        _ => {}
    }
}
