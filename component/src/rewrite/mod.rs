//! Rewriting the component that wit-component built around the stand-in.
//!
//! Three edits, nothing renumbered:
//! 1. the stand-in core module (after wit-component's GC) is replaced by the
//!    real split adapter trimmed to the same exports;
//! 2. a core alias of the adapter instance's `mmadapt:private-memory` export
//!    is inserted just before the first canonical section that needs it,
//!    after every other core memory alias, so it takes the next free core
//!    memory index and no existing index moves;
//! 3. every `canon lower` that feeds the adapter gets that memory as its
//!    `memory` option instead of the main module's.
//!
//! [`plan`] finds what to edit, as indices of the component's index spaces
//! (`index_space.rs`); [`apply`] makes the edits, finding the
//! sections by those same indices.

mod apply;
mod plan;

pub use apply::apply;
pub use plan::{plan, Plan, Target};
