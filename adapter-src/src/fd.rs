//! Operations on a descriptor as a whole: `fd_close`, `fd_renumber`,
//! `fd_fdstat_get`, `fd_fdstat_set_flags`, `fd_fdstat_set_rights`,
//! `fd_filestat_get`, `fd_filestat_set_size`, `fd_filestat_set_times`,
//! `fd_advise`, `fd_allocate`, `fd_datasync`, `fd_sync`, `fd_prestat_get`,
//! `fd_prestat_dir_name`; and the `filestat` shared with
//! `path_filestat_get`.
//!
//! Each follows wasmtime's native preview1 (`p1.rs`): which kinds of
//! descriptor it accepts and the errno for the others (see
//! [`crate::descriptors::Table`]), argument validation (invalid enum or
//! flag values trap, as wiggle's argument lifting does), and results
//! written field by field, alignment-checked, only on success.

use crate::descriptors::{self, Desc};
use crate::errno::{self, Errno};
use crate::filetype;
use crate::readdir;
use crate::user;
use wasip2::clocks::wall_clock::Datetime;
use wasip2::filesystem::types::{
    Advice, DescriptorFlags, DescriptorStat, MetadataHashValue, NewTimestamp,
};

/// preview1 `fdflags`.
pub const FDFLAGS_APPEND: u32 = 1;
pub const FDFLAGS_DSYNC: u32 = 2;
pub const FDFLAGS_NONBLOCK: u32 = 4;
pub const FDFLAGS_RSYNC: u32 = 8;
pub const FDFLAGS_SYNC: u32 = 16;
/// Every defined `fdflags` bit; any other bit traps.
pub const FDFLAGS_ALL: u32 = 0x1f;

/// preview1 `fstflags`.
pub const FSTFLAGS_ATIM: u32 = 1;
pub const FSTFLAGS_ATIM_NOW: u32 = 2;
pub const FSTFLAGS_MTIM: u32 = 4;
pub const FSTFLAGS_MTIM_NOW: u32 = 8;
pub const FSTFLAGS_ALL: u32 = 0xf;

/// preview1 `rights`.
pub const RIGHTS_FD_DATASYNC: u64 = 1 << 0;
pub const RIGHTS_FD_READ: u64 = 1 << 1;
pub const RIGHTS_FD_SEEK: u64 = 1 << 2;
pub const RIGHTS_FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
pub const RIGHTS_FD_SYNC: u64 = 1 << 4;
pub const RIGHTS_FD_TELL: u64 = 1 << 5;
pub const RIGHTS_FD_WRITE: u64 = 1 << 6;
pub const RIGHTS_FD_ADVISE: u64 = 1 << 7;
pub const RIGHTS_FD_ALLOCATE: u64 = 1 << 8;
pub const RIGHTS_PATH_CREATE_DIRECTORY: u64 = 1 << 9;
pub const RIGHTS_PATH_CREATE_FILE: u64 = 1 << 10;
pub const RIGHTS_PATH_LINK_SOURCE: u64 = 1 << 11;
pub const RIGHTS_PATH_LINK_TARGET: u64 = 1 << 12;
pub const RIGHTS_PATH_OPEN: u64 = 1 << 13;
pub const RIGHTS_FD_READDIR: u64 = 1 << 14;
pub const RIGHTS_PATH_READLINK: u64 = 1 << 15;
pub const RIGHTS_PATH_RENAME_SOURCE: u64 = 1 << 16;
pub const RIGHTS_PATH_RENAME_TARGET: u64 = 1 << 17;
pub const RIGHTS_PATH_FILESTAT_GET: u64 = 1 << 18;
pub const RIGHTS_PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
pub const RIGHTS_PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
pub const RIGHTS_FD_FILESTAT_GET: u64 = 1 << 21;
pub const RIGHTS_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
pub const RIGHTS_FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
pub const RIGHTS_PATH_SYMLINK: u64 = 1 << 24;
pub const RIGHTS_PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
pub const RIGHTS_PATH_UNLINK_FILE: u64 = 1 << 26;
pub const RIGHTS_POLL_FD_READWRITE: u64 = 1 << 27;
/// Every defined right (`Rights::all()`); any other bit traps.
pub const RIGHTS_ALL: u64 = 0x3fff_ffff;

