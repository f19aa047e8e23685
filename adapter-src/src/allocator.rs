//! The private memory's heap.
//!
//! `dlmalloc` (the allocator Rust's own std uses on wasm32) takes the space
//! between `__heap_base` and the end of the initial memory first, then grows
//! memory with `memory.grow 0`; outside every marker region, so after the
//! split that is `memory.grow 1`: the adapter never grows the main module's
//! memory.
//!
//! Everything the WASI 0.2 bindings (`wasip2`) allocate lives here: the
//! `Vec`/`String` results they build, and the lists and strings that the
//! canonical ABI writes for an import's results through the lowering's
//! `realloc` option, which the component points at [`cabi_import_realloc`]
//! (with memory = the private memory; see docs/component-assembly.md).

use core::alloc::Layout;

#[cfg(not(feature = "integrity-check"))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// The integrity-check build wraps dlmalloc with headers and red zones
/// (see [`crate::integrity`]).
#[cfg(feature = "integrity-check")]
#[global_allocator]
static ALLOCATOR: crate::integrity::CheckedAlloc = crate::integrity::CheckedAlloc;

/// The `realloc` of every lowered WASI 0.2 import (wit-component looks for an
/// export of this name on the adapter, falling back to `cabi_realloc`).
///
/// Same contract as wit-bindgen's `cabi_realloc`: the bindings turn returned
/// lists into `Vec`s with `Vec::from_raw_parts` and free them with the
/// layout (size, align) the canonical ABI asked for, so allocation must go
/// through the global allocator with exactly that layout.
///
/// # Safety
/// Called by the canonical ABI only: `old_ptr`/`old_len`/`align` describe a
/// block from an earlier call (or are null/0).
#[no_mangle]
pub unsafe extern "C" fn cabi_import_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    if let Some(user_buffer) = crate::zero_copy::take_target(old_len, new_len) {
        return user_buffer;
    }
    let ptr = if old_len == 0 {
        if new_len == 0 {
            // A dangling, aligned pointer: nothing will be read or written.
            return align as *mut u8;
        }
        alloc::alloc::alloc(Layout::from_size_align_unchecked(new_len, align))
    } else {
        alloc::alloc::realloc(
            old_ptr,
            Layout::from_size_align_unchecked(old_len, align),
            new_len,
        )
    };
    if ptr.is_null() {
        crate::trap();
    }
    ptr
}
