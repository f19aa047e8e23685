//! Preview1 error numbers (`wasi_snapshot_preview1` `errno`, a `u16` returned
//! as `i32`) and the glue from `Result` to the raw return value.

/// A preview1 `errno`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Errno(pub u16);

pub const SUCCESS: Errno = Errno(0);
pub const BADF: Errno = Errno(8);
pub const INVAL: Errno = Errno(28);
pub const IO: Errno = Errno(29);
pub const OVERFLOW: Errno = Errno(61);

/// Runs `f` and turns its outcome into the value a preview1 function returns.
#[inline(always)]
pub fn run(f: impl FnOnce() -> Result<(), Errno>) -> i32 {
    match f() {
        Ok(()) => SUCCESS.0 as i32,
        Err(e) => e.0 as i32,
    }
}

/// `wasi:io/streams` errors as preview1 sees them: `EIO`, as in native
/// preview1 and the standard adapter. (Both refine a failed operation on a
/// *file* through its error code — `wasi:filesystem`'s
/// `filesystem-error-code` in the adapter; not needed for stdout/stderr.)
pub fn from_stream_error(_: wasip2::io::streams::StreamError) -> Errno {
    IO
}
