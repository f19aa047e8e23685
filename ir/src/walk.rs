//! Positions of instructions and a pre-order walk over a function's nested
//! instruction sequences.

use walrus::ir::{Instr, InstrLocId, InstrSeqId, LegacyCatch};
use walrus::LocalFunction;

/// Where an instruction sits: its sequence and index in it. Stable while a
/// pass only rewrites instructions in place (the split pass); stripping
/// markers, which removes instructions, comes last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstrPos {
    pub seq: InstrSeqId,
    pub index: usize,
}

/// The sequences nested directly in `instr`, in order of appearance.
pub fn child_seqs(instr: &Instr) -> Vec<InstrSeqId> {
    match instr {
        Instr::Block(b) => vec![b.seq],
        Instr::Loop(l) => vec![l.seq],
        Instr::IfElse(i) => vec![i.consequent, i.alternative],
        Instr::TryTable(t) => vec![t.seq],
        Instr::Try(t) => {
            let mut out = vec![t.seq];
            for c in &t.catches {
                match c {
                    LegacyCatch::Catch { handler, .. } | LegacyCatch::CatchAll { handler } => {
                        out.push(*handler)
                    }
                    LegacyCatch::Delegate { .. } => {}
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Every instruction sequence of `func`, the body first, then in pre-order.
pub fn all_seqs(func: &LocalFunction) -> Vec<InstrSeqId> {
    let mut seqs = vec![func.entry_block()];
    for_each_instr(func, |v| seqs.extend(child_seqs(v.instr)));
    seqs
}

/// One visited instruction.
pub struct Visit<'a> {
    pub pos: InstrPos,
    pub instr: &'a Instr,
    pub loc: InstrLocId,
    /// Nesting depth, 0 for the function body.
    pub depth: usize,
}

/// Calls `f` on every instruction of `func`, in pre-order (an instruction
/// before the instructions nested in it), which is also binary order.
pub fn for_each_instr<'a>(func: &'a LocalFunction, mut f: impl FnMut(Visit<'a>)) {
    fn go<'a>(
        func: &'a LocalFunction,
        seq: InstrSeqId,
        depth: usize,
        f: &mut dyn FnMut(Visit<'a>),
    ) {
        for (index, (instr, loc)) in func.block(seq).instrs.iter().enumerate() {
            f(Visit {
                pos: InstrPos { seq, index },
                instr,
                loc: *loc,
                depth,
            });
            for child in child_seqs(instr) {
                go(func, child, depth + 1, f);
            }
        }
    }
    go(func, func.entry_block(), 0, &mut f);
}

/// The code offset walrus recorded for an instruction, if it came from the
/// input (instructions walrus or a pass synthesized have none).
pub fn offset_of(loc: InstrLocId) -> Option<u32> {
    if loc.is_default() {
        None
    } else {
        Some(loc.data())
    }
}

/// The functions an element segment refers to.
pub fn element_functions(elem: &walrus::Element) -> Vec<walrus::FunctionId> {
    match &elem.items {
        walrus::ElementItems::Functions(fs) => fs.clone(),
        walrus::ElementItems::Expressions(_, exprs) => exprs
            .iter()
            .filter_map(|e| match e {
                walrus::ConstExpr::RefFunc(f) => Some(*f),
                _ => None,
            })
            .collect(),
    }
}
