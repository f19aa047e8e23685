//! Which functions may not simply be called from inside a region.
//!
//! A call from inside a region runs the callee in the region's context. A
//! callee that touches no memory, calls no import and makes no indirect call,
//! directly or through its own callees, behaves the same in every context and
//! is called as it is; every other callee is cloned for the context (and the
//! clone is then checked like region code).

use std::collections::{HashMap, HashSet};
use walrus::ir::Instr;
use walrus::{FunctionId, FunctionKind, Module};

/// The set of local functions whose behaviour depends on region context.
pub fn find(module: &Module) -> HashSet<FunctionId> {
    let mut callers: HashMap<FunctionId, Vec<FunctionId>> = HashMap::new();
    let mut dependent = HashSet::new();
    for (fid, func) in module.funcs.iter_local() {
        let mut direct = false;
        mmadapt_ir::walk::for_each_instr(func, |v| {
            if mmadapt_ir::memory_use(v.instr).is_some() {
                direct = true;
            }
            match v.instr {
                Instr::Call(c) => call_edge(module, fid, c.func, &mut callers, &mut direct),
                Instr::ReturnCall(c) => call_edge(module, fid, c.func, &mut callers, &mut direct),
                Instr::CallIndirect(_)
                | Instr::ReturnCallIndirect(_)
                | Instr::CallRef(_)
                | Instr::ReturnCallRef(_) => direct = true,
                _ => {}
            }
        });
        if direct {
            dependent.insert(fid);
        }
    }
    // Propagate to callers until nothing changes.
    let mut work: Vec<FunctionId> = dependent.iter().copied().collect();
    while let Some(f) = work.pop() {
        for caller in callers.get(&f).into_iter().flatten() {
            if dependent.insert(*caller) {
                work.push(*caller);
            }
        }
    }
    dependent
}

fn call_edge(
    module: &Module,
    caller: FunctionId,
    callee: FunctionId,
    callers: &mut HashMap<FunctionId, Vec<FunctionId>>,
    direct: &mut bool,
) {
    match module.funcs.get(callee).kind {
        FunctionKind::Import(_) => *direct = true,
        _ => callers.entry(callee).or_default().push(caller),
    }
}
