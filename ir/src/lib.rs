//! The mmadapt intermediate representation.
//!
//! An adapter module is lifted into walrus's arena IR ([`lift`]); calls to the
//! `mmadapt:region` marker imports are found ([`markers`]); a region map is
//! computed over the structured control flow ([`region_map`]), which says for
//! every instruction whether it runs inside a region and of which kind; and
//! [`route`] says, for each memory instruction and region kind, which memory
//! (user memory 0 or private memory 1) it must use. [`printer`] renders all of
//! that deterministically for snapshots and for `mmadapt print`, and
//! [`stats`] counts the memory instructions inside and outside regions.

pub mod abi;
pub mod access;
pub mod error;
pub mod indices;
pub mod lift;
pub mod markers;
pub mod printer;
pub mod region_map;
pub mod route;
pub mod stats;
pub mod walk;

pub use access::{memory_use, MemUse};
pub use error::{Location, RegionError, RegionErrorKind};
pub use lift::{lift, LiftError};
pub use markers::{MarkerOp, Markers, REGION_MODULE};
pub use region_map::{Context, Region, RegionCall, RegionId, RegionMap};
pub use route::{route, Mem, Route, RouteError};
pub use walk::InstrPos;

/// The kind of a region, as chosen by the marker that opens it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionKind {
    /// Every memory access goes to the user's memory (memory 0).
    User,
    /// Adapter → user copy: reads from private memory, writes to user memory.
    CopyOut,
    /// User → adapter copy: reads from user memory, writes to private memory.
    CopyIn,
}

impl RegionKind {
    pub const ALL: [RegionKind; 3] = [RegionKind::User, RegionKind::CopyOut, RegionKind::CopyIn];

    /// The name used in marker imports (`<name>_begin` / `<name>_end`) and in
    /// printed output.
    pub fn name(self) -> &'static str {
        match self {
            RegionKind::User => "user",
            RegionKind::CopyOut => "copy_out",
            RegionKind::CopyIn => "copy_in",
        }
    }
}

impl std::fmt::Display for RegionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
