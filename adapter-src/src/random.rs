//! `random_get` on `wasi:random/random`.

use crate::errno;
use mmadapt_markers::{copy_to_user, UserPtr};

/// Bytes asked of `get-random-bytes` at a time, so a large request does not
/// need as large a private allocation.
const CHUNK: u32 = 64 * 1024;

/// `random_get(buf: *mut u8, buf_len: size) -> errno`
#[no_mangle]
pub extern "C" fn random_get(buf: u32, buf_len: u32) -> i32 {
    errno::run(|| {
        let buf = UserPtr::<u8>::new(buf);
        let mut done = 0;
        while done < buf_len {
            let n = (buf_len - done).min(CHUNK);
            let bytes = wasip2::random::random::get_random_bytes(u64::from(n));
            // The host must return exactly `n` bytes; never copy more.
            let bytes = bytes.get(..n as usize).unwrap_or_else(|| crate::trap());
            copy_to_user(buf.byte_add(done), bytes);
            done += n;
        }
        Ok(())
    })
}
