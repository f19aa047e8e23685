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
//! Filling the buffer: for each entry, its 24-byte header (padding zeroed)
//! truncated to the space left, then its name truncated to the space left;
//! when the space runs out the call returns `buf_len` (the last entry may
//! be cut anywhere). Otherwise it returns the bytes used.

use crate::descriptors;
use crate::errno::{self, Errno};
use crate::fd::{filetype, FILETYPE_DIRECTORY};
use crate::user;
use alloc::string::String;
use alloc::vec::Vec;
use wasip2::filesystem::types::{Descriptor, PathFlags};

/// Size of a preview1 `dirent` header.
const DIRENT_SIZE: u32 = 24;

struct Entry {
    ino: u64,
    filetype: u8,
    name: String,
}

/// All entries of `dir`, `.` and `..` first.
fn entries(dir: &Descriptor) -> Result<Vec<Entry>, Errno> {
    let stream = dir.read_directory()?;
    let dir_hash = dir.metadata_hash()?;
    let mut list = Vec::new();
    for name in [".", ".."] {
        list.push(Entry {
            ino: dir_hash.lower,
            filetype: FILETYPE_DIRECTORY,
            name: String::from(name),
        });
    }
    while let Some(entry) = stream.read_directory_entry()? {
        let hash = dir.metadata_hash_at(PathFlags::empty(), &entry.name)?;
        list.push(Entry {
            ino: hash.lower,
            filetype: filetype(entry.type_),
            name: entry.name,
        });
    }
    Ok(list)
}

/// `fd_readdir(fd, buf: *mut u8, buf_len: size, cookie: dircookie, bufused: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32) -> i32 {
    errno::run(|| {
        let list = descriptors::with(|t| entries(t.dir(fd)?))?;
        let mut ptr = buf;
        let mut cap = buf_len;
        let mut used = None;
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
            if cap == 0 {
                used = Some(buf_len);
                break;
            }
            let name = entry.name.as_bytes();
            let n = cap.min(name.len() as u32);
            user::write_bytes(ptr, &name[..n as usize]);
            ptr = ptr.wrapping_add(n);
            cap -= n;
            if cap == 0 {
                used = Some(buf_len);
                break;
            }
        }
        user::put::<u32>(bufused, used.unwrap_or(buf_len - cap));
        Ok(())
    })
}
