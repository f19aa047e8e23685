//! The mmadapt preview1 adapter: `wasi_snapshot_preview1` on top of WASI 0.2.
//!
//! Compiled as an ordinary single-memory `wasm32-unknown-unknown` cdylib, then
//! split by `mmadapt split` into a two-memory module: memory 0 is the main
//! module's (imported as `env`.`memory`), memory 1 is this adapter's own
//! (stack, statics, heap). Every access to the main module's memory goes
//! through `mmadapt-markers` (`UserPtr`, `copy_to_user`, `copy_from_user`), so
//! after the split it is the only code that touches memory 0.
//!
//! Layout, one file per area:
//! - [`allocator`] — the global allocator of the private memory and
//!   `cabi_import_realloc`, which the component's lowerings of WASI 0.2
//!   imports use to return lists and strings into the private memory;
//! - [`errno`] — preview1 error numbers and the `Result` glue;
//! - [`user`] — checked access to user memory (bounds, alignment, strings,
//!   iovecs) and native preview1's hostcall fuel;
//! - [`state`] — lazily initialised adapter state (args, env);
//! - [`descriptors`] — the descriptor table (std streams, preopens, files,
//!   directories) and its fd allocation;
//! - [`args_env`] — `args_*`, `environ_*`;
//! - [`fd`] — `fd_close`, `fd_renumber`, `fd_fdstat_*`, `fd_filestat_*`,
//!   `fd_advise`, `fd_allocate`, `fd_datasync`, `fd_sync`, `fd_prestat_*`;
//! - [`io`] — `fd_read`, `fd_write`, `fd_pread`, `fd_pwrite`, `fd_seek`,
//!   `fd_tell`;
//! - [`readdir`] — `fd_readdir`, and the listing it keeps between calls;
//! - [`filetype`] — preview1 `filetype` values, shared by [`fd`] and
//!   [`readdir`];
//! - [`paths`] — `path_*`;
//! - [`clock`] — `clock_res_get`, `clock_time_get`;
//! - [`poll`] — `poll_oneoff`;
//! - [`random`] — `random_get`;
//! - [`proc`] — `proc_exit`, `proc_raise`, `sched_yield`;
//! - [`sockets`] — `sock_*`;
//! - [`run`] — `wasi:cli/run#run` for the command variant;
//! - [`zero_copy`] — file reads and writes straight between the host and
//!   the user's buffer, through second lowerings the component adds;
//! - [`world`] — the command world or `wasi:http/proxy` (feature `proxy`):
//!   what the proxy variant leaves out;
//! - [`integrity`] — with feature `integrity-check` (tests only): checks of
//!   the private memory around every preview1 call.
//!
//! Export names are exactly the preview1 function names (wit-component wires
//! the main module's `wasi_snapshot_preview1` imports to the adapter's exports
//! of the same name). Every function takes user addresses as `u32` and wraps
//! them in `UserPtr` at once.

#![no_std]

extern crate alloc;

pub mod allocator;
pub mod args_env;
pub mod clock;
pub mod descriptors;
pub mod errno;
pub mod fd;
pub mod filetype;
pub mod integrity;
pub mod io;
pub mod paths;
pub mod poll;
pub mod proc;
pub mod random;
pub mod readdir;
#[cfg(feature = "command")]
pub mod run;
pub mod sockets;
pub mod state;
pub mod user;
pub mod world;
pub mod zero_copy;

/// `panic = "abort"`: a panic is a trap, after a message goes to the
/// program's stderr (a panic in the adapter is a bug in it; the message says
/// where). A formatted message is shown only when it is a plain string.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let mut m = FatalMessage::new();
    m.put(b"mmadapt adapter panicked");
    if let Some(at) = info.location() {
        m.put_location(at);
    }
    if let Some(message) = info.message().as_str() {
        m.put(b": ");
        m.put(message.as_bytes());
    }
    m.put(b"\n");
    m.write_and_trap()
}

/// A last message before a trap (a panic, a failed integrity check),
/// written to the program's stderr piece by piece as it is put together:
/// no allocation (the heap may be what is broken), no buffer, and no
/// `core::fmt`, which would add tens of kilobytes to the adapter. Each
/// piece is cut at 4096 bytes (one `blocking-write-and-flush`).
#[cfg(target_arch = "wasm32")]
pub(crate) struct FatalMessage {
    stream: wasip2::io::streams::OutputStream,
}

#[cfg(target_arch = "wasm32")]
impl FatalMessage {
    pub(crate) fn new() -> FatalMessage {
        FatalMessage {
            stream: wasip2::cli::stderr::get_stderr(),
        }
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) {
        let _ = self
            .stream
            .blocking_write_and_flush(&bytes[..bytes.len().min(4096)]);
    }

    /// ` at FILE:LINE`.
    pub(crate) fn put_location(&mut self, at: &core::panic::Location<'_>) {
        self.put(b" at ");
        self.put(at.file().as_bytes());
        self.put(b":");
        let mut digits = [0u8; 10];
        let mut n = at.line();
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.put(&digits[i..]);
    }

    /// Traps (the message is out already).
    pub(crate) fn write_and_trap(self) -> ! {
        core::arch::wasm32::unreachable()
    }
}

/// Traps. For states the WASI contract rules out (e.g. an allocation failure
/// in the private memory).
#[inline(always)]
pub(crate) fn trap() -> ! {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    unreachable!()
}
