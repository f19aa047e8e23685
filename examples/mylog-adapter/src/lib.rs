//! `mylog`, a legacy import module, implemented on WASI 0.2: a main module
//! that imports
//!
//! - `mylog.log(ptr: i32, len: i32)`: logs the `len` bytes at `ptr` in the
//!   main module's memory as one line, and
//! - `mylog.count() -> i32`: how many lines were logged,
//!
//! gets them from this adapter, which writes every line to `wasi:cli/stderr`
//! as `[mylog N] <bytes>\n`.
//!
//! After `mmadapt split`, the counter and the line buffer live in the
//! adapter's private memory; the only access to the main module's memory is
//! the copy-in region of [`copy_from_user`], which reads the logged bytes.

#![no_std]

use core::cell::UnsafeCell;
use mmadapt_markers::{copy_from_user, UserPtr};

/// The line buffer: a prefix, up to `CHUNK` logged bytes, a newline.
const CHUNK: usize = 256;
const PREFIX_MAX: usize = "[mylog 4294967295] ".len();

struct State {
    count: u32,
    line: [u8; PREFIX_MAX + CHUNK + 1],
}

struct StateCell(UnsafeCell<State>);
// The adapter is single-threaded (no shared memory, no threads).
unsafe impl Sync for StateCell {}

static STATE: StateCell = StateCell(UnsafeCell::new(State {
    count: 0,
    line: [0; PREFIX_MAX + CHUNK + 1],
}));

/// `mylog.log`: the bytes go out in pieces of at most `CHUNK`, the first
/// with the prefix, the last with the newline.
#[export_name = "log"]
pub extern "C" fn mylog_log(ptr: u32, len: u32) {
    // SAFETY: single-threaded, and no other reference to STATE is live.
    let state = unsafe { &mut *STATE.0.get() };
    state.count = state.count.wrapping_add(1);
    let mut start = prefix(&mut state.line, state.count);
    let stderr = wasip2::cli::stderr::get_stderr();
    let user = UserPtr::<u8>::new(ptr);
    let mut done = 0u32;
    loop {
        let n = (len - done).min(CHUNK as u32);
        read_user(
            &mut state.line[start..start + n as usize],
            user.byte_add(done),
        );
        done += n;
        let mut end = start + n as usize;
        if done == len {
            state.line[end] = b'\n';
            end += 1;
        }
        // The host reads the bytes from this adapter's (private) memory.
        let _ = stderr.blocking_write_and_flush(&state.line[..end]);
        if done == len {
            return;
        }
        start = 0;
    }
}

/// The only read of the main module's memory: one copy-in region.
///
/// Not inlined: in a larger function LLVM may give a shadow-stack address
/// and the user address one wasm local, and the split's verifier (whose
/// shadow-stack check is flow-insensitive over locals) then rejects the
/// region, as it did at opt-level 1 when this was inline in `mylog_log`.
#[inline(never)]
fn read_user(dst: &mut [u8], src: UserPtr<u8>) {
    copy_from_user(dst, src);
}

/// `mylog.count`.
#[export_name = "count"]
pub extern "C" fn mylog_count() -> u32 {
    // SAFETY: as in `mylog_log`.
    unsafe { (*STATE.0.get()).count }
}

/// Writes `[mylog N] ` at the start of `line`; returns its length.
fn prefix(line: &mut [u8], n: u32) -> usize {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let parts: [&[u8]; 3] = [b"[mylog ", &digits[i..], b"] "];
    let mut at = 0;
    for part in parts {
        line[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    at
}

/// The heap: a bump allocator over a static arena that never frees. The
/// WASI 0.2 bindings need a global allocator to link, and the component's
/// lowerings of this adapter's imports return lists and strings through
/// [`cabi_import_realloc`]; `get-stderr` and `blocking-write-and-flush`
/// return neither, so in practice nothing is allocated.
struct Bump;

const ARENA: usize = 4096;

struct Arena {
    next: usize,
    bytes: [u8; ARENA],
}

struct ArenaCell(UnsafeCell<Arena>);
// Single-threaded, as STATE.
unsafe impl Sync for ArenaCell {}

static HEAP: ArenaCell = ArenaCell(UnsafeCell::new(Arena {
    next: 0,
    bytes: [0; ARENA],
}));

unsafe impl core::alloc::GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        let arena = &mut *HEAP.0.get();
        let base = arena.bytes.as_mut_ptr();
        let start = (base as usize + arena.next).next_multiple_of(layout.align()) - base as usize;
        match start.checked_add(layout.size()) {
            Some(end) if end <= ARENA => {
                arena.next = end;
                base.add(start)
            }
            _ => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;

/// The `realloc` the component gives the lowerings of this adapter's WASI
/// 0.2 imports (with memory = the private memory).
///
/// # Safety
/// Called by the canonical ABI only, with a block it got from here before
/// (or null and 0).
#[no_mangle]
pub unsafe extern "C" fn cabi_import_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    use core::alloc::{GlobalAlloc, Layout};
    let new = ALLOCATOR.alloc(Layout::from_size_align_unchecked(new_len, align));
    if new.is_null() {
        core::arch::wasm32::unreachable();
    }
    if old_len > 0 {
        core::ptr::copy_nonoverlapping(old_ptr, new, old_len.min(new_len));
    }
    new
}

/// A panic is a bug in the adapter: trap (`panic = "abort"`).
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
