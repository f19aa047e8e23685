//! Preview1 error numbers (`wasi_snapshot_preview1` `errno`, a `u16` returned
//! as `i32`), the glue from `Result` to the raw return value, and the
//! mapping of WASI 0.2 errors to preview1 errors (the same tables as
//! wasmtime's native preview1, `p1.rs` `From<ErrorCode>` and
//! `From<StreamError>`).

#[cfg(not(feature = "proxy"))]
use wasip2::filesystem::types::filesystem_error_code;
use wasip2::filesystem::types::ErrorCode;
use wasip2::io::streams::StreamError;

/// A preview1 `errno`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Errno(pub u16);

pub const SUCCESS: Errno = Errno(0);
pub const ACCES: Errno = Errno(2);
pub const AGAIN: Errno = Errno(6);
pub const ALREADY: Errno = Errno(7);
pub const BADF: Errno = Errno(8);
pub const BUSY: Errno = Errno(10);
pub const DEADLK: Errno = Errno(16);
pub const DQUOT: Errno = Errno(19);
pub const EXIST: Errno = Errno(20);
pub const FBIG: Errno = Errno(22);
pub const ILSEQ: Errno = Errno(25);
pub const INPROGRESS: Errno = Errno(26);
pub const INTR: Errno = Errno(27);
pub const INVAL: Errno = Errno(28);
pub const IO: Errno = Errno(29);
pub const ISDIR: Errno = Errno(31);
pub const LOOP: Errno = Errno(32);
pub const MLINK: Errno = Errno(34);
pub const MSGSIZE: Errno = Errno(35);
pub const NAMETOOLONG: Errno = Errno(37);
pub const NODEV: Errno = Errno(43);
pub const NOENT: Errno = Errno(44);
pub const NOLCK: Errno = Errno(46);
pub const NOMEM: Errno = Errno(48);
pub const NOSPC: Errno = Errno(51);
pub const NOTDIR: Errno = Errno(54);
pub const NOTEMPTY: Errno = Errno(55);
pub const NOTRECOVERABLE: Errno = Errno(56);
pub const NOTSOCK: Errno = Errno(57);
pub const NOTSUP: Errno = Errno(58);
pub const NOTTY: Errno = Errno(59);
pub const NXIO: Errno = Errno(60);
pub const OVERFLOW: Errno = Errno(61);
pub const PERM: Errno = Errno(63);
pub const PIPE: Errno = Errno(64);
pub const RANGE: Errno = Errno(68);
pub const ROFS: Errno = Errno(69);
pub const SPIPE: Errno = Errno(70);
pub const TXTBSY: Errno = Errno(74);
pub const XDEV: Errno = Errno(75);

/// Runs `f` and turns its outcome into the value a preview1 function returns.
/// With feature `integrity-check`, the private memory is checked before and
/// after `f` (see [`crate::integrity`]; nothing without the feature).
#[inline(always)]
#[cfg_attr(feature = "integrity-check", track_caller)]
pub fn run(f: impl FnOnce() -> Result<(), Errno>) -> i32 {
    let _guard = crate::integrity::Guard::enter();
    match f() {
        Ok(()) => SUCCESS.0 as i32,
        Err(e) => e.0 as i32,
    }
}

impl From<ErrorCode> for Errno {
    /// `wasi:filesystem` `error-code` -> `errno` (native `p1.rs`
    /// `impl From<filesystem::ErrorCode> for types::Errno`). Out of line:
    /// inlined, every file system call had its own copy of the table.
    #[inline(never)]
    fn from(code: ErrorCode) -> Errno {
        match code {
            ErrorCode::Access => ACCES,
            ErrorCode::WouldBlock => AGAIN,
            ErrorCode::Already => ALREADY,
            ErrorCode::BadDescriptor => BADF,
            ErrorCode::Busy => BUSY,
            ErrorCode::Deadlock => DEADLK,
            ErrorCode::Quota => DQUOT,
            ErrorCode::Exist => EXIST,
            ErrorCode::FileTooLarge => FBIG,
            ErrorCode::IllegalByteSequence => ILSEQ,
            ErrorCode::InProgress => INPROGRESS,
            ErrorCode::Interrupted => INTR,
            ErrorCode::Invalid => INVAL,
            ErrorCode::Io => IO,
            ErrorCode::IsDirectory => ISDIR,
            ErrorCode::Loop => LOOP,
            ErrorCode::TooManyLinks => MLINK,
            ErrorCode::MessageSize => MSGSIZE,
            ErrorCode::NameTooLong => NAMETOOLONG,
            ErrorCode::NoDevice => NODEV,
            ErrorCode::NoEntry => NOENT,
            ErrorCode::NoLock => NOLCK,
            ErrorCode::InsufficientMemory => NOMEM,
            ErrorCode::InsufficientSpace => NOSPC,
            ErrorCode::NotDirectory => NOTDIR,
            ErrorCode::NotEmpty => NOTEMPTY,
            ErrorCode::NotRecoverable => NOTRECOVERABLE,
            ErrorCode::Unsupported => NOTSUP,
            ErrorCode::NoTty => NOTTY,
            ErrorCode::NoSuchDevice => NXIO,
            ErrorCode::Overflow => OVERFLOW,
            ErrorCode::NotPermitted => PERM,
            ErrorCode::Pipe => PIPE,
            ErrorCode::ReadOnly => ROFS,
            ErrorCode::InvalidSeek => SPIPE,
            ErrorCode::TextFileBusy => TXTBSY,
            ErrorCode::CrossDevice => XDEV,
        }
    }
}

/// A failed stream operation as preview1 sees it (native `p1.rs`
/// `impl From<StreamError>`): `closed` is `EIO`; `last-operation-failed`
/// is the error code of the underlying I/O error
/// (`filesystem-error-code`), `EIO` when it has none; always `EIO` in the
/// proxy variant, whose world has no `wasi:filesystem`. (Reads treat
/// `closed` as end of file before calling this.)
pub fn from_stream_error(e: StreamError) -> Errno {
    match e {
        StreamError::Closed => IO,
        #[cfg(not(feature = "proxy"))]
        StreamError::LastOperationFailed(err) => match filesystem_error_code(&err) {
            Some(code) => code.into(),
            None => IO,
        },
        #[cfg(feature = "proxy")]
        StreamError::LastOperationFailed(_) => IO,
    }
}
