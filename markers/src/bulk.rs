//! Bulk transfers between adapter memory and user memory.
//!
//! Each helper is exactly one region around one `memcpy`/`memmove`/`memset`,
//! which LLVM lowers to `memory.copy`/`memory.fill` (bulk memory is on by
//! default for wasm32 in Rust 1.95) or, for small constant lengths, to a few
//! loads and stores; both follow the region's kind after the split.
//!
//! LLVM guards a variable-length `memory.copy`/`memory.fill` with a
//! zero-length check, so the region holds a `block ... br_if ... end`: control
//! flow that stays inside the region.
//!
//! The copies are not volatile (stable Rust has no volatile memcpy). They stay
//! between the markers because the user side is an `inttoptr` address, which
//! LLVM must assume the opaque marker calls may read or write. Not being
//! volatile, a copy whose user address LLVM can see is the constant 0 is
//! treated as undefined behaviour (it becomes `unreachable`); user addresses
//! come from the main module at run time, so this takes a constant
//! `UserPtr::new(0)` in adapter code.

use crate::abi;
use crate::pod::UserPod;
use crate::user_ptr::{user_address, UserPtr};

/// Copies `src` (adapter memory) to `dst` in user memory: one copy-out region.
#[inline(always)]
pub fn copy_to_user(dst: UserPtr<u8>, src: &[u8]) {
    let dst = user_address::<u8>(dst.addr());
    unsafe {
        abi::copy_out_begin();
        core::ptr::copy_nonoverlapping(src.as_ptr(), dst, src.len());
        abi::copy_out_end();
    }
}

/// Fills `dst` (adapter memory) from `src` in user memory: one copy-in region.
#[inline(always)]
pub fn copy_from_user(dst: &mut [u8], src: UserPtr<u8>) {
    let src = user_address::<u8>(src.addr());
    unsafe {
        abi::copy_in_begin();
        core::ptr::copy_nonoverlapping(src, dst.as_mut_ptr(), dst.len());
        abi::copy_in_end();
    }
}

/// Sets `len` bytes of user memory at `dst` to `byte`: one user region
/// (`memory.fill` on memory 0).
#[inline(always)]
pub fn fill_user(dst: UserPtr<u8>, byte: u8, len: u32) {
    let dst = user_address::<u8>(dst.addr());
    unsafe {
        abi::user_begin();
        core::ptr::write_bytes(dst, byte, len as usize);
        abi::user_end();
    }
}

/// Copies `len` bytes inside user memory from `src` to `dst`; the ranges may
/// overlap (`memmove`). One user region (`memory.copy` from memory 0 to 0).
#[inline(always)]
pub fn move_within_user(dst: UserPtr<u8>, src: UserPtr<u8>, len: u32) {
    let dst = user_address::<u8>(dst.addr());
    let src = user_address::<u8>(src.addr());
    unsafe {
        abi::user_begin();
        core::ptr::copy(src, dst, len as usize);
        abi::user_end();
    }
}

/// A byte range in user memory: `{ buf, buf_len }`, laid out exactly like
/// WASI preview1's `iovec`/`ciovec`, so it can be read from user memory
/// directly with `UserPtr<UserBuf>::read`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserBuf {
    pub ptr: UserPtr<u8>,
    pub len: u32,
}

// Two u32-sized fields, no padding, any bit pattern valid.
unsafe impl UserPod for UserBuf {}

impl UserBuf {
    pub const fn new(ptr: UserPtr<u8>, len: u32) -> Self {
        UserBuf { ptr, len }
    }

    /// Copies as much of `src` as fits; returns the number of bytes copied.
    #[inline(always)]
    pub fn write_prefix(self, src: &[u8]) -> u32 {
        let n = fit(self.len, src.len());
        copy_to_user(self.ptr, &src[..n as usize]);
        n
    }

    /// Fills as much of `dst` as this buffer holds; returns the byte count.
    #[inline(always)]
    pub fn read_prefix(self, dst: &mut [u8]) -> u32 {
        let n = fit(self.len, dst.len());
        copy_from_user(&mut dst[..n as usize], self.ptr);
        n
    }
}

/// `min(user_len, adapter_len)` without truncating a 64-bit host length.
#[inline(always)]
fn fit(user_len: u32, adapter_len: usize) -> u32 {
    if adapter_len < user_len as usize {
        adapter_len as u32
    } else {
        user_len
    }
}
