//! Data transfer: `fd_read`, `fd_write`, `fd_pread`, `fd_pwrite`,
//! `fd_seek`, `fd_tell`, on files and the standard streams.
//!
//! Native preview1 semantics (`p1.rs` `fd_read`, `fd_pread`,
//! `fd_write_impl`, `fd_seek`, `fd_tell`):
//!
//! - Only the *first non-empty* iovec is used (see
//!   [`user::first_non_empty`]: hostcall fuel, iovec reads), before the fd
//!   is even looked up; all empty means one operation on an empty buffer.
//! - Files: one host `pread`/`pwrite` of the whole buffer at the position
//!   (the host's own calls, no size cap), the whole buffer bounds-checked
//!   first. Here: `descriptor.read`/`descriptor.write` at explicit offsets
//!   (the host caps a `read` at 64 KiB, so reads loop until the buffer is
//!   full, a short read or end of file, which is what one `pread` of a
//!   regular file gives). Append mode writes through `append-via-stream`
//!   and then takes the position from `stat` (natively: `pwritev2` with
//!   `RWF_APPEND`, then `stat`). A write to a file not opened for writing
//!   is the OS's `EBADF` natively; it is answered here from `get-flags`
//!   (WASI 0.2 would say `EPERM` under a read-only preopen).
//!   Non-blocking mode is ignored for files, as natively.
//! - stdout/stderr: `blocking-write-and-flush` in chunks of 4096 bytes
//!   until done; stdin: one `blocking-read` (end of stream is 0 bytes, an
//!   empty read that is not the end is `EINTR`).
//! - `fd_pread`/`fd_pwrite` leave the position alone; `fd_pread` reads at
//!   most 64 KiB (natively: one `blocking-read` of a `read-via-stream`);
//!   `fd_pwrite` in append mode appends, ignoring the offset.
//!
//! File data of 4 KiB and more moves between the host and the user's
//! buffer directly when the component provides the zero-copy lowerings
//! ([`crate::zero_copy`]); anything else passes through a private buffer,
//! as the lowering of every other WASI 0.2 import reads and writes the
//! private memory.

use crate::descriptors::{self, Desc, File};
use crate::errno::{self, Errno};
use crate::user::{self, Fuel};
use crate::zero_copy;
use alloc::vec::Vec;
use mmadapt_markers::UserBuf;
use wasip2::filesystem::types::Descriptor;
use wasip2::io::streams::{InputStream, OutputStream, StreamError};

/// Most bytes one `blocking-write-and-flush` is guaranteed to accept.
const STREAM_CHUNK: u32 = 4096;
/// Bytes per `descriptor.read`/`descriptor.write` (the host's read cap).
const FILE_CHUNK: u32 = 64 * 1024;

/// The private buffer of [`write_chunks`]: a static one, so that the
/// common small write to stdout costs no allocation.
struct StreamBuffer(core::cell::UnsafeCell<[u8; STREAM_CHUNK as usize]>);
// The adapter is single-threaded.
unsafe impl Sync for StreamBuffer {}
static STREAM_BUFFER: StreamBuffer =
    StreamBuffer(core::cell::UnsafeCell::new([0; STREAM_CHUNK as usize]));

/// Whence values of `fd_seek`.
const WHENCE_SET: u32 = 0;
const WHENCE_CUR: u32 = 1;
const WHENCE_END: u32 = 2;

/// `fd_read(fd, iovs: *const iovec, iovs_len: size, nread: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn fd_read(fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> i32 {
    errno::run(|| {
        let iov = user::first_non_empty(&mut Fuel::new(), iovs, iovs_len)?;
        let n = descriptors::with(|t| match t.get(fd)? {
            Desc::File(f) => {
                user::check_range(iov.ptr.addr(), u64::from(iov.len));
                let n = read_file(f, iov, f.position, u32::MAX)?;
                f.position = f
                    .position
                    .checked_add(u64::from(n))
                    .ok_or(errno::OVERFLOW)?;
                Ok(n)
            }
            Desc::Stdin { stream, .. } => read_stream(stream, iov),
            _ => Err(errno::BADF),
        })?;
        user::put::<u32>(nread, n);
        Ok(())
    })
}

