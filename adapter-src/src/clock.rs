//! `clock_time_get` on `wasi:clocks/wall-clock` and
//! `wasi:clocks/monotonic-clock`.

use crate::errno;
use mmadapt_markers::UserPtr;

const CLOCKID_REALTIME: u32 = 0;
const CLOCKID_MONOTONIC: u32 = 1;
const CLOCKID_PROCESS_CPUTIME_ID: u32 = 2;
const CLOCKID_THREAD_CPUTIME_ID: u32 = 3;

/// `clock_time_get(id: clockid, precision: timestamp, time: *mut timestamp) -> errno`
///
/// Realtime is `wall-clock.now` in nanoseconds (`EOVERFLOW` past 2554);
/// monotonic is `monotonic-clock.now`. The CPU-time clocks do not exist in
/// WASI 0.2: `EBADF`, as in native preview1 and the standard adapter. Any
/// other id is not a `clockid` at all: native preview1 traps ("invalid enum
/// value"), and so does this. `precision` is a hint and is ignored, as
/// everywhere.
#[no_mangle]
pub extern "C" fn clock_time_get(id: u32, _precision: u64, time: u32) -> i32 {
    errno::run(|| {
        let now = match id {
            CLOCKID_REALTIME => {
                let t = wasip2::clocks::wall_clock::now();
                t.seconds
                    .checked_mul(1_000_000_000)
                    .and_then(|ns| ns.checked_add(u64::from(t.nanoseconds)))
                    .ok_or(errno::OVERFLOW)?
            }
            CLOCKID_MONOTONIC => wasip2::clocks::monotonic_clock::now(),
            CLOCKID_PROCESS_CPUTIME_ID | CLOCKID_THREAD_CPUTIME_ID => return Err(errno::BADF),
            _ => crate::trap(),
        };
        UserPtr::<u64>::new(time).write(now);
        Ok(())
    })
}
