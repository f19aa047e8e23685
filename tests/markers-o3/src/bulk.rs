//! Exports built from the bulk helpers: copy-out, copy-in, fill and move,
//! plus iovec-style gather/scatter like fd_write/fd_read.

use mmadapt_markers::{
    copy_from_user, copy_to_user, fill_user, move_within_user, UserBuf, UserPtr,
};

use crate::private::{fnv1a, FNV_OFFSET, HEADER, TABLE};
use crate::state::count_call;

/// Copies the 200-byte `TABLE` data segment to `dst`; returns its length.
#[no_mangle]
pub extern "C" fn copy_table_out(dst: u32) -> u32 {
    copy_to_user(UserPtr::new(dst), &TABLE);
    count_call();
    TABLE.len() as u32
}

/// Copies the 12-byte `HEADER` to `dst` (small enough to become plain loads
/// and stores in a copy-out region); returns its length.
#[no_mangle]
pub extern "C" fn copy_header_out(dst: u32) -> u32 {
    copy_to_user(UserPtr::new(dst), &HEADER);
    count_call();
    HEADER.len() as u32
}

/// FNV-1a of `len` user bytes at `src`, copied in 256 bytes at a time into a
/// shadow-stack buffer and hashed there.
#[no_mangle]
pub extern "C" fn copy_in_and_hash(src: u32, len: u32) -> u64 {
    let src = UserPtr::<u8>::new(src);
    let mut chunk = [0u8; 256];
    let mut hash = FNV_OFFSET;
    let mut done = 0u32;
    while done < len {
        let n = (len - done).min(256) as usize;
        copy_from_user(&mut chunk[..n], src.add(done));
        hash = fnv1a(hash, &chunk[..n]);
        done += n as u32;
    }
    count_call();
    hash
}

/// Sets `len` user bytes at `dst` to `byte` (`memory.fill` on user memory).
#[no_mangle]
pub extern "C" fn fill_user_bytes(dst: u32, byte: u32, len: u32) {
    fill_user(UserPtr::new(dst), byte as u8, len);
    count_call();
}

/// `memmove` of `len` bytes from `src` to `dst`, both in user memory.
#[no_mangle]
pub extern "C" fn move_user(dst: u32, src: u32, len: u32) {
    move_within_user(UserPtr::new(dst), UserPtr::new(src), len);
    count_call();
}

/// Gather, like fd_write: FNV-1a over the bytes of `count` iovecs
/// (`{ buf: u32, len: u32 }`, 8 bytes each) at `iovs`, in order.
#[no_mangle]
pub extern "C" fn iovec_hash(iovs: u32, count: u32) -> u64 {
    let iovs = UserPtr::<UserBuf>::new(iovs);
    let mut chunk = [0u8; 64];
    let mut hash = FNV_OFFSET;
    for i in 0..count {
        let iov = iovs.add(i).read();
        let mut done = 0u32;
        while done < iov.len {
            let part = UserBuf::new(iov.ptr.add(done), iov.len - done);
            let n = part.read_prefix(&mut chunk);
            hash = fnv1a(hash, &chunk[..n as usize]);
            done += n;
        }
    }
    count_call();
    hash
}

/// Scatter, like fd_read: fills `count` iovecs at `iovs` with consecutive
/// bytes of `TABLE` until it runs out; returns the number of bytes written.
#[no_mangle]
pub extern "C" fn scatter_table(iovs: u32, count: u32) -> u32 {
    let iovs = UserPtr::<UserBuf>::new(iovs);
    let mut rest: &[u8] = &TABLE;
    let mut written = 0u32;
    for i in 0..count {
        if rest.is_empty() {
            break;
        }
        let n = iovs.add(i).read().write_prefix(rest);
        rest = &rest[n as usize..];
        written += n;
    }
    count_call();
    written
}
