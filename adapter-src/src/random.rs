//! `random_get` on `wasi:random/random`.
//!
//! Native preview1 makes one `get-random-bytes(buf_len)` (the host refuses
//! more than its `max_random_size`, 64 MiB by default, with a trap) and
//! then copies into `buf` (out of bounds traps; nothing is checked for
//! `buf_len` 0). Here requests up to 64 MiB are fetched in chunks, so a
//! large request does not need as large a private allocation; a bigger one
//! is asked of the host in one call, which then decides as it does
//! natively. With the zero-copy lowering ([`crate::zero_copy`]) the host
//! writes the bytes straight into `buf`.

use crate::errno;
use crate::user;

/// Bytes asked of `get-random-bytes` at a time.
const CHUNK: u32 = 64 * 1024;
/// wasmtime's default `max_random_size`.
const HOST_MAX: u32 = 64 << 20;

/// `random_get(buf: *mut u8, buf_len: size) -> errno`
#[no_mangle]
pub extern "C" fn random_get(buf: u32, buf_len: u32) -> i32 {
    errno::run(|| {
        let chunk = if buf_len > HOST_MAX { buf_len } else { CHUNK };
        let mut done = 0;
        while done < buf_len {
            let n = (buf_len - done).min(chunk);
            let dest = buf.wrapping_add(done);
            if crate::zero_copy::random(dest, n).is_some() {
                done += n;
                continue;
            }
            let bytes = wasip2::random::random::get_random_bytes(u64::from(n));
            // The host must return exactly `n` bytes; never copy more.
            let bytes = bytes.get(..n as usize).unwrap_or_else(|| crate::trap());
            user::write_bytes(dest, bytes);
            done += n;
        }
        Ok(())
    })
}
