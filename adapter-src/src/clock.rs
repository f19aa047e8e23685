//! `clock_res_get`, `clock_time_get` on `wasi:clocks/wall-clock` and
//! `wasi:clocks/monotonic-clock`.
//!
//! As native preview1: realtime is the wall clock in nanoseconds
//! (`EOVERFLOW` past 2^64 ns), monotonic the monotonic clock; the CPU-time
//! clocks do not exist in WASI 0.2: `EBADF`. Any other id is not a
//! `clockid` at all: native preview1 traps (argument lifting), and so does
//! this. `precision` is a hint and is ignored. The result is a `u64`
//! out-pointer: 8-aligned or trap.

use crate::errno;
use crate::fd::timestamp;
use crate::user;

const CLOCKID_REALTIME: u32 = 0;
const CLOCKID_MONOTONIC: u32 = 1;
const CLOCKID_THREAD_CPUTIME_ID: u32 = 3;

/// `clock_res_get(id: clockid, resolution: *mut timestamp) -> errno`
#[no_mangle]
pub extern "C" fn clock_res_get(id: u32, resolution: u32) -> i32 {
    if id > CLOCKID_THREAD_CPUTIME_ID {
        crate::trap();
    }
    errno::run(|| {
        let res = match id {
            CLOCKID_REALTIME => timestamp(Some(wasip2::clocks::wall_clock::resolution()))?,
            CLOCKID_MONOTONIC => wasip2::clocks::monotonic_clock::resolution(),
            _ => return Err(errno::BADF),
        };
        user::put::<u64>(resolution, res);
        Ok(())
    })
}

/// `clock_time_get(id: clockid, precision: timestamp, time: *mut timestamp) -> errno`
#[no_mangle]
pub extern "C" fn clock_time_get(id: u32, _precision: u64, time: u32) -> i32 {
    if id > CLOCKID_THREAD_CPUTIME_ID {
        crate::trap();
    }
    errno::run(|| {
        let now = match id {
            CLOCKID_REALTIME => timestamp(Some(wasip2::clocks::wall_clock::now()))?,
            CLOCKID_MONOTONIC => wasip2::clocks::monotonic_clock::now(),
            _ => return Err(errno::BADF),
        };
        user::put::<u64>(time, now);
        Ok(())
    })
}
