//! Checked access to the main module's memory, with native preview1's rules.
//!
//! wasmtime's native preview1 (wiggle) *traps* on a bad pointer: an access
//! that is out of bounds, an address computation that wraps past 2^32, or a
//! multi-byte field that is not at a multiple of its natural alignment. Wasm
//! itself traps on out-of-bounds accesses but never on misalignment, and a
//! copy done in chunks would trap only after the first chunks had been used;
//! so the adapter checks explicitly wherever native would fail *before*
//! doing something visible:
//!
//! - [`check_range`] before using a whole buffer (a write to a file or
//!   stdout, a read from a file into user memory) — native validates the
//!   whole range first;
//! - [`check_align`] for every multi-byte field: out-pointers (`u32`/`u64`
//!   results) and structs (`fdstat`, `filestat`, `prestat`, `event`,
//!   `subscription`, `iovec`);
//! - strings ([`read_string`]): hostcall fuel, then bounds (also for an
//!   empty string: `ptr <= memory size`), then UTF-8 (`EILSEQ`).
//!
//! Results are written field by field, as wiggle does: padding bytes in
//! user memory are left untouched.
//!
//! Hostcall fuel: native preview1 gives every call a budget of 128 MiB
//! (`wasmtime::Store::set_hostcall_fuel`'s default) for the data it copies
//! out of guest memory and fails with `ENOMEM` when it runs out (see
//! [`Fuel`]).

use crate::errno::{self, Errno};
use alloc::string::String;
use alloc::vec::Vec;
use mmadapt_markers::{copy_from_user, copy_to_user, UserBuf, UserPod, UserPtr};

/// Size of the user's memory in bytes (`memory.size` of memory 0).
#[inline(always)]
pub fn memory_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    let pages = unsafe { mmadapt_markers::user_mem!({ core::arch::wasm32::memory_size(0) }) };
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 1usize << 16;
    (pages as u64) << 16
}

/// Traps unless `[ptr, ptr + len)` lies inside user memory. For `len == 0`
/// that is `ptr <= memory size`, as wiggle checks it.
#[inline(always)]
pub fn check_range(ptr: u32, len: u64) {
    if u64::from(ptr) + len > memory_bytes() {
        crate::trap();
    }
}

/// Traps unless `ptr` is a multiple of `align`.
#[inline(always)]
pub fn check_align(ptr: u32, align: u32) {
    if ptr & (align - 1) != 0 {
        crate::trap();
    }
}

// The helpers that open regions are `#[inline(never)]`: inlined into a
// large function, LLVM's register allocation may reuse one wasm local for a
// shadow-stack address and a user address, and the split verifier's
// shadow-stack check (flow-insensitive over locals) then rejects the region.
// Out of line, a region only ever sees its own parameters.

/// Writes `value` at `ptr` after checking `T`'s natural alignment (an
/// out-of-bounds address traps in the store itself).
#[inline(never)]
pub fn put<T: UserPod>(ptr: u32, value: T) {
    check_align(ptr, core::mem::align_of::<T>() as u32);
    UserPtr::<T>::new(ptr).write(value);
}

/// Reads the `T` at `ptr` after checking `T`'s natural alignment.
#[inline(never)]
pub fn get<T: UserPod>(ptr: u32) -> T {
    check_align(ptr, core::mem::align_of::<T>() as u32);
    UserPtr::<T>::new(ptr).read()
}

/// `ptr + index * size`, trapping if it wraps past 2^32 (wiggle's
/// `PtrOverflow` when iterating over an array).
#[inline(always)]
pub fn element(ptr: u32, index: u32, size: u32) -> u32 {
    match index.checked_mul(size).and_then(|off| ptr.checked_add(off)) {
        Some(p) => p,
        None => crate::trap(),
    }
}

/// Up to this many bytes, copies between the memories go 8 bytes at a time
/// through plain loads and stores: a `memory.copy` between two memories is
/// a call into the runtime, which costs more than the copy itself for the
/// small buffers most calls pass (a 16-byte write to stdout, a result
/// record).
const SMALL_COPY: usize = 64;

