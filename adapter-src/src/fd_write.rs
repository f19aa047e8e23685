//! `fd_write` on `wasi:cli/stdout` and `wasi:cli/stderr`.
//!
//! Same semantics as wasmtime's native preview1 (`wasmtime_wasi::p1`,
//! `fd_write_impl`) and the standard adapter: only the *first non-empty*
//! iovec is written (a short write, which callers loop on), with
//! `blocking-write-and-flush` in chunks of at most 4096 bytes (the most that
//! call is guaranteed to accept); all-empty iovecs write nothing and report
//! 0. A closed stream or failed write is `EIO`; any other fd is `EBADF`.
//!
//! The bytes are copied from user memory into a private buffer first: the
//! lowering of `blocking-write-and-flush` reads its `list<u8>` argument from
//! the private memory (its memory option), never from the main module's.

use crate::errno::{self, Errno};
use crate::state::StdFd;
use mmadapt_markers::{copy_from_user, UserBuf, UserPtr};
use wasip2::io::streams::OutputStream;

/// Largest chunk handed to `blocking-write-and-flush`.
const CHUNK: u32 = 4096;

/// `fd_write(fd, iovs: *const ciovec, iovs_len: size, nwritten: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn fd_write(fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> i32 {
    errno::run(|| {
        let stream = StdFd::open(fd)
            .and_then(StdFd::output)
            .ok_or(errno::BADF)?;
        let written = match first_non_empty(UserPtr::new(iovs), iovs_len) {
            Some(iov) => write_all(stream, iov)?,
            None => 0,
        };
        UserPtr::<u32>::new(nwritten).write(written);
        Ok(())
    })
}

/// The first iovec with a non-zero length, if any.
fn first_non_empty(iovs: UserPtr<UserBuf>, count: u32) -> Option<UserBuf> {
    (0..count)
        .map(|i| iovs.add(i).read())
        .find(|iov| iov.len != 0)
}

/// Writes all of `iov`, in chunks; returns its length.
fn write_all(stream: &OutputStream, iov: UserBuf) -> Result<u32, Errno> {
    let mut chunk = [0u8; CHUNK as usize];
    let mut done = 0;
    while done < iov.len {
        let n = (iov.len - done).min(CHUNK);
        let buf = &mut chunk[..n as usize];
        copy_from_user(buf, iov.ptr.byte_add(done));
        stream
            .blocking_write_and_flush(buf)
            .map_err(errno::from_stream_error)?;
        done += n;
    }
    Ok(iov.len)
}