/// `fd_pread(fd, iovs: *const iovec, iovs_len: size, offset: filesize, nread: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        let iov = user::first_non_empty(&mut Fuel::new(), iovs, iovs_len)?;
        let n = descriptors::with(|t| match t.get(fd)? {
            Desc::File(f) => read_file(f, iov, offset, FILE_CHUNK),
            Desc::Stdin { .. } => Err(errno::SPIPE),
            _ => Err(errno::BADF),
        })?;
        user::put::<u32>(nread, n);
        Ok(())
    })
}

/// `fd_write(fd, iovs: *const ciovec, iovs_len: size, nwritten: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn fd_write(fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> i32 {
    errno::run(|| {
        let iov = user::first_non_empty(&mut Fuel::new(), iovs, iovs_len)?;
        let n = descriptors::with(|t| match t.get(fd)? {
            Desc::File(f) => {
                let n = write_file(f, iov, None)?;
                f.position = if f.append {
                    f.fd.stat()?.size
                } else {
                    f.position
                        .checked_add(u64::from(n))
                        .ok_or(errno::OVERFLOW)?
                };
                Ok(n)
            }
            Desc::Stdout { stream, .. } | Desc::Stderr { stream, .. } => write_stream(stream, iov),
            _ => Err(errno::BADF),
        })?;
        user::put::<u32>(nwritten, n);
        Ok(())
    })
}

/// `fd_pwrite(fd, iovs: *const ciovec, iovs_len: size, offset: filesize, nwritten: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        let iov = user::first_non_empty(&mut Fuel::new(), iovs, iovs_len)?;
        let n = descriptors::with(|t| match t.get(fd)? {
            Desc::File(f) => write_file(f, iov, Some(offset)),
            Desc::Stdout { .. } | Desc::Stderr { .. } => Err(errno::SPIPE),
            _ => Err(errno::BADF),
        })?;
        user::put::<u32>(nwritten, n);
        Ok(())
    })
}

/// `fd_seek(fd, offset: filedelta, whence, newoffset: *mut filesize) -> errno`
///
/// Files only (`ESPIPE` for the standard streams, `EBADF` otherwise); a
/// resulting position below 0 or past 2^64 is `EINVAL`; past the end of
/// the file is fine. An unknown whence traps.
#[no_mangle]
pub extern "C" fn fd_seek(fd: u32, offset: i64, whence: u32, newoffset: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    if whence > WHENCE_END {
        crate::trap();
    }
    errno::run(|| {
        let pos = descriptors::with(|t| {
            let f = t.seekable(fd)?;
            let pos = match whence {
                WHENCE_SET if offset >= 0 => offset as u64,
                WHENCE_CUR => f.position.checked_add_signed(offset).ok_or(errno::INVAL)?,
                WHENCE_END => {
                    f.fd.stat()?
                        .size
                        .checked_add_signed(offset)
                        .ok_or(errno::INVAL)?
                }
                _ => return Err(errno::INVAL),
            };
            f.position = pos;
            Ok(pos)
        })?;
        user::put::<u64>(newoffset, pos);
        Ok(())
    })
}

/// `fd_tell(fd, offset: *mut filesize) -> errno`
#[no_mangle]
pub extern "C" fn fd_tell(fd: u32, offset: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        let pos = descriptors::with(|t| t.seekable(fd).map(|f| f.position))?;
        user::put::<u64>(offset, pos);
        Ok(())
    })
}

