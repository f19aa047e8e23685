//! `path_*`: `path_open`, `path_create_directory`, `path_filestat_get`,
//! `path_filestat_set_times`, `path_link`, `path_readlink`,
//! `path_remove_directory`, `path_rename`, `path_symlink`,
//! `path_unlink_file`, on `wasi:filesystem` `*-at` calls.
//!
//! As native preview1 (`p1.rs`): invalid flag arguments trap; the
//! directory fds are looked up first (`EBADF` for anything but a
//! directory, files included), then the path strings are read (hostcall
//! fuel, bounds, UTF-8 -> `EILSEQ`; `path_unlink_file` charges no fuel);
//! `path_open` reads its path *before* looking up the fd and answers
//! `ENOTDIR` for a file fd. Everything else (permissions of read-only
//! preopens, sandbox escapes, OS errors) is decided by the host, the same
//! code for native preview1 and WASI 0.2.

use crate::descriptors::{self, Desc, File};
use crate::errno::{self, Errno};
use crate::fd::{
    new_timestamps, Filestat, FDFLAGS_ALL, FDFLAGS_APPEND, FDFLAGS_DSYNC, FDFLAGS_NONBLOCK,
    FDFLAGS_RSYNC, FDFLAGS_SYNC, FSTFLAGS_ALL, RIGHTS_ALL, RIGHTS_FD_READ, RIGHTS_FD_WRITE,
};
use crate::user::{self, Fuel};
use alloc::string::String;
use wasip2::filesystem::types::{
    Descriptor, DescriptorFlags, DescriptorType, OpenFlags, PathFlags,
};

/// `lookupflags.symlink_follow`; any other bit traps.
const LOOKUPFLAGS_SYMLINK_FOLLOW: u32 = 1;

/// `oflags`; any other bit traps.
const OFLAGS_CREAT: u32 = 1;
const OFLAGS_DIRECTORY: u32 = 2;
const OFLAGS_EXCL: u32 = 4;
const OFLAGS_TRUNC: u32 = 8;
const OFLAGS_ALL: u32 = 0xf;

/// `lookupflags` -> `path-flags`; traps on unknown bits.
fn path_flags(flags: u32) -> PathFlags {
    match flags {
        0 => PathFlags::empty(),
        LOOKUPFLAGS_SYMLINK_FOLLOW => PathFlags::SYMLINK_FOLLOW,
        _ => crate::trap(),
    }
}

/// `path_open(fd, dirflags, path, path_len, oflags, fs_rights_base, fs_rights_inheriting, fdflags, opened_fd: *mut fd) -> errno`
///
/// Rights only choose the open mode (FD_READ -> read, FD_WRITE -> write);
/// the sync fdflags become sync flags (which the host refuses); append and
/// non-blocking stay in the table. What opens as a directory becomes a
/// directory descriptor, anything else a file.
// In the proxy variant nothing after `dir.opened` can run (no directory
// exists), which the compiler sees.
#[cfg_attr(feature = "proxy", allow(unused_variables))]
#[no_mangle]
pub extern "C" fn path_open(
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    fs_rights_base: u64,
    fs_rights_inheriting: u64,
    fdflags: u32,
    opened_fd: u32,
) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    let pflags = path_flags(dirflags);
    if oflags & !OFLAGS_ALL != 0
        || (fs_rights_base | fs_rights_inheriting) & !RIGHTS_ALL != 0
        || fdflags & !FDFLAGS_ALL != 0
    {
        crate::trap();
    }
    errno::run(|| {
        let path = user::read_string(Some(&mut Fuel::new()), path, path_len)?;

        let mut flags = 0u8;
        if fs_rights_base & RIGHTS_FD_READ != 0 {
            flags |= DescriptorFlags::READ.bits();
        }
        if fs_rights_base & RIGHTS_FD_WRITE != 0 {
            flags |= DescriptorFlags::WRITE.bits();
        }
        if fdflags & FDFLAGS_SYNC != 0 {
            flags |= DescriptorFlags::FILE_INTEGRITY_SYNC.bits();
        }
        if fdflags & FDFLAGS_DSYNC != 0 {
            flags |= DescriptorFlags::DATA_INTEGRITY_SYNC.bits();
        }
        if fdflags & FDFLAGS_RSYNC != 0 {
            flags |= DescriptorFlags::REQUESTED_WRITE_SYNC.bits();
        }
        let mut open = 0u8;
        if oflags & OFLAGS_CREAT != 0 {
            open |= OpenFlags::CREATE.bits();
        }
        if oflags & OFLAGS_DIRECTORY != 0 {
            open |= OpenFlags::DIRECTORY.bits();
        }
        if oflags & OFLAGS_EXCL != 0 {
            open |= OpenFlags::EXCLUSIVE.bits();
        }
        if oflags & OFLAGS_TRUNC != 0 {
            open |= OpenFlags::TRUNCATE.bits();
        }

        let new = descriptors::with(|t| {
            let dir = match t.get(fd)? {
                Desc::Dir { fd, .. } => &*fd,
                Desc::File(_) => return Err(errno::NOTDIR),
                _ => return Err(errno::BADF),
            };
            let opened = dir.open_at(
                pflags,
                &path,
                OpenFlags::from_bits_retain(open),
                DescriptorFlags::from_bits_retain(flags),
            )?;
            let opened = dir.opened(opened);
            let desc = if opened.get_type()? == DescriptorType::Directory {
                Desc::Dir {
                    fd: opened,
                    preopen: None,
                }
            } else {
                Desc::File(File::new(
                    opened,
                    fdflags & FDFLAGS_APPEND != 0,
                    fdflags & FDFLAGS_NONBLOCK != 0,
                ))
            };
            Ok::<u32, Errno>(t.push(desc))
        })?;
        user::put::<u32>(opened_fd, new);
        Ok(())
    })
}

