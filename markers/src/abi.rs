//! The marker imports: the whole ABI between adapter code and the split pass.
//!
//! Each import has type `() -> ()` and lives in wasm import module
//! `mmadapt:region`. The split pass finds the calls, decides which memory every
//! memory instruction between a `*_begin` and its `*_end` targets, and deletes
//! the calls. They are imports (not local functions or intrinsics) because LLVM
//! must treat a call to an import as able to read and write any escaped memory,
//! which pins user-memory accesses between the markers. See
//! `docs/marker-abi.md` for the full rules.
//!
//! Prefer the typed API ([`crate::UserPtr`], [`crate::copy_to_user`], ...) or
//! the region macros over calling these directly.

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "mmadapt:region")]
extern "C" {
    /// Opens a *user* region: every memory instruction inside targets memory 0.
    pub fn user_begin();
    /// Closes a *user* region.
    pub fn user_end();
    /// Opens a *copy-out* region (adapter -> user): reads use memory 1, writes memory 0.
    pub fn copy_out_begin();
    /// Closes a *copy-out* region.
    pub fn copy_out_end();
    /// Opens a *copy-in* region (user -> adapter): reads use memory 0, writes memory 1.
    pub fn copy_in_begin();
    /// Closes a *copy-in* region.
    pub fn copy_in_end();
}

/// On the host there is only one memory and nothing to split, so the markers
/// do nothing; they exist so the crate type-checks and its pure logic can be
/// unit-tested with `cargo test` on the host.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::missing_safety_doc)] // No-ops; `unsafe` only to mirror the imports.
mod host {
    // `unsafe` to keep call sites identical to the wasm32 extern functions.
    pub unsafe fn user_begin() {}
    pub unsafe fn user_end() {}
    pub unsafe fn copy_out_begin() {}
    pub unsafe fn copy_out_end() {}
    pub unsafe fn copy_in_begin() {}
    pub unsafe fn copy_in_end() {}
}

#[cfg(not(target_arch = "wasm32"))]
pub use host::*;
