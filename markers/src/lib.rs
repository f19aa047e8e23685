//! Region markers and a typed user-pointer API for mmadapt adapters.
//!
//! An mmadapt adapter is compiled as an ordinary single-memory module; the
//! split pass later gives it a private memory (memory 1) and imports the main
//! module's memory as memory 0. Code that touches the *user's* memory is
//! bracketed by calls to the `mmadapt:region` imports ([`abi`]); the pass
//! retargets the memory instructions between them and removes the calls.
//! Everything outside a region stays in private memory.
//!
//! Adapter code should use, in order of preference:
//! - [`UserPtr<T>`]`::read`/`write` — one access, one user region;
//! - [`copy_to_user`], [`copy_from_user`], [`fill_user`], [`move_within_user`]
//!   and [`UserBuf`] — one bulk operation, one region;
//! - [`user_mem!`], [`copy_out!`], [`copy_in!`] — arbitrary bodies (unsafe);
//! - [`abi`] — the raw imports.
//!
//! The adapter must be built optimised (opt-level >= 1): unoptimised code keeps
//! locals on the shadow stack, i.e. inside regions, which the split pass's
//! verifier rejects. The ABI is specified in `docs/marker-abi.md`.

#![cfg_attr(not(test), no_std)]

pub mod abi;
mod bulk;
mod pod;
pub mod region;
mod user_ptr;

pub use bulk::{copy_from_user, copy_to_user, fill_user, move_within_user, UserBuf};
pub use pod::UserPod;
pub use user_ptr::{UserPtr, MAX_READ_SIZE};
