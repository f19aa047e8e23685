//! `args_sizes_get`, `args_get`, `environ_sizes_get`, `environ_get` on
//! `wasi:cli/environment`.
//!
//! The strings are fetched once (see [`crate::state`]) and kept in the
//! private memory in the exact layout the caller's buffer gets, so a `*_get`
//! is one `copy_to_user` of the whole buffer plus one pointer write per
//! string.

use crate::errno;
use crate::state::{self, StringTable};
use mmadapt_markers::{copy_to_user, UserPtr};

/// Writes the number of strings to `count` and the buffer size they need
/// (terminators included) to `buf_size`.
fn sizes_get(table: &StringTable, count: u32, buf_size: u32) -> i32 {
    errno::run(|| {
        UserPtr::<u32>::new(count).write(table.count());
        UserPtr::<u32>::new(buf_size).write(table.buf_size());
        Ok(())
    })
}

/// Copies the strings to `buf` and their addresses to `ptrs[0..count]`.
fn strings_get(table: &StringTable, ptrs: u32, buf: u32) -> i32 {
    errno::run(|| {
        let buf = UserPtr::<u8>::new(buf);
        if !table.blob.is_empty() {
            copy_to_user(buf, &table.blob);
        }
        let ptrs = UserPtr::<u32>::new(ptrs);
        for (i, offset) in table.offsets.iter().enumerate() {
            ptrs.add(i as u32).write(buf.addr().wrapping_add(*offset));
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
