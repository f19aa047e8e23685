//! `args_sizes_get`, `args_get`, `environ_sizes_get`, `environ_get` on
//! `wasi:cli/environment`.
//!
//! The strings are fetched once (see [`crate::state`]) and kept in the
//! private memory in the exact layout the caller's buffer gets, so a `*_get`
//! is one pointer write and one `copy_to_user` per string. Out-pointers and
//! the pointer array must be 4-aligned (native preview1 traps otherwise).

use crate::errno;
use crate::state::{self, StringTable};
use crate::user;

/// Writes the number of strings to `count` and the buffer size they need
/// (terminators included) to `buf_size`.
fn sizes_get(table: &StringTable, count: u32, buf_size: u32) -> i32 {
    errno::run(|| {
        // Native preview1 stores the size first and the count last: if both
        // out-pointers are the same, the count wins (found by the hostile
        // guest).
        user::put::<u32>(buf_size, table.buf_size());
        user::put::<u32>(count, table.count());
        Ok(())
    })
}

/// Copies the strings to `buf` and their addresses to `ptrs[0..count]`, in
/// native preview1's order: for each string, its pointer, then its bytes and
/// terminator. The order is visible when the two buffers overlap (a hostile
/// or confused caller): later writes win, exactly as natively. (Writing all
/// the bytes first and then all the pointers gave different memory
/// contents; found by the hostile guest, `tests/programs/rust/src/bin/hostile.rs`.)
fn strings_get(table: &StringTable, ptrs: u32, buf: u32) -> i32 {
    errno::run(|| {
        let blob_len = table.blob.len() as u32;
        for (i, &start) in table.offsets.iter().enumerate() {
            // From its offset to the next (strings may contain NULs).
            let end = table.offsets.get(i + 1).copied().unwrap_or(blob_len);
            let string = table
                .blob
                .get(start as usize..end as usize)
                .unwrap_or_else(|| crate::trap());
            // 4-aligned, in bounds (the store traps otherwise).
            user::put::<u32>(user::element(ptrs, i as u32, 4), buf.wrapping_add(start));
            // In bounds or trap; a string that would wrap past 2^32 traps
            // in the store too (it cannot fit below 2^32).
            user::write_bytes(buf.wrapping_add(start), string);
        }
        Ok(())
    })
}

/// `args_sizes_get(argc: *mut size, argv_buf_size: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn args_sizes_get(argc: u32, argv_buf_size: u32) -> i32 {
    sizes_get(state::args(), argc, argv_buf_size)
}

/// `args_get(argv: *mut *mut u8, argv_buf: *mut u8) -> errno`
#[no_mangle]
pub extern "C" fn args_get(argv: u32, argv_buf: u32) -> i32 {
    strings_get(state::args(), argv, argv_buf)
}

/// `environ_sizes_get(environc: *mut size, environ_buf_size: *mut size) -> errno`
#[no_mangle]
pub extern "C" fn environ_sizes_get(environc: u32, environ_buf_size: u32) -> i32 {
    sizes_get(state::env(), environc, environ_buf_size)
}

/// `environ_get(environ: *mut *mut u8, environ_buf: *mut u8) -> errno`
#[no_mangle]
pub extern "C" fn environ_get(environ: u32, environ_buf: u32) -> i32 {
    strings_get(state::env(), environ, environ_buf)
}
