//! Descriptor bookkeeping: `fd_close`, `fd_fdstat_get`,
//! `fd_fdstat_set_flags`, `fd_prestat_get`, `fd_prestat_dir_name`.
//!
//! Only the standard descriptors exist so far (no files, no preopens); the
//! results match wasmtime's native preview1 for them.

use crate::errno;
use crate::state::StdFd;
use mmadapt_markers::{UserPod, UserPtr};

/// preview1 `filetype`.
const FILETYPE_UNKNOWN: u8 = 0;
const FILETYPE_CHARACTER_DEVICE: u8 = 2;
/// preview1 `rights`.
const RIGHTS_FD_READ: u64 = 1 << 1;
const RIGHTS_FD_WRITE: u64 = 1 << 6;

/// preview1 `fdstat`, with its padding spelled out so that every byte
/// written to user memory is defined.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Fdstat {
    pub fs_filetype: u8,
    pub _pad0: u8,
    pub fs_flags: u16,
    pub _pad1: u32,
    pub fs_rights_base: u64,
    pub fs_rights_inheriting: u64,
}

// Integers only, padding explicit: 24 bytes, no implicit padding.
unsafe impl UserPod for Fdstat {}
const _: () = assert!(core::mem::size_of::<Fdstat>() == 24);

/// `fd_close(fd) -> errno`
#[no_mangle]
pub extern "C" fn fd_close(fd: u32) -> i32 {
    errno::run(|| {
        StdFd::open(fd).ok_or(errno::BADF)?.close();
        Ok(())
    })
}

/// `fd_fdstat_get(fd, buf: *mut fdstat) -> errno`
///
/// As native preview1: a terminal is a character device, anything else
/// "unknown"; no flags; stdin has the right to read, stdout/stderr to write.
#[no_mangle]
pub extern "C" fn fd_fdstat_get(fd: u32, buf: u32) -> i32 {
    errno::run(|| {
        let std = StdFd::open(fd).ok_or(errno::BADF)?;
        let rights = if std == StdFd::Stdin {
            RIGHTS_FD_READ
        } else {
            RIGHTS_FD_WRITE
        };
        let stat = Fdstat {
            fs_filetype: if std.is_terminal() {
                FILETYPE_CHARACTER_DEVICE
            } else {
                FILETYPE_UNKNOWN
            },
            _pad0: 0,
            fs_flags: 0,
            _pad1: 0,
            fs_rights_base: rights,
            fs_rights_inheriting: rights,
        };
        UserPtr::<Fdstat>::new(buf).write(stat);
        Ok(())
    })
}

/// `fd_fdstat_set_flags(fd, flags: fdflags) -> errno`
///
/// Native preview1 only changes flags of files; on the standard descriptors
/// (and unknown fds) it is `EBADF`.
#[no_mangle]
pub extern "C" fn fd_fdstat_set_flags(_fd: u32, _flags: u32) -> i32 {
    errno::BADF.0 as i32
}

/// `fd_prestat_get(fd, buf: *mut prestat) -> errno`
///
/// No preopened directories yet (they need `wasi:filesystem/preopens`):
/// `EBADF` for every fd, which is how a program learns there are none.
#[no_mangle]
pub extern "C" fn fd_prestat_get(_fd: u32, _buf: u32) -> i32 {
    errno::BADF.0 as i32
}

/// `fd_prestat_dir_name(fd, path: *mut u8, path_len: size) -> errno`
///
/// No preopened directories yet: `EBADF`.
#[no_mangle]
pub extern "C" fn fd_prestat_dir_name(_fd: u32, _path: u32, _path_len: u32) -> i32 {
    errno::BADF.0 as i32
}