/// What native preview1 reports for a preopened directory (a hard-coded
/// set "expected by many userlands").
const PREOPEN_RIGHTS_BASE: u64 = RIGHTS_PATH_CREATE_DIRECTORY
    | RIGHTS_PATH_CREATE_FILE
    | RIGHTS_PATH_LINK_SOURCE
    | RIGHTS_PATH_LINK_TARGET
    | RIGHTS_PATH_OPEN
    | RIGHTS_FD_READDIR
    | RIGHTS_PATH_READLINK
    | RIGHTS_PATH_RENAME_SOURCE
    | RIGHTS_PATH_RENAME_TARGET
    | RIGHTS_PATH_SYMLINK
    | RIGHTS_PATH_REMOVE_DIRECTORY
    | RIGHTS_PATH_UNLINK_FILE
    | RIGHTS_PATH_FILESTAT_GET
    | RIGHTS_PATH_FILESTAT_SET_TIMES
    | RIGHTS_FD_FILESTAT_GET
    | RIGHTS_FD_FILESTAT_SET_TIMES;
const PREOPEN_RIGHTS_INHERITING: u64 = PREOPEN_RIGHTS_BASE
    | RIGHTS_FD_DATASYNC
    | RIGHTS_FD_READ
    | RIGHTS_FD_SEEK
    | RIGHTS_FD_FDSTAT_SET_FLAGS
    | RIGHTS_FD_SYNC
    | RIGHTS_FD_TELL
    | RIGHTS_FD_WRITE
    | RIGHTS_FD_ADVISE
    | RIGHTS_FD_ALLOCATE
    | RIGHTS_FD_FILESTAT_GET
    | RIGHTS_FD_FILESTAT_SET_SIZE
    | RIGHTS_FD_FILESTAT_SET_TIMES
    | RIGHTS_POLL_FD_READWRITE;

/// The filetype of a standard stream: a character device if it is a
/// terminal, else unknown.
fn std_filetype(isatty: bool) -> u8 {
    if isatty {
        filetype::CHARACTER_DEVICE
    } else {
        filetype::UNKNOWN
    }
}

/// A `datetime` in nanoseconds; missing is 0; `EOVERFLOW` past 2^64 ns.
pub fn timestamp(t: Option<Datetime>) -> Result<u64, Errno> {
    let t = t.unwrap_or(Datetime {
        seconds: 0,
        nanoseconds: 0,
    });
    // `checked_mul` would be a 128-bit multiply (`__multi3`) on wasm32.
    if t.seconds > u64::MAX / 1_000_000_000 {
        return Err(errno::OVERFLOW);
    }
    (t.seconds * 1_000_000_000)
        .checked_add(u64::from(t.nanoseconds))
        .ok_or(errno::OVERFLOW)
}

/// One `fstflags` time (native `systimespec`): set and now together is
/// `EINVAL`.
fn new_timestamp(set: bool, ts: u64, now: bool) -> Result<NewTimestamp, Errno> {
    if set && now {
        Err(errno::INVAL)
    } else if set {
        Ok(NewTimestamp::Timestamp(Datetime {
            seconds: ts / 1_000_000_000,
            nanoseconds: (ts % 1_000_000_000) as u32,
        }))
    } else if now {
        Ok(NewTimestamp::Now)
    } else {
        Ok(NewTimestamp::NoChange)
    }
}

