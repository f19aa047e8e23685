//! Zero bytes out of the real adapter's data segments.
//!
//! The private memory is defined by the adapter, so it starts zeroed and its
//! active data segments are the first thing written to it: a zero byte in
//! such a segment writes nothing new. Each segment is cut at runs of zeros
//! long enough to pay for another segment's header, and all-zero pieces go.
//! (The Rust build puts static state that is mostly zeros, such as the
//! allocator's and the descriptor table's, in `.data`.)

use walrus::{ConstExpr, DataKind, Module};

/// A zero run at least this long ends a piece: a segment header (flags,
/// `i32.const` offset, `end`, length) takes up to 9 bytes.
const MIN_ZERO_RUN: usize = 10;

/// Rewrites the active, constant-offset segments of memories the module
/// defines (not imports).
pub fn pack(module: &mut Module) {
    let mut edits = Vec::new();
    for data in module.data.iter() {
        let DataKind::Active { memory, offset } = &data.kind else {
            continue;
        };
        let ConstExpr::Value(walrus::ir::Value::I32(base)) = offset else {
            continue;
        };
        if module.memories.get(*memory).import.is_some() {
            continue;
        }
        edits.push((data.id(), *memory, *base as u32, pieces(&data.value)));
    }
    for (id, memory, base, pieces) in edits {
        let old = std::mem::take(&mut module.data.get_mut(id).value);
        module.data.delete(id);
        for range in pieces {
            module.data.add(
                DataKind::Active {
                    memory,
                    offset: ConstExpr::Value(walrus::ir::Value::I32(
                        base.wrapping_add(range.start as u32) as i32,
                    )),
                },
                old[range].to_vec(),
            );
        }
    }
}

/// The byte ranges of `bytes` to keep: everything but zero runs of at
/// least [`MIN_ZERO_RUN`] and zeros at either end.
fn pieces(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut zeros = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == 0 {
            zeros += 1;
            if zeros == MIN_ZERO_RUN {
                if let Some(s) = start.take() {
                    out.push(s..i + 1 - MIN_ZERO_RUN);
                }
            }
        } else {
            if start.is_none() {
                start = Some(i);
            }
            zeros = 0;
        }
    }
    if let Some(s) = start {
        out.push(s..bytes.len() - zeros);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn zero_runs_and_ends_go() {
        let mut b = vec![0u8; 12];
        b.extend([1, 2, 0, 0, 3]);
        b.extend([0; 10]);
        b.extend([4]);
        b.extend([0; 3]);
        assert_eq!(pieces(&b), vec![12..17, 27..28]);
        assert_eq!(pieces(&[0; 40]), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(pieces(&[5, 0, 6]), vec![0..3]);
    }
}
