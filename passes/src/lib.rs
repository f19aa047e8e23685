//! The passes of mmadapt. Each pass is a plain function over `&mut Module`
//! whose doc comment states the invariant it establishes, and the pipeline in
//! [`split`] follows every pass with the [`verify`] checks that can fail.

pub mod clone_callees;
pub mod context_dependent;
pub mod emit;
pub mod error;
pub mod lower_for_js;
pub mod shape;
pub mod split_memory;
pub mod strip_markers;
pub mod verify;

pub use error::{PassError, VerifyError};
pub use split_memory::SplitMemories;

use mmadapt_ir::{Context, Markers, RegionMap};
use std::collections::BTreeMap;
use walrus::{FunctionId, Module};

pub use mmadapt_ir::abi::{
    PRIVATE_MEMORY, PRIVATE_MEMORY_EXPORT, PRIVATE_MODULE, USER_MEMORY_IMPORT,
};

/// A split module and what the pipeline learned about it.
pub struct Split {
    pub module: Module,
    /// The module's bytes, as validated by the last verifier run.
    pub bytes: Vec<u8>,
    /// The region map, carried to the stripped module's positions.
    pub map: RegionMap,
    /// The clones made for region context, with their kinds.
    pub clones: BTreeMap<FunctionId, Context>,
    pub memories: SplitMemories,
}

/// Lifts `bytes` and splits the result; see [`split`].
pub fn split_bytes(bytes: &[u8]) -> Result<Split, PassError> {
    split(mmadapt_ir::lift(bytes)?)
}

/// The split pipeline: shape check, region map, callee cloning, split-memory,
/// marker stripping, each followed by the verifier.
pub fn split(mut module: Module) -> Result<Split, PassError> {
    let private = shape::adapter_memory(&module)?;
    let markers = Markers::find(&module)?;

    let before = RegionMap::compute(&module, &markers, &BTreeMap::new())?;
    let clones = clone_callees::clone_callees(&mut module, &before);
    // Recomputing the map checks the clones as region code (no markers, no
    // imports, no ambiguous instructions) and records their contexts.
    let mut map = RegionMap::compute(&module, &markers, &clones)?;
    verify::validate(&mut module)?;

    let memories = split_memory::split_memory(&mut module, private, &map)?;
    verify::validate(&mut module)?;
    verify::check_routes(&module, &map, memories)?;
    verify::check_stack_pointer(&module, &map)?;

    strip_markers::strip_markers(&mut module, &markers, &mut map);
    let bytes = verify::validate(&mut module)?;
    verify::check_no_markers(&module)?;
    verify::check_routes(&module, &map, memories)?;
    verify::check_stack_pointer(&module, &map)?;

    Ok(Split {
        module,
        bytes,
        map,
        clones,
        memories,
    })
}
