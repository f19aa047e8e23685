//! Errors about regions. Each names the function (from the name section when
//! present, its index always) and the code offset of the offending
//! instruction, as an offset into the module's bytes, the way `wasm-tools`
//! and wasmtime backtraces report offsets.

use crate::route::RouteError;
use crate::RegionKind;
use std::fmt;

/// Where in the module something is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The function's name from the name section, if it has one.
    pub func_name: Option<String>,
    /// The function's index in the module's function index space.
    pub func_index: u32,
    /// Set when the code is a clone of the function made for calls from
    /// inside regions of this kind.
    pub cloned_for: Option<crate::RegionKind>,
    /// Offset of the instruction in the module's bytes, when known (walrus
    /// records it for every instruction it parsed; synthesized ones have none).
    pub offset: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.func_name {
            Some(name) => write!(f, "function `{}` (#{})", name, self.func_index)?,
            None => write!(f, "function #{}", self.func_index)?,
        }
        if let Some(kind) = self.cloned_for {
            write!(f, " as called from a {kind} region")?;
        }
        if let Some(offset) = self.offset {
            write!(f, " at offset {offset:#x}")?;
        }
        Ok(())
    }
}

/// A region error and where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionError {
    pub at: Location,
    pub kind: RegionErrorKind,
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.kind)
    }
}

impl std::error::Error for RegionError {}

/// Offsets of region begin markers, for messages.
fn opened(begin: Option<u32>) -> String {
    match begin {
        Some(o) => format!(" (opened at offset {o:#x})"),
        None => String::new(),
    }
}

/// Everything that makes a region ambiguous. The pass never guesses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionErrorKind {
    /// A begin marker while a region is already open.
    Nested {
        outer: RegionKind,
        outer_begin: Option<u32>,
    },
    /// An end marker with no open region.
    EndWithoutBegin { kind: RegionKind },
    /// An end marker of another kind than the open region.
    EndKindMismatch {
        open: RegionKind,
        end: RegionKind,
        begin: Option<u32>,
    },
    /// The function body ends with a region still open.
    UnclosedAtEnd {
        kind: RegionKind,
        begin: Option<u32>,
    },
    /// `return` (or a tail call, or a branch to the function's outermost
    /// label) while a region is open.
    ReturnInRegion {
        kind: RegionKind,
        begin: Option<u32>,
    },
    /// A branch whose target lies outside the open region.
    BranchOutOfRegion {
        kind: RegionKind,
        begin: Option<u32>,
    },
    /// Two paths meet with different region states.
    OpenOnOnePath { detail: String },
    /// A call to an imported function inside a region.
    ImportCallInRegion { kind: RegionKind, import: String },
    /// An indirect call inside a region: its callee cannot be cloned.
    IndirectCallInRegion { kind: RegionKind },
    /// A region marker inside a function that runs in region context because
    /// it is called from inside a region.
    MarkerInCalledFunction { kind: RegionKind },
    /// An instruction with no single meaning in this region kind.
    Ambiguous(RouteError),
}

impl fmt::Display for RegionErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RegionErrorKind::*;
        match self {
            Nested { outer, outer_begin } => write!(
                f,
                "region begins inside an open {outer} region{}; regions do not nest",
                opened(*outer_begin)
            ),
            EndWithoutBegin { kind } => write!(f, "{kind} region ends but no region is open"),
            EndKindMismatch { open, end, begin } => write!(
                f,
                "{end} region end closes an open {open} region{}",
                opened(*begin)
            ),
            UnclosedAtEnd { kind, begin } => write!(
                f,
                "function ends with its {kind} region still open{}",
                opened(*begin)
            ),
            ReturnInRegion { kind, begin } => write!(
                f,
                "early return inside an open {kind} region{}",
                opened(*begin)
            ),
            BranchOutOfRegion { kind, begin } => write!(
                f,
                "branch out of an open {kind} region{}",
                opened(*begin)
            ),
            OpenOnOnePath { detail } => write!(
                f,
                "region open on one path and closed on another: {detail}"
            ),
            ImportCallInRegion { kind, import } => write!(
                f,
                "call to import `{import}` inside a {kind} region; imports cannot be cloned for region context"
            ),
            IndirectCallInRegion { kind } => write!(
                f,
                "indirect call inside a {kind} region; its callee cannot be cloned for region context"
            ),
            MarkerInCalledFunction { kind } => write!(
                f,
                "region marker in a function that is called from inside a {kind} region; regions do not nest"
            ),
            Ambiguous(e) => e.fmt(f),
        }
    }
}