/// Both times of `fstflags` (already checked to have no unknown bit).
pub fn new_timestamps(
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> Result<(NewTimestamp, NewTimestamp), Errno> {
    let a = new_timestamp(
        fst_flags & FSTFLAGS_ATIM != 0,
        atim,
        fst_flags & FSTFLAGS_ATIM_NOW != 0,
    )?;
    let m = new_timestamp(
        fst_flags & FSTFLAGS_MTIM != 0,
        mtim,
        fst_flags & FSTFLAGS_MTIM_NOW != 0,
    )?;
    Ok((a, m))
}

/// preview1 `filestat`, written field by field.
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl Filestat {
    /// From `stat` and `metadata-hash` as native preview1 builds it: `dev`
    /// is always 1, `ino` the lower half of the hash.
    pub fn from_stat(stat: DescriptorStat, hash: MetadataHashValue) -> Result<Filestat, Errno> {
        let filetype = filetype::of(stat.type_);
        Ok(Filestat {
            dev: 1,
            ino: hash.lower,
            filetype,
            nlink: stat.link_count,
            size: stat.size,
            atim: timestamp(stat.data_access_timestamp)?,
            mtim: timestamp(stat.data_modification_timestamp)?,
            ctim: timestamp(stat.status_change_timestamp)?,
        })
    }

    /// Writes the fields (padding untouched); `buf` must be 8-aligned.
    pub fn write(&self, buf: u32) {
        user::check_align(buf, 8);
        user::put::<u64>(buf, self.dev);
        user::put::<u64>(buf + 8, self.ino);
        user::put::<u8>(buf + 16, self.filetype);
        user::put::<u64>(buf + 24, self.nlink);
        user::put::<u64>(buf + 32, self.size);
        user::put::<u64>(buf + 40, self.atim);
        user::put::<u64>(buf + 48, self.mtim);
        user::put::<u64>(buf + 56, self.ctim);
    }
}

/// `fd_close(fd) -> errno`: any descriptor, preopens and standard streams
/// included; its number becomes free, and a listing `fd_readdir` kept for
/// it is dropped.
#[no_mangle]
pub extern "C" fn fd_close(fd: u32) -> i32 {
    errno::run(|| {
        readdir::forget(fd);
        let desc = descriptors::with(|t| t.remove(fd))?;
        drop(desc);
        Ok(())
    })
}

/// `fd_renumber(fd, to) -> errno`: both must be open; the same number is a
/// no-op; otherwise what was at `to` is closed and `fd` moves there
/// (a preopen keeps its name); a listing `fd_readdir` kept for either is
/// dropped.
#[no_mangle]
pub extern "C" fn fd_renumber(fd: u32, to: u32) -> i32 {
    errno::run(|| {
        descriptors::with(|t| {
            if !t.is_open(to) || !t.is_open(fd) {
                return Err(errno::BADF);
            }
            if fd == to {
                return Ok(());
            }
            readdir::forget(fd);
            readdir::forget(to);
            t.renumber(fd, to)
        })
    })
}

/// `fd_fdstat_get(fd, buf: *mut fdstat) -> errno`
///
/// Standard streams: character device if a terminal, else unknown; no
/// flags; stdin may read, stdout/stderr write. Preopens: the hard-coded
/// rights. Other directories and files: `get-flags` and `get-type`; all
/// rights, minus seeking and sizes for directories, minus reading
/// (and readdir) without READ, minus writing without WRITE; flags append
/// and non-blocking from the table, the sync flags from the host.
#[no_mangle]
pub extern "C" fn fd_fdstat_get(fd: u32, buf: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        let (filetype, flags, base, inheriting) = descriptors::with(|t| -> Result<_, Errno> {
            let (host, append, nonblock) = match t.get(fd)? {
                Desc::Stdin { isatty, .. } => {
                    return Ok((
                        std_filetype(isatty.get()),
                        0,
                        RIGHTS_FD_READ,
                        RIGHTS_FD_READ,
                    ))
                }
                Desc::Stdout { isatty, .. } | Desc::Stderr { isatty, .. } => {
                    return Ok((
                        std_filetype(isatty.get()),
                        0,
                        RIGHTS_FD_WRITE,
                        RIGHTS_FD_WRITE,
                    ))
                }
                Desc::Dir {
                    preopen: Some(_), ..
                } => {
                    return Ok((
                        filetype::DIRECTORY,
                        0,
                        PREOPEN_RIGHTS_BASE,
                        PREOPEN_RIGHTS_INHERITING,
                    ))
                }
                Desc::Dir { fd, .. } => (&*fd, false, false),
                Desc::File(f) => (&f.fd, f.append, f.nonblock),
            };
            let host_flags = host.get_flags()?.bits();
            let ty = filetype::of(host.get_type()?);
            let mut rights = RIGHTS_ALL;
            if ty == filetype::DIRECTORY {
                rights &=
                    !(RIGHTS_FD_SEEK | RIGHTS_FD_FILESTAT_SET_SIZE | RIGHTS_PATH_FILESTAT_SET_SIZE);
            }
            if host_flags & DescriptorFlags::READ.bits() == 0 {
                rights &= !(RIGHTS_FD_READ | RIGHTS_FD_READDIR);
            }
            if host_flags & DescriptorFlags::WRITE.bits() == 0 {
                rights &= !RIGHTS_FD_WRITE;
            }
            let mut flags = 0u16;
            if host_flags & DescriptorFlags::DATA_INTEGRITY_SYNC.bits() != 0 {
                flags |= FDFLAGS_DSYNC as u16;
            }
            if host_flags & DescriptorFlags::REQUESTED_WRITE_SYNC.bits() != 0 {
                flags |= FDFLAGS_RSYNC as u16;
            }
            if host_flags & DescriptorFlags::FILE_INTEGRITY_SYNC.bits() != 0 {
                flags |= FDFLAGS_SYNC as u16;
            }
            if append {
                flags |= FDFLAGS_APPEND as u16;
            }
            if nonblock {
                flags |= FDFLAGS_NONBLOCK as u16;
            }
            Ok((ty, flags, rights, rights))
        })?;
        user::check_align(buf, 8);
        user::put::<u8>(buf, filetype);
        user::put::<u16>(buf + 2, flags);
        user::put::<u64>(buf + 8, base);
        user::put::<u64>(buf + 16, inheriting);
        Ok(())
    })
}

