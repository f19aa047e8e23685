//! Region brackets: run a closure between a begin and an end marker.
//!
//! The body is a closure, not inline statements, so that `return`, `break`,
//! `continue` and `?` inside it cannot leave the region open: they either stay
//! inside the closure or do not compile. After inlining (the functions are
//! `#[inline(always)]` and the closure has a single call site) nothing of the
//! closure remains but its instructions between the two marker calls.
//!
//! A panic inside a region ends in `unreachable` with the region still open;
//! the split pass accepts that because a trapping path never returns.

use crate::abi;

/// Runs `body` inside a *user* region.
///
/// # Safety
/// After the split pass *every* memory instruction in `body` targets the
/// user's memory (memory 0), including any that Rust emits for the adapter's
/// own stack or statics. `body` must therefore touch nothing but user memory:
/// no references to locals or statics, no calls that do (calls are cloned for
/// the region, so their accesses follow it too), no calls to imports.
#[inline(always)]
pub unsafe fn in_user_region<R>(body: impl FnOnce() -> R) -> R {
    abi::user_begin();
    let value = body();
    abi::user_end();
    value
}

/// Runs `body` inside a *copy-out* region (adapter -> user).
///
/// # Safety
/// In `body`, every read must be of adapter memory and every write of user
/// memory; read-modify-write of one address, `memory.size` and `memory.grow`
/// are rejected by the split pass.
#[inline(always)]
pub unsafe fn in_copy_out_region<R>(body: impl FnOnce() -> R) -> R {
    abi::copy_out_begin();
    let value = body();
    abi::copy_out_end();
    value
}

/// Runs `body` inside a *copy-in* region (user -> adapter).
///
/// # Safety
/// In `body`, every read must be of user memory and every write of adapter
/// memory; read-modify-write of one address, `memory.size` and `memory.grow`
/// are rejected by the split pass.
#[inline(always)]
pub unsafe fn in_copy_in_region<R>(body: impl FnOnce() -> R) -> R {
    abi::copy_in_begin();
    let value = body();
    abi::copy_in_end();
    value
}

/// `user_mem!({ ... })`: evaluates the block inside a *user* region and yields
/// its value. Must be used inside `unsafe`; see
/// [`in_user_region`](crate::region::in_user_region) for the contract.
#[macro_export]
macro_rules! user_mem {
    ($body:block) => {
        $crate::region::in_user_region(|| $body)
    };
}

/// `copy_out!({ ... })`: evaluates the block inside a *copy-out* region
/// (reads adapter memory, writes user memory). Must be used inside `unsafe`;
/// see [`in_copy_out_region`](crate::region::in_copy_out_region).
#[macro_export]
macro_rules! copy_out {
    ($body:block) => {
        $crate::region::in_copy_out_region(|| $body)
    };
}

/// `copy_in!({ ... })`: evaluates the block inside a *copy-in* region
/// (reads user memory, writes adapter memory). Must be used inside `unsafe`;
/// see [`in_copy_in_region`](crate::region::in_copy_in_region).
#[macro_export]
macro_rules! copy_in {
    ($body:block) => {
        $crate::region::in_copy_in_region(|| $body)
    };
}
