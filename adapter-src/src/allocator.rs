//! The private memory's heap, and `cabi_import_realloc`.
//!
//! [`SizeClasses`] takes the space between `__heap_base` and the end of the
//! initial memory first, then grows memory with `memory.grow 0`; outside
//! every marker region, so after the split that is `memory.grow 1`: the
//! adapter never grows the main module's memory.
//!
//! Everything the WASI 0.2 bindings (`wasip2`) allocate lives here: the
//! `Vec`/`String` results they build, and the lists and strings that the
//! canonical ABI writes for an import's results through the lowering's
//! `realloc` option, which the component points at [`cabi_import_realloc`]
//! (with memory = the private memory; see docs/component-assembly.md).

use core::alloc::{GlobalAlloc, Layout};

#[cfg(not(feature = "integrity-check"))]
#[global_allocator]
static ALLOCATOR: SizeClasses = SizeClasses;

/// The integrity-check build wraps [`SizeClasses`] with headers and red
/// zones (see [`crate::integrity`]).
#[cfg(feature = "integrity-check")]
#[global_allocator]
static ALLOCATOR: crate::integrity::CheckedAlloc<SizeClasses> =
    crate::integrity::CheckedAlloc(SizeClasses);

/// A power-of-two size-class allocator: a block of class `k` is `2^k` bytes
/// (at least 16), a freed block goes on its class's free list and is the
/// next one of that class handed out; new blocks are cut from the end of
/// the heap. Allocation and free are O(1), and the code is a few hundred
/// bytes, where dlmalloc (Rust std's choice on wasm32) is about 10 KB of
/// the adapter and would be most of a small component. The adapter's
/// allocations are few and mostly of a handful of sizes (descriptor
/// table, strings, 4 KiB and 64 KiB I/O buffers), which is where size
/// classes waste little; blocks are never merged or returned to the host.
///
/// Single-threaded, like the adapter (no shared memory, no threads).
pub struct SizeClasses;

/// Blocks of class `k` have `2^k` bytes, `MIN_CLASS <= k < CLASSES`.
const MIN_CLASS: u32 = 4;
const CLASSES: usize = 32;
/// Blocks are cut 16-aligned (or to their layout's larger alignment; only
/// blocks of alignment 16 or less are reused from the free lists).
const BASE_ALIGN: usize = 16;
const PAGE: usize = 64 * 1024;

struct Heap {
    /// Head of each class's free list (0: empty); a free block's first
    /// word links to the next.
    free: [usize; CLASSES],
    /// Where the next new block is cut (0: not initialised yet).
    next: usize,
    /// End of memory.
    end: usize,
}

struct HeapCell(core::cell::UnsafeCell<Heap>);
// Single-threaded (see above).
unsafe impl Sync for HeapCell {}

static HEAP: HeapCell = HeapCell(core::cell::UnsafeCell::new(Heap {
    free: [0; CLASSES],
    next: 0,
    end: 0,
}));

/// The class of `layout`, if any.
fn class_of(layout: Layout) -> Option<u32> {
    let size = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    let k = size.checked_next_power_of_two()?.trailing_zeros();
    ((k as usize) < CLASSES).then_some(k)
}

#[cfg(target_arch = "wasm32")]
fn heap_start_and_end() -> (usize, usize) {
    extern "C" {
        static __heap_base: u8;
    }
    // SAFETY: a linker-defined symbol; only its address is used.
    let base = unsafe { &__heap_base as *const u8 as usize };
    (base, core::arch::wasm32::memory_size(0) * PAGE)
}

/// Grows memory by at least `bytes`; the new end, or `None`.
#[cfg(target_arch = "wasm32")]
fn grow(end: usize, bytes: usize) -> Option<usize> {
    let pages = bytes.div_ceil(PAGE);
    if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
        return None;
    }
    end.checked_add(pages * PAGE)
}

// Host builds (the adapter's own `cargo check`/doc): no wasm memory.
#[cfg(not(target_arch = "wasm32"))]
fn heap_start_and_end() -> (usize, usize) {
    (0, 0)
}
#[cfg(not(target_arch = "wasm32"))]
fn grow(_end: usize, _bytes: usize) -> Option<usize> {
    None
}

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(k) = class_of(layout) else {
            return core::ptr::null_mut();
        };
        let heap = &mut *HEAP.0.get();
        let head = heap.free[k as usize];
        if head != 0 && layout.align() <= BASE_ALIGN {
            heap.free[k as usize] = *(head as *const usize);
            return head as *mut u8;
        }
        if heap.next == 0 {
            (heap.next, heap.end) = heap_start_and_end();
        }
        let align = layout.align().max(BASE_ALIGN);
        let Some(start) = heap.next.checked_next_multiple_of(align) else {
            return core::ptr::null_mut();
        };
        let Some(stop) = start.checked_add(1 << k) else {
            return core::ptr::null_mut();
        };
        if stop > heap.end {
            match grow(heap.end, stop - heap.end) {
                Some(end) => heap.end = end,
                None => return core::ptr::null_mut(),
            }
        }
        heap.next = stop;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // A block was handed out for this layout, so it has a class.
        let Some(k) = class_of(layout) else { return };
        let heap = &mut *HEAP.0.get();
        *(ptr as *mut usize) = heap.free[k as usize];
        heap.free[k as usize] = ptr as usize;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        // Still fits its block: nothing to move.
        if class_of(new).is_some() && class_of(new) == class_of(layout) {
            return ptr;
        }
        let moved = self.alloc(new);
        if !moved.is_null() {
            core::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        moved
    }
}

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
