//! `fd_readdir`, as native preview1 does it (`p1.rs` `fd_readdir`).
//!
//! Every call reads the whole directory (`read-directory`, then every
//! `read-directory-entry`), the directory's `metadata-hash` and, for every
//! entry, `metadata-hash-at` (no symlink following) — all before writing
//! anything; any error fails the whole call. The list is `.` and `..`
//! (both with the directory's own hash as inode, as natively), then the
//! host's entries in its order; entry `i` has `d_next = i + 1`, and the
//! cookie is the number of entries to skip.
//!
//! One listing, one read: a program lists a directory with a series of
//! calls, each resuming at the cookie after the last whole entry it got.
//! When a call fills the buffer, the entries it read are kept (one
//! listing, in this module; `fd_close` and `fd_renumber` drop it with
//! [`forget`] when its fd is closed or renumbered over) and the next call
//! on that fd *at exactly that cookie* continues from them instead of
//! reading the directory again; any other cookie (0 included) reads
//! afresh, as natively. Without this a listing would read the directory
//! once per buffer-full, quadratic in its size. The difference from
//! native: an entry created or removed in the middle of one listing shows
//! up (or disappears) only in the next listing, the snapshot POSIX
//! `readdir` allows.
//!
//! Filling the buffer: for each entry, its 24-byte header (padding zeroed)
//! truncated to the space left, then its name truncated to the space left;
//! when the space runs out the call returns `buf_len` (the last entry may
//! be cut anywhere). Otherwise it returns the bytes used.

use crate::descriptors;
use crate::errno::{self, Errno};
use crate::filetype;
use crate::user;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use wasip2::filesystem::types::{Descriptor, PathFlags};

/// Size of a preview1 `dirent` header.
const DIRENT_SIZE: u32 = 24;

struct Entry {
    ino: u64,
    filetype: u8,
    name: String,
}

/// The entries of a listing in progress on `fd`, and the cookie its next
/// call is expected at.
struct Listing {
    fd: u32,
    resume: u64,
    entries: Vec<Entry>,
}

struct Kept(UnsafeCell<Option<Listing>>);

// Single-threaded: no shared memory, no threads.
unsafe impl Sync for Kept {}

/// The one listing kept between calls.
static KEPT: Kept = Kept(UnsafeCell::new(None));

/// Runs `f` with the kept listing. Never nested, and `f` calls nothing
/// that could come back here.
fn with_kept<R>(f: impl FnOnce(&mut Option<Listing>) -> R) -> R {
    // SAFETY: single-threaded, and each use is a short closure that
    // touches nothing else (see above), so this is the only reference.
    f(unsafe { &mut *KEPT.0.get() })
}

/// Drops the kept listing if it is `fd`'s: that number is being closed or
/// replaced.
pub fn forget(fd: u32) {
    with_kept(|kept| {
        if kept.as_ref().is_some_and(|l| l.fd == fd) {
            *kept = None;
        }
    })
}

/// All entries of `dir`, `.` and `..` first.
fn entries(dir: &Descriptor) -> Result<Vec<Entry>, Errno> {
    let stream = dir.read_directory()?;
    let dir_hash = dir.metadata_hash()?;
    let mut list = Vec::new();
    for name in [".", ".."] {
        list.push(Entry {
            ino: dir_hash.lower,
            filetype: filetype::DIRECTORY,
            name: String::from(name),
        });
    }
    while let Some(entry) = stream.read_directory_entry()? {
        let hash = dir.metadata_hash_at(PathFlags::empty(), &entry.name)?;
        list.push(Entry {
            ino: hash.lower,
            filetype: filetype::of(entry.type_),
            name: entry.name,
        });
    }
    Ok(list)
}

/// `fd_readdir(fd, buf: *mut u8, buf_len: size, cookie: dircookie, bufused: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32) -> i32 {
    crate::needs_filesystem!(errno::NOTSUP);
    errno::run(|| {
        descriptors::with(|t| {
            let kept =
                with_kept(Option::take).filter(|l| l.fd == fd && l.resume == cookie && cookie != 0);
            let entries = match kept {
                Some(l) => l.entries,
                None => entries(t.dir(fd)?)?,
            };
            let (used, resume) = fill(&entries, buf, buf_len, cookie);
            user::put::<u32>(bufused, used);
            if let Some(resume) = resume {
                with_kept(|kept| {
                    *kept = Some(Listing {
                        fd,
                        resume,
                        entries,
                    })
                });
            }
            Ok(())
        })
    })
}

/// Writes the entries from index `cookie` on into the user's buffer.
/// Returns the bytes used and, when the buffer ran out, the index of the
/// first entry that did not fit whole (where the next call will resume).
fn fill(list: &[Entry], buf: u32, buf_len: u32, cookie: u64) -> (u32, Option<u64>) {
    let mut ptr = buf;
    let mut cap = buf_len;
    let skip = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, entry) in list.iter().enumerate().skip(skip) {
        let mut header = [0u8; DIRENT_SIZE as usize];
        header[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        header[8..16].copy_from_slice(&entry.ino.to_le_bytes());
        header[16..20].copy_from_slice(&(entry.name.len() as u32).to_le_bytes());
        header[20] = entry.filetype;
        let n = cap.min(DIRENT_SIZE);
        user::write_bytes(ptr, &header[..n as usize]);
        ptr = ptr.wrapping_add(n);
        cap -= n;
        let name = entry.name.as_bytes();
        if cap == 0 {
            let whole = n == DIRENT_SIZE && name.is_empty();
            return (buf_len, Some(i as u64 + u64::from(whole)));
        }
        let n = cap.min(name.len() as u32);
        user::write_bytes(ptr, &name[..n as usize]);
        ptr = ptr.wrapping_add(n);
        cap -= n;
        if cap == 0 {
            let whole = n as usize == name.len();
            return (buf_len, Some(i as u64 + u64::from(whole)));
        }
    }
    (buf_len - cap, None)
}
