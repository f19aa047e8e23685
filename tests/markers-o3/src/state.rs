//! Private mutable state in `static mut`s, which the optimiser sees as
//! internal globals: the case where LLVM could in principle move an access
//! across an opaque marker call (see docs/marker-abi.md).

static mut CALLS: u32 = 0;
static mut LAST_SUM: u32 = 0;
static mut EVENS: u32 = 0;
static mut ODDS: u32 = 0;

/// Counts one call of an export that touched user memory.
#[inline(always)]
pub fn count_call() {
    unsafe { CALLS = CALLS.wrapping_add(1) }
}

#[inline(always)]
pub fn set_last_sum(sum: u32) {
    unsafe { LAST_SUM = sum }
}

#[inline(always)]
pub fn count_even() {
    unsafe { EVENS = EVENS.wrapping_add(1) }
}

#[inline(always)]
pub fn count_odd() {
    unsafe { ODDS = ODDS.wrapping_add(1) }
}

/// Number of calls to exports that touched user memory.
#[no_mangle]
pub extern "C" fn state() -> u32 {
    unsafe { CALLS }
}

/// The result of the last `sum_user`.
#[no_mangle]
pub extern "C" fn last_sum() -> u32 {
    unsafe { LAST_SUM }
}

/// Evens and odds seen by `collatz_user` so far: `evens << 32 | odds`.
#[no_mangle]
pub extern "C" fn parity_counts() -> u64 {
    unsafe { (EVENS as u64) << 32 | ODDS as u64 }
}
