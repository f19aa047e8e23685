//! Which memory each access must use, by region kind. This table *is* the
//! marker ABI's semantics (docs/marker-abi.md); the split pass applies it and
//! the verifier checks the result against it.

use crate::access::MemUse;
use crate::RegionKind;

/// One of the two memories of a split module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mem {
    /// Memory 0: the main module's memory, imported as `env`.`memory`.
    User,
    /// Memory 1: the adapter's own memory.
    Private,
}

impl Mem {
    /// Index of this memory in a split module.
    pub fn index(self) -> u32 {
        match self {
            Mem::User => 0,
            Mem::Private => 1,
        }
    }
}

/// Where the memory operands of one instruction must point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// An instruction with one memory operand.
    Single(Mem),
    /// `memory.copy`: source and destination.
    Copy { src: Mem, dst: Mem },
}

/// An instruction whose meaning in a region kind is not defined by the ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteError {
    pub kind: RegionKind,
    /// What the instruction does, for the message ("memory.size", ...).
    pub what: &'static str,
}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is ambiguous inside a {} region (it would have to use both memories)",
            self.what, self.kind
        )
    }
}

/// Routes one memory instruction. `kind` is the kind of the region the
/// instruction runs in, `None` outside every region.
pub fn route(kind: Option<RegionKind>, usage: MemUse) -> Result<Route, RouteError> {
    use Mem::{Private, User};
    let Some(kind) = kind else {
        return Ok(match usage {
            MemUse::Copy { .. } => Route::Copy {
                src: Private,
                dst: Private,
            },
            _ => Route::Single(Private),
        });
    };
    // Where a copy region reads from and writes to.
    let (read, write) = match kind {
        RegionKind::User => (User, User),
        RegionKind::CopyOut => (Private, User),
        RegionKind::CopyIn => (User, Private),
    };
    let ambiguous = |what| Err(RouteError { kind, what });
    Ok(match usage {
        MemUse::Read(_) => Route::Single(read),
        MemUse::Write(_) | MemUse::Fill(_) | MemUse::Init(_) => Route::Single(write),
        MemUse::Copy { .. } => Route::Copy {
            src: read,
            dst: write,
        },
        // The rest name one memory for both reading and writing, or the memory
        // as a whole: only a user region gives them a single meaning.
        MemUse::ReadWrite(_) if kind == RegionKind::User => Route::Single(User),
        MemUse::Sync(_) if kind == RegionKind::User => Route::Single(User),
        MemUse::Size(_) if kind == RegionKind::User => Route::Single(User),
        MemUse::Grow(_) if kind == RegionKind::User => Route::Single(User),
        MemUse::ReadWrite(_) => return ambiguous("an atomic read-modify-write"),
        MemUse::Sync(_) => return ambiguous("memory.atomic.notify/wait"),
        MemUse::Size(_) => return ambiguous("memory.size"),
        MemUse::Grow(_) => return ambiguous("memory.grow"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> walrus::MemoryId {
        let mut m = walrus::Module::default();
        m.memories.add_local(false, false, 1, None, None)
    }

    #[test]
    fn outside_regions_everything_is_private() {
        let m = mem();
        for usage in [
            MemUse::Read(m),
            MemUse::Write(m),
            MemUse::Size(m),
            MemUse::Grow(m),
            MemUse::ReadWrite(m),
        ] {
            assert_eq!(route(None, usage), Ok(Route::Single(Mem::Private)));
        }
    }

    #[test]
    fn copy_regions_split_reads_and_writes() {
        let m = mem();
        let copy = MemUse::Copy { src: m, dst: m };
        assert_eq!(
            route(Some(RegionKind::CopyOut), copy),
            Ok(Route::Copy {
                src: Mem::Private,
                dst: Mem::User
            })
        );
        assert_eq!(
            route(Some(RegionKind::CopyIn), copy),
            Ok(Route::Copy {
                src: Mem::User,
                dst: Mem::Private
            })
        );
        assert_eq!(
            route(Some(RegionKind::CopyIn), MemUse::Fill(m)),
            Ok(Route::Single(Mem::Private))
        );
        assert_eq!(
            route(Some(RegionKind::CopyOut), MemUse::Init(m)),
            Ok(Route::Single(Mem::User))
        );
        assert!(route(Some(RegionKind::CopyOut), MemUse::Size(m)).is_err());
        assert!(route(Some(RegionKind::CopyIn), MemUse::ReadWrite(m)).is_err());
    }
}
