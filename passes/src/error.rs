//! Errors of the passes. Region errors come from the region map; shape and
//! verification errors from the passes themselves. Every message is one line.

use mmadapt_ir::{markers::MarkerImportError, LiftError, Location, RegionError};

#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error("{0}")]
    Lift(#[from] LiftError),
    #[error("{0}")]
    MarkerImport(#[from] MarkerImportError),
    #[error("{0}")]
    Region(#[from] RegionError),
    #[error("module has no memory of its own; the adapter must define the memory that becomes its private memory")]
    NoMemory,
    #[error(
        "module defines {0} memories; the adapter must define exactly one (its private memory)"
    )]
    SeveralMemories(usize),
    #[error(
        "module already imports memory `{0}`; the split pass adds the user memory import itself"
    )]
    ImportsMemory(String),
    #[error("module already has an import or export named `{0}`, which the split pass reserves")]
    Reserved(String),
    #[error("{at}: {what} cannot be lowered for a host without multi-memory")]
    NotLowerable { at: Location, what: &'static str },
    #[error("{0}")]
    Verify(#[from] VerifyError),
}

/// A verifier failure: the invariant a pass promised does not hold. This is
/// always a bug in mmadapt (or an input the passes should have rejected).
#[derive(Debug, thiserror::Error)]
#[error("verifier: {}{message}", at.as_ref().map(|a| format!("{a}: ")).unwrap_or_default())]
pub struct VerifyError {
    pub at: Option<Location>,
    pub message: String,
}
