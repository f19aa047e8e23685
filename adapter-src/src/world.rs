//! Which WASI 0.2 world the adapter is built for: the command world (every
//! `wasi:cli` and `wasi:filesystem` interface), or, with feature `proxy`,
//! `wasi:http/proxy`, which has stdio, clocks, random and `wasi:io` but no
//! file system, environment, exit or terminals.
//!
//! The proxy variant must not import anything outside its world, or a proxy
//! host (`wasmtime serve`) refuses the component. Two things make sure of
//! it, both checked by the import list the component ends up with:
//! - [`crate::descriptors::HostFd`], the file system descriptor of every
//!   file and directory in the table, has no values in the proxy variant,
//!   so the compiler drops every branch that would call `wasi:filesystem`;
//! - [`needs_filesystem!`] makes a preview1 function that is about the file
//!   system return, in the proxy variant, what the standard adapter's proxy
//!   variant returns (`ENOTSUP` for almost all of them), before it looks at
//!   its arguments.

/// Whether this is the proxy variant.
pub const PROXY: bool = cfg!(feature = "proxy");

/// In the proxy variant, returns `$errno` from the enclosing preview1
/// function (after the integrity check's entry and exit, as every call).
#[macro_export]
macro_rules! needs_filesystem {
    ($errno:expr) => {
        if $crate::world::PROXY {
            return $crate::errno::run(|| Err($errno));
        }
    };
}
