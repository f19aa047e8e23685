//! `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`.
//!
//! Native preview1 has no sockets in its descriptor table: after the
//! argument checks (unknown flag bits trap; `siflags` is a plain `u16`),
//! an fd that is not open is `EBADF` and any open one `ENOTSOCK`. The
//! buffers are never read.

use crate::descriptors;
use crate::errno;
use crate::fd::FDFLAGS_ALL;

/// `riflags`: `recv_peek`, `recv_waitall`.
const RIFLAGS_ALL: u32 = 3;
/// `sdflags`: `rd`, `wr`.
const SDFLAGS_ALL: u32 = 3;

/// `EBADF` if `fd` is not open, else `ENOTSOCK`.
fn not_a_socket(fd: u32) -> i32 {
    errno::run(|| {
        descriptors::with(|t| t.get_ref(fd).map(|_| ()))?;
        Err(errno::NOTSOCK)
    })
}

/// `sock_accept(fd, flags: fdflags, fd_out: *mut fd) -> errno`
#[no_mangle]
pub extern "C" fn sock_accept(fd: u32, flags: u32, _fd_out: u32) -> i32 {
    if flags & !FDFLAGS_ALL != 0 {
        crate::trap();
    }
    not_a_socket(fd)
}

/// `sock_recv(fd, ri_data: *const iovec, ri_data_len: size, ri_flags: riflags, ro_datalen: *mut size, ro_flags: *mut roflags) -> errno`
#[no_mangle]
pub extern "C" fn sock_recv(
    fd: u32,
    _ri_data: u32,
    _ri_data_len: u32,
    ri_flags: u32,
    _ro_datalen: u32,
    _ro_flags: u32,
) -> i32 {
    if ri_flags & !RIFLAGS_ALL != 0 {
        crate::trap();
    }
    not_a_socket(fd)
}

/// `sock_send(fd, si_data: *const ciovec, si_data_len: size, si_flags: siflags, so_datalen: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn sock_send(
    fd: u32,
    _si_data: u32,
    _si_data_len: u32,
    si_flags: u32,
    _so_datalen: u32,
) -> i32 {
    if si_flags > 0xffff {
        crate::trap();
    }
    not_a_socket(fd)
}

/// `sock_shutdown(fd, how: sdflags) -> errno`
#[no_mangle]
pub extern "C" fn sock_shutdown(fd: u32, how: u32) -> i32 {
    if how & !SDFLAGS_ALL != 0 {
        crate::trap();
    }
    not_a_socket(fd)
}
