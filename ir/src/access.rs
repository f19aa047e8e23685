//! Classification of the instructions that touch linear memory.
//!
//! Routing (see [`crate::route`]) depends only on *how* an instruction uses
//! memory: does it read, write, both, or ask about the memory itself. This
//! module answers that question for every walrus instruction, so that the
//! region semantics live in one table instead of being spread over matches.

use walrus::ir::{Instr, LoadSimdKind};
use walrus::MemoryId;

/// How one instruction uses linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemUse {
    /// Reads memory: every load, atomic load, SIMD load (splat, zero, extend,
    /// load-lane).
    Read(MemoryId),
    /// Writes memory: every store, atomic store, SIMD store and store-lane.
    Write(MemoryId),
    /// Reads and writes one address: atomic rmw and cmpxchg.
    ReadWrite(MemoryId),
    /// `memory.copy`: reads `src`, writes `dst`.
    Copy { src: MemoryId, dst: MemoryId },
    /// `memory.fill`: writes.
    Fill(MemoryId),
    /// `memory.init`: copies a data segment into memory (writes).
    Init(MemoryId),
    /// `memory.size`.
    Size(MemoryId),
    /// `memory.grow`.
    Grow(MemoryId),
    /// `memory.atomic.notify` / `memory.atomic.wait32/64`.
    Sync(MemoryId),
}

impl MemUse {
    /// The memory operands: `memory.copy`'s source, if this is a copy, and
    /// the destination (or the only memory of every other instruction).
    pub fn memories(self) -> (Option<MemoryId>, MemoryId) {
        match self {
            MemUse::Copy { src, dst } => (Some(src), dst),
            MemUse::Read(m)
            | MemUse::Write(m)
            | MemUse::ReadWrite(m)
            | MemUse::Fill(m)
            | MemUse::Init(m)
            | MemUse::Size(m)
            | MemUse::Grow(m)
            | MemUse::Sync(m) => (None, m),
        }
    }

    /// The memory operands in order: [`MemUse::memories`] as a list.
    pub fn operand_memories(self) -> Vec<MemoryId> {
        let (src, dst) = self.memories();
        src.into_iter().chain([dst]).collect()
    }
}

/// The memory use of `instr`, or `None` when it does not touch memory.
pub fn memory_use(instr: &Instr) -> Option<MemUse> {
    Some(match instr {
        Instr::Load(i) => MemUse::Read(i.memory),
        Instr::Store(i) => MemUse::Write(i.memory),
        Instr::LoadSimd(i) => {
            if is_simd_store(&i.kind) {
                MemUse::Write(i.memory)
            } else {
                MemUse::Read(i.memory)
            }
        }
        Instr::AtomicRmw(i) => MemUse::ReadWrite(i.memory),
        Instr::Cmpxchg(i) => MemUse::ReadWrite(i.memory),
        Instr::AtomicNotify(i) => MemUse::Sync(i.memory),
        Instr::AtomicWait(i) => MemUse::Sync(i.memory),
        Instr::MemoryCopy(i) => MemUse::Copy {
            src: i.src,
            dst: i.dst,
        },
        Instr::MemoryFill(i) => MemUse::Fill(i.memory),
        Instr::MemoryInit(i) => MemUse::Init(i.memory),
        Instr::MemorySize(i) => MemUse::Size(i.memory),
        Instr::MemoryGrow(i) => MemUse::Grow(i.memory),
        _ => return None,
    })
}

/// walrus files `v128.storeN_lane` under `LoadSimd`; they write memory.
fn is_simd_store(kind: &LoadSimdKind) -> bool {
    matches!(
        kind,
        LoadSimdKind::V128Store8Lane(_)
            | LoadSimdKind::V128Store16Lane(_)
            | LoadSimdKind::V128Store32Lane(_)
            | LoadSimdKind::V128Store64Lane(_)
    )
}

/// Points every memory operand of `instr` at the memories `pick` chooses.
/// `pick` gets `true` for the read (source) side of a copy, `false` for the
/// write (destination) side; single-memory instructions ask once with `false`.
pub fn set_memories(instr: &mut Instr, mut pick: impl FnMut(bool) -> MemoryId) {
    match instr {
        Instr::Load(i) => i.memory = pick(false),
        Instr::Store(i) => i.memory = pick(false),
        Instr::LoadSimd(i) => i.memory = pick(false),
        Instr::AtomicRmw(i) => i.memory = pick(false),
        Instr::Cmpxchg(i) => i.memory = pick(false),
        Instr::AtomicNotify(i) => i.memory = pick(false),
        Instr::AtomicWait(i) => i.memory = pick(false),
        Instr::MemoryCopy(i) => {
            i.src = pick(true);
            i.dst = pick(false);
        }
        Instr::MemoryFill(i) => i.memory = pick(false),
        Instr::MemoryInit(i) => i.memory = pick(false),
        Instr::MemorySize(i) => i.memory = pick(false),
        Instr::MemoryGrow(i) => i.memory = pick(false),
        _ => {}
    }
}
