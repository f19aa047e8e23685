//! Exports built from single-value `UserPtr` reads and writes, with regions
//! inside loops and in both arms of a branch.

use core::arch::wasm32;

use mmadapt_markers::{user_mem, UserPtr};

use crate::private::pattern;
use crate::state::{count_call, count_even, count_odd, set_last_sum};

/// Wrapping sum of `len` u32s at `ptr` (any alignment); remembers the sum in
/// private state (`last_sum`).
#[no_mangle]
pub extern "C" fn sum_user(ptr: u32, len: u32) -> u32 {
    let base = UserPtr::<u32>::new(ptr);
    let mut sum = 0u32;
    for i in 0..len {
        sum = sum.wrapping_add(base.add(i).read());
    }
    set_last_sum(sum);
    count_call();
    sum
}

/// Writes `len` u32s to `ptr`: element `i` is `pattern(seed + i)`. Values are
/// produced 64 at a time in a shadow-stack buffer and read back from it
/// between user regions.
#[no_mangle]
pub extern "C" fn fill_user_pattern(ptr: u32, len: u32, seed: u32) {
    let base = UserPtr::<u32>::new(ptr);
    let mut chunk = [0u32; 64];
    let mut done = 0u32;
    while done < len {
        let n = (len - done).min(64);
        pattern(&mut chunk, seed.wrapping_add(done));
        for i in 0..n {
            base.add(done + i).write(chunk[i as usize]);
        }
        done += n;
    }
    count_call();
}

/// One Collatz step on each of `len` u32s at `ptr`, in place: even `v`
/// becomes `v / 2`, odd `v` becomes `3v + 1` (wrapping). Counts evens and
/// odds in private state; returns the number of odd values seen.
#[no_mangle]
pub extern "C" fn collatz_user(ptr: u32, len: u32) -> u32 {
    let base = UserPtr::<u32>::new(ptr);
    let mut odd = 0u32;
    for i in 0..len {
        let p = base.add(i);
        let v = p.read();
        if v.is_multiple_of(2) {
            p.write(v / 2);
            count_even();
        } else {
            p.write(v.wrapping_mul(3).wrapping_add(1));
            count_odd();
            odd += 1;
        }
    }
    count_call();
    odd
}

/// Pages in the user's memory: `memory.size` inside a user region.
#[no_mangle]
pub extern "C" fn user_memory_pages() -> u32 {
    unsafe { user_mem!({ wasm32::memory_size(0) as u32 }) }
}

/// Grows the user's memory by `delta` pages: `memory.grow` inside a user
/// region. Returns the old size in pages, or -1 (as u32) on failure.
#[no_mangle]
pub extern "C" fn user_memory_grow(delta: u32) -> u32 {
    let old = unsafe { user_mem!({ wasm32::memory_grow(0, delta as usize) }) };
    count_call();
    old as u32
}