/// `fd_fdstat_set_flags(fd, flags: fdflags) -> errno`
///
/// Files only (`EBADF` otherwise, checked first); the sync flags are
/// `EINVAL`; append and non-blocking are kept in the table.
#[no_mangle]
pub extern "C" fn fd_fdstat_set_flags(fd: u32, flags: u32) -> i32 {
    // The standard proxy adapter: only `append` and `nonblock` may be asked
    // for (and neither is supported).
    crate::needs_filesystem!(if flags & !(FDFLAGS_APPEND | FDFLAGS_NONBLOCK) != 0 {
        errno::INVAL
    } else {
        errno::NOTSUP
    });
    if flags & !FDFLAGS_ALL != 0 {
        crate::trap();
    }
    errno::run(|| {
        descriptors::with(|t| {
            let f = t.file(fd)?;
            if flags & (FDFLAGS_DSYNC | FDFLAGS_SYNC | FDFLAGS_RSYNC) != 0 {
                return Err(errno::INVAL);
            }
            f.append = flags & FDFLAGS_APPEND != 0;
            f.nonblock = flags & FDFLAGS_NONBLOCK != 0;
            Ok(())
        })
    })
}

/// `fd_fdstat_set_rights(fd, base: rights, inheriting: rights) -> errno`:
/// `ENOTSUP` for files and directories, `EBADF` for the standard streams.
#[no_mangle]
pub extern "C" fn fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) -> i32 {
    // Every open fd of the proxy variant is a standard stream.
    crate::needs_filesystem!(if descriptors::with(|t| t.is_open(fd)) {
        errno::NOTSUP
    } else {
        errno::BADF
    });
    if (base | inheriting) & !RIGHTS_ALL != 0 {
        crate::trap();
    }
    errno::run(|| {
        descriptors::with(|t| t.fs(fd).map(|_| ()))?;
        Err(errno::NOTSUP)
    })
}

/// `fd_filestat_get(fd, buf: *mut filestat) -> errno`
///
/// Standard streams: zeros but the filetype. Files and directories:
/// `stat` + `metadata-hash` (see [`Filestat::from_stat`]).
#[no_mangle]
pub extern "C" fn fd_filestat_get(fd: u32, buf: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        let stat = descriptors::with(|t| {
            let host = match t.get(fd)? {
                Desc::Stdin { isatty, .. }
                | Desc::Stdout { isatty, .. }
                | Desc::Stderr { isatty, .. } => {
                    return Ok(Filestat {
                        dev: 0,
                        ino: 0,
                        filetype: std_filetype(isatty.get()),
                        nlink: 0,
                        size: 0,
                        atim: 0,
                        mtim: 0,
                        ctim: 0,
                    })
                }
                Desc::Dir { fd, .. } => {
                    let stat = fd.stat()?;
                    return Filestat::from_stat(stat, fd.metadata_hash()?);
                }
                Desc::File(f) => f,
            };
            let stat = host.fd.stat()?;
            Filestat::from_stat(stat, host.metadata_hash()?)
        })?;
        stat.write(buf);
        Ok(())
    })
}

