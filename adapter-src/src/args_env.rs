//! `args_sizes_get`, `args_get`, `environ_sizes_get`, `environ_get` on
//! `wasi:cli/environment`.
//!
//! The strings are fetched once (see [`crate::state`]) and kept in the
//! private memory in the exact layout the caller's buffer gets, so a `*_get`
//! is one `copy_to_user` of the whole buffer plus one pointer write per
//! string. Out-pointers and the pointer array must be 4-aligned (native
//! preview1 traps otherwise).

use crate::errno;
use crate::state::{self, StringTable};
use crate::user;

/// Writes the number of strings to `count` and the buffer size they need
/// (terminators included) to `buf_size`.
fn sizes_get(table: &StringTable, count: u32, buf_size: u32) -> i32 {
    errno::run(|| {
        user::put::<u32>(count, table.count());
        user::put::<u32>(buf_size, table.buf_size());
        Ok(())
    })
}

/// Copies the strings to `buf` and their addresses to `ptrs[0..count]`.
fn strings_get(table: &StringTable, ptrs: u32, buf: u32) -> i32 {
    errno::run(|| {
        user::write_bytes(buf, &table.blob);
        if !table.offsets.is_empty() {
            user::check_align(ptrs, 4);
        }
        for (i, offset) in table.offsets.iter().enumerate() {
            let ptr = user::element(ptrs, i as u32, 4);
            user::put::<u32>(ptr, buf.wrapping_add(*offset));
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