/// Traps if `[ptr, ptr + len)` runs past 2^32, as `memory.copy` would:
/// the word-by-word copies step with wrapping adds, which in a 4 GiB
/// memory would otherwise wrap around to address 0.
#[inline(always)]
fn no_wrap(ptr: u32, len: usize) {
    if u64::from(ptr) + len as u64 > 1 << 32 {
        crate::trap();
    }
}

/// Copies `bytes` to user memory at `ptr`. Nothing is checked or written
/// for an empty slice (as wiggle's `copy_from_slice`).
#[inline(never)]
pub fn write_bytes(ptr: u32, bytes: &[u8]) {
    if bytes.len() <= SMALL_COPY {
        no_wrap(ptr, bytes.len());
        let mut at = ptr;
        for chunk in bytes.chunks(8) {
            match <[u8; 8]>::try_from(chunk) {
                Ok(word) => UserPtr::<u64>::new(at).write(u64::from_le_bytes(word)),
                Err(_) => {
                    for (i, b) in chunk.iter().enumerate() {
                        UserPtr::<u8>::new(at.wrapping_add(i as u32)).write(*b);
                    }
                }
            }
            at = at.wrapping_add(8);
        }
    } else {
        copy_to_user(UserPtr::new(ptr), bytes);
    }
}

/// Fills `buf` from user memory at `ptr` (nothing for an empty `buf`).
#[inline(never)]
pub fn read_into(buf: &mut [u8], ptr: u32) {
    if buf.len() <= SMALL_COPY {
        no_wrap(ptr, buf.len());
        let mut at = ptr;
        for chunk in buf.chunks_mut(8) {
            if chunk.len() == 8 {
                chunk.copy_from_slice(&UserPtr::<u64>::new(at).read().to_le_bytes());
            } else {
                for (i, b) in chunk.iter_mut().enumerate() {
                    *b = UserPtr::<u8>::new(at.wrapping_add(i as u32)).read();
                }
            }
            at = at.wrapping_add(8);
        }
    } else {
        copy_from_user(buf, UserPtr::new(ptr));
    }
}

/// Copies `len` bytes of user memory at `ptr` into a new private buffer.
/// The caller has checked the range.
pub fn read_bytes(ptr: u32, len: u32) -> Vec<u8> {
    let mut buf = alloc::vec![0u8; len as usize];
    read_into(&mut buf, ptr);
    buf
}

/// The per-call hostcall fuel of native preview1: 128 MiB of guest data.
pub struct Fuel(u64);

impl Fuel {
    pub const DEFAULT: u64 = 128 << 20;

    pub fn new() -> Fuel {
        Fuel(Self::DEFAULT)
    }

    /// Spends `amount`, or fails with `ENOMEM` (and spends nothing).
    pub fn consume(&mut self, amount: u64) -> Result<(), Errno> {
        if amount > self.0 {
            return Err(errno::NOMEM);
        }
        self.0 -= amount;
        Ok(())
    }
}

impl Default for Fuel {
    fn default() -> Self {
        Self::new()
    }
}

/// The first iovec/ciovec of `iovs[0..iovs_len]` with a non-zero length, or
/// an empty buffer at address 0 (native `first_non_empty_{c,}iovec`):
/// fuel for the array (8 bytes per element), then the iovecs are read in
/// order (4-aligned, in bounds) up to the first non-empty one, whose length
/// is charged as fuel too. Later iovecs are never read.
pub fn first_non_empty(fuel: &mut Fuel, iovs: u32, iovs_len: u32) -> Result<UserBuf, Errno> {
    fuel.consume(u64::from(iovs_len) * 8)?;
    for i in 0..iovs_len {
        let iov: UserBuf = get(element(iovs, i, 8));
        if iov.len != 0 {
            fuel.consume(u64::from(iov.len))?;
            return Ok(iov);
        }
    }
    Ok(UserBuf::new(UserPtr::new(0), 0))
}

/// A path (or other string) argument: fuel (if charged), bounds, UTF-8
/// (`EILSEQ`), copied into private memory.
pub fn read_string(fuel: Option<&mut Fuel>, ptr: u32, len: u32) -> Result<String, Errno> {
    if let Some(fuel) = fuel {
        fuel.consume(u64::from(len))?;
    }
    check_range(ptr, u64::from(len));
    String::from_utf8(read_bytes(ptr, len)).map_err(|_| errno::ILSEQ)
}