/// The directory `fd` and the path the guest passed, in native's order: a bad
/// or non-directory `fd` is reported before the path is read.
fn dir_and_path(
    t: &descriptors::Table,
    fd: u32,
    path: u32,
    path_len: u32,
) -> Result<(&Descriptor, String), Errno> {
    let dir = t.dir(fd)?;
    let path = user::read_string(Some(&mut Fuel::new()), path, path_len)?;
    Ok((dir, path))
}

/// `path_create_directory(fd, path, path_len) -> errno`
#[no_mangle]
pub extern "C" fn path_create_directory(fd: u32, path: u32, path_len: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        descriptors::with(|t| {
            let (dir, path) = dir_and_path(t, fd, path, path_len)?;
            Ok(dir.create_directory_at(&path)?)
        })
    })
}

/// `path_filestat_get(fd, flags: lookupflags, path, path_len, buf: *mut filestat) -> errno`:
/// `stat-at` and `metadata-hash-at` with the same follow flag.
#[no_mangle]
pub extern "C" fn path_filestat_get(
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    buf: u32,
) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    let pflags = path_flags(flags);
    errno::run(|| {
        let stat = descriptors::with(|t| {
            let (dir, path) = dir_and_path(t, fd, path, path_len)?;
            let stat = dir.stat_at(pflags, &path)?;
            let hash = dir.metadata_hash_at(pflags, &path)?;
            Filestat::from_stat(stat, hash)
        })?;
        stat.write(buf);
        Ok(())
    })
}

/// `path_filestat_set_times(fd, flags: lookupflags, path, path_len, atim, mtim, fst_flags) -> errno`:
/// the time flags are checked before anything else (`EINVAL`).
#[no_mangle]
pub extern "C" fn path_filestat_set_times(
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    let pflags = path_flags(flags);
    if fst_flags & !FSTFLAGS_ALL != 0 {
        crate::trap();
    }
    errno::run(|| {
        let (a, m) = new_timestamps(atim, mtim, fst_flags)?;
        descriptors::with(|t| {
            let (dir, path) = dir_and_path(t, fd, path, path_len)?;
            Ok(dir.set_times_at(pflags, &path, a, m)?)
        })
    })
}

/// `path_link(old_fd, old_flags: lookupflags, old_path, old_path_len, new_fd, new_path, new_path_len) -> errno`
#[no_mangle]
pub extern "C" fn path_link(
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    let pflags = path_flags(old_flags);
    errno::run(|| {
        descriptors::with(|t| {
            let old_dir = t.dir(old_fd)?;
            let new_dir = t.dir(new_fd)?;
            let mut fuel = Fuel::new();
            let old_path = user::read_string(Some(&mut fuel), old_path, old_path_len)?;
            let new_path = user::read_string(Some(&mut fuel), new_path, new_path_len)?;
            Ok(old_dir.link_at(pflags, &old_path, new_dir, &new_path)?)
        })
    })
}

/// `path_readlink(fd, path, path_len, buf: *mut u8, buf_len: size, bufused: *mut size) -> errno`:
/// the target truncated to `buf_len` bytes (no NUL).
#[no_mangle]
pub extern "C" fn path_readlink(
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        let target = descriptors::with(|t| {
            let (dir, path) = dir_and_path(t, fd, path, path_len)?;
            Ok::<_, Errno>(dir.readlink_at(&path)?)
        })?;
        let bytes = target.as_bytes();
        let bytes = &bytes[..bytes.len().min(buf_len as usize)];
        user::write_bytes(buf, bytes);
        user::put::<u32>(bufused, bytes.len() as u32);
        Ok(())
    })
}

/// `path_remove_directory(fd, path, path_len) -> errno`
#[no_mangle]
pub extern "C" fn path_remove_directory(fd: u32, path: u32, path_len: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        descriptors::with(|t| {
            let (dir, path) = dir_and_path(t, fd, path, path_len)?;
            Ok(dir.remove_directory_at(&path)?)
        })
    })
}

/// `path_rename(fd, old_path, old_path_len, new_fd, new_path, new_path_len) -> errno`
#[no_mangle]
pub extern "C" fn path_rename(
    fd: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        descriptors::with(|t| {
            let old_dir = t.dir(fd)?;
            let new_dir = t.dir(new_fd)?;
            let mut fuel = Fuel::new();
            let old_path = user::read_string(Some(&mut fuel), old_path, old_path_len)?;
            let new_path = user::read_string(Some(&mut fuel), new_path, new_path_len)?;
            Ok(old_dir.rename_at(&old_path, new_dir, &new_path)?)
        })
    })
}

/// `path_symlink(old_path, old_path_len, fd, new_path, new_path_len) -> errno`:
/// `old_path` is the link's contents.
#[no_mangle]
pub extern "C" fn path_symlink(
    old_path: u32,
    old_path_len: u32,
    fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        descriptors::with(|t| {
            let dir = t.dir(fd)?;
            let mut fuel = Fuel::new();
            let old_path = user::read_string(Some(&mut fuel), old_path, old_path_len)?;
            let new_path = user::read_string(Some(&mut fuel), new_path, new_path_len)?;
            Ok(dir.symlink_at(&old_path, &new_path)?)
        })
    })
}

/// `path_unlink_file(fd, path, path_len) -> errno` (its path is read
/// without charging fuel, as natively).
#[no_mangle]
pub extern "C" fn path_unlink_file(fd: u32, path: u32, path_len: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        descriptors::with(|t| {
            let dir = t.dir(fd)?;
            let path = user::read_string(None, path, path_len)?;
            Ok(dir.unlink_file_at(&path)?)
        })
    })
}