/// `fd_filestat_set_size(fd, size: filesize) -> errno`: files only.
#[no_mangle]
pub extern "C" fn fd_filestat_set_size(fd: u32, size: u64) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| descriptors::with(|t| Ok(t.file(fd)?.fd.set_size(size)?)))
}

/// `fd_filestat_set_times(fd, atim, mtim, fst_flags) -> errno`: the flags
/// are checked first (`EINVAL` even for a bad fd); files and directories.
#[no_mangle]
pub extern "C" fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, fst_flags: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    if fst_flags & !FSTFLAGS_ALL != 0 {
        crate::trap();
    }
    errno::run(|| {
        let (a, m) = new_timestamps(atim, mtim, fst_flags)?;
        descriptors::with(|t| Ok(t.fs(fd)?.set_times(a, m)?))
    })
}

/// `fd_advise(fd, offset, len, advice) -> errno`: files only; an unknown
/// advice traps.
#[no_mangle]
pub extern "C" fn fd_advise(fd: u32, offset: u64, len: u64, advice: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    let advice = match advice {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => crate::trap(),
    };
    errno::run(|| descriptors::with(|t| Ok(t.file(fd)?.fd.advise(offset, len, advice)?)))
}

/// `fd_allocate(fd, offset, len) -> errno`: `ENOTSUP` for files, `EBADF`
/// for anything else.
#[no_mangle]
pub extern "C" fn fd_allocate(fd: u32, _offset: u64, _len: u64) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        descriptors::with(|t| t.file(fd).map(|_| ()))?;
        Err(errno::NOTSUP)
    })
}

/// `fd_datasync(fd) -> errno`: files only, `sync-data`.
#[no_mangle]
pub extern "C" fn fd_datasync(fd: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| descriptors::with(|t| Ok(t.file(fd)?.fd.sync_data()?)))
}

/// `fd_sync(fd) -> errno`: files only, `sync`.
#[no_mangle]
pub extern "C" fn fd_sync(fd: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| descriptors::with(|t| Ok(t.file(fd)?.fd.sync()?)))
}

/// `fd_prestat_get(fd, buf: *mut prestat) -> errno`: a preopen gives
/// `{tag: dir, pr_name_len}` (the guest path's length, no NUL); anything
/// else is `EBADF`.
#[no_mangle]
pub extern "C" fn fd_prestat_get(fd: u32, buf: u32) -> i32 {
    crate::needs_filesystem!(errno::BADF);
    errno::run(|| {
        let len = descriptors::with(|t| match t.get(fd)? {
            Desc::Dir {
                preopen: Some(p), ..
            } => Ok(p.len() as u32),
            _ => Err(errno::BADF),
        })?;
        user::check_align(buf, 4);
        user::put::<u8>(buf, 0);
        user::put::<u32>(buf + 4, len);
        Ok(())
    })
}

/// `fd_prestat_dir_name(fd, path: *mut u8, path_len: size) -> errno`:
/// `EBADF` if not open, `ENOTDIR` if not a preopen, `ENAMETOOLONG` if the
/// name does not fit; else exactly the name's bytes (no NUL).
#[no_mangle]
pub extern "C" fn fd_prestat_dir_name(fd: u32, path: u32, path_len: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        descriptors::with(|t| match t.get(fd)? {
            Desc::Dir {
                preopen: Some(p), ..
            } => {
                if p.len() > path_len as usize {
                    return Err(errno::NAMETOOLONG);
                }
                user::write_bytes(path, p.as_bytes());
                Ok(())
            }
            _ => Err(errno::NOTDIR),
        })
    })
}