/// Reads from a file at `offset` into `iov`, up to `limit` bytes: one
/// `descriptor.read` per 64 KiB, until the buffer (or `limit`) is full, a
/// read comes back short, or end of file. Always calls the host at least
/// once (an empty read still fails on a file not opened for reading).
/// Returns the bytes read; an error after some data ends the loop with
/// what was read.
fn read_file(f: &File, iov: UserBuf, offset: u64, limit: u32) -> Result<u32, Errno> {
    let want = iov.len.min(limit);
    let mut done = 0u32;
    loop {
        let ask = (want - done).min(FILE_CHUNK);
        let at = offset.checked_add(u64::from(done)).ok_or(errno::OVERFLOW)?;
        let dest = iov.ptr.addr().wrapping_add(done);
        let result = match zero_copy::read(&f.fd, dest, ask, at) {
            Some(r) => r,
            None => read_copying(&f.fd, dest, ask, at),
        };
        let (n, eof) = match result {
            Ok(r) => r,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        done += n;
        if eof || n < ask || done == want {
            break;
        }
    }
    Ok(done)
}

/// One `descriptor.read` into a private buffer, copied to `dest`: the
/// bytes read and whether it was the end of file.
fn read_copying(fd: &Descriptor, dest: u32, ask: u32, at: u64) -> Result<(u32, bool), Errno> {
    let (data, eof) = fd.read(u64::from(ask), at)?;
    // The host never returns more than asked; never copy more.
    let data = &data[..data.len().min(ask as usize)];
    user::write_bytes(dest, data);
    Ok((data.len() as u32, eof))
}

/// One `blocking-read` of stdin into `iov` (as native: `closed` is end of
/// stream, 0 bytes; an empty result otherwise is `EINTR`).
fn read_stream(stream: &InputStream, iov: UserBuf) -> Result<u32, Errno> {
    let data = match stream.blocking_read(u64::from(iov.len)) {
        Ok(d) if d.is_empty() => return Err(errno::INTR),
        Ok(d) => d,
        Err(StreamError::Closed) => return Ok(0),
        Err(e) => return Err(errno::from_stream_error(e)),
    };
    if data.len() > iov.len as usize {
        return Err(errno::RANGE);
    }
    user::write_bytes(iov.ptr.addr(), &data);
    Ok(data.len() as u32)
}

/// Writes `iov` to a file: appending if the file is in append mode,
/// otherwise at `offset` (`None`: the current position). One
/// `descriptor.write` per 64 KiB until done or a short write. Returns the
/// bytes written; the caller updates the position.
fn write_file(f: &mut File, iov: UserBuf, offset: Option<u64>) -> Result<u32, Errno> {
    user::check_range(iov.ptr.addr(), u64::from(iov.len));
    // Native preview1's `pwrite(2)` rejects an offset past `i64::MAX`
    // (EINVAL) before it finds the file read-only (EBADF); in append mode
    // the offset is ignored.
    if offset.is_some_and(|o| o > i64::MAX as u64) && !f.append {
        return Err(errno::INVAL);
    }
    if !f.writable()? {
        return Err(errno::BADF);
    }
    if f.append {
        let stream = f.fd.append_via_stream()?;
        let r = write_chunks(&stream, iov);
        drop(stream);
        return r;
    }
    let offset = offset.unwrap_or(f.position);
    let mut buf: Vec<u8> = Vec::new();
    let mut done = 0u32;
    loop {
        let n = (iov.len - done).min(FILE_CHUNK);
        let src = iov.ptr.addr().wrapping_add(done);
        let at = offset.checked_add(u64::from(done)).ok_or(errno::OVERFLOW)?;
        let result = match zero_copy::write(&f.fd, src, n, at) {
            Some(r) => r,
            None => {
                buf.resize(n as usize, 0);
                user::read_into(&mut buf, src);
                f.fd.write(&buf, at).map_err(Errno::from)
            }
        };
        let written = match result {
            Ok(w) => w.min(u64::from(n)) as u32,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        done += written;
        if written < n || done == iov.len {
            break;
        }
    }
    Ok(done)
}

/// stdout/stderr: the whole buffer is checked, then written in chunks.
fn write_stream(stream: &OutputStream, iov: UserBuf) -> Result<u32, Errno> {
    user::check_range(iov.ptr.addr(), u64::from(iov.len));
    write_chunks(stream, iov)
}

/// `blocking-write-and-flush` of `iov` in chunks of 4096 bytes; returns
/// its length.
fn write_chunks(stream: &OutputStream, iov: UserBuf) -> Result<u32, Errno> {
    // SAFETY: single-threaded, and nothing below writes to a stream through
    // this function again (the panic handler writes stderr directly).
    let chunk = unsafe { &mut *STREAM_BUFFER.0.get() };
    let mut done = 0;
    while done < iov.len {
        let n = (iov.len - done).min(STREAM_CHUNK);
        let buf = &mut chunk[..n as usize];
        user::read_into(buf, iov.ptr.addr().wrapping_add(done));
        stream
            .blocking_write_and_flush(buf)
            .map_err(errno::from_stream_error)?;
        done += n;
    }
    Ok(iov.len)
}
