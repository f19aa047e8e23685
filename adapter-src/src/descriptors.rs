//! The preview1 descriptor table, as native preview1 keeps it
//! (`wasmtime_wasi::p1`, `Descriptors`).
//!
//! - Created on the first call that needs a descriptor: stdin, stdout,
//!   stderr (each with its stream and whether it is a terminal, asked once),
//!   then the preopened directories of `wasi:filesystem/preopens` as fds
//!   3, 4, ... in their order, each with its guest path.
//! - Allocation: the *largest* free number if any, else one past the
//!   largest number in use (0 when empty). Closed numbers are free;
//!   `fd_renumber` frees `from`. Since numbers only come from these two
//!   rules, the numbers in use or free are always exactly `0..len`, so the
//!   table is a vector indexed by fd whose empty slots are the free numbers.
//! - Files keep their position, append and non-blocking flags in the table
//!   (nothing of it reaches the host, as natively): reads and writes pass
//!   explicit offsets to the host, or append.
//!
//! It lives in a static in the private memory. Every preview1 function runs
//! to completion without re-entering the adapter (imports never call back
//! into it, except `cabi_import_realloc`, which touches only the
//! allocator), so [`with`] hands out the one `&mut Table` for the duration
//! of a call; it is never nested.

use crate::errno::{self, Errno};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use wasip2::filesystem::types::{Descriptor, DescriptorFlags};
use wasip2::io::streams::{InputStream, OutputStream};

/// A file opened by `path_open` (anything but a directory).
pub struct File {
    pub fd: Descriptor,
    /// The current position (`fd_read`/`fd_write`/`fd_seek`/`fd_tell`).
    pub position: u64,
    /// `fdflags.append`: every write appends.
    pub append: bool,
    /// `fdflags.nonblock`: reported by `fd_fdstat_get`, otherwise ignored
    /// (native preview1 always does blocking file I/O).
    pub nonblock: bool,
    /// Whether the host descriptor was opened for writing (`get-flags`
    /// has WRITE), asked on first use.
    writable: Option<bool>,
}

impl File {
    pub fn new(fd: Descriptor, append: bool, nonblock: bool) -> File {
        File {
            fd,
            position: 0,
            append,
            nonblock,
            writable: None,
        }
    }

    /// Whether the file was opened for writing. Natively a write to a file
    /// not opened for writing fails in the OS with `EBADF`; WASI 0.2 would
    /// refuse it earlier with `not-permitted` (`EPERM`) under a read-only
    /// preopen, so the adapter asks first.
    pub fn writable(&mut self) -> Result<bool, Errno> {
        if let Some(w) = self.writable {
            return Ok(w);
        }
        let flags = self.fd.get_flags()?;
        let w = flags.bits() & DescriptorFlags::WRITE.bits() != 0;
        self.writable = Some(w);
        Ok(w)
    }
}

/// One open descriptor.
pub enum Desc {
    Stdin {
        stream: InputStream,
        isatty: bool,
    },
    Stdout {
        stream: OutputStream,
        isatty: bool,
    },
    Stderr {
        stream: OutputStream,
        isatty: bool,
    },
    /// A directory; `preopen` is its guest path if it is a preopen (kept
    /// through `fd_renumber`).
    Dir {
        fd: Descriptor,
        preopen: Option<String>,
    },
    File(File),
}

pub struct Table {
    slots: Vec<Option<Desc>>,
}

impl Table {
    fn new() -> Table {
        let mut t = Table { slots: Vec::new() };
        use wasip2::cli::{
            stderr, stdin, stdout, terminal_stderr, terminal_stdin, terminal_stdout,
        };
        let stream = stdin::get_stdin();
        let isatty = terminal_stdin::get_terminal_stdin().is_some();
        t.push(Desc::Stdin { stream, isatty });
        let stream = stdout::get_stdout();
        let isatty = terminal_stdout::get_terminal_stdout().is_some();
        t.push(Desc::Stdout { stream, isatty });
        let stream = stderr::get_stderr();
        let isatty = terminal_stderr::get_terminal_stderr().is_some();
        t.push(Desc::Stderr { stream, isatty });
        for (fd, path) in wasip2::filesystem::preopens::get_directories() {
            t.push(Desc::Dir {
                fd,
                preopen: Some(path),
            });
        }
        t
    }

    /// Adds `desc` under the largest free number, else one past the end.
    pub fn push(&mut self, desc: Desc) -> u32 {
        match self.slots.iter().rposition(Option::is_none) {
            Some(fd) => {
                self.slots[fd] = Some(desc);
                fd as u32
            }
            None => {
                self.slots.push(Some(desc));
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// Whether `fd` is open.
    pub fn is_open(&self, fd: u32) -> bool {
        matches!(self.slots.get(fd as usize), Some(Some(_)))
    }

    /// Removes `fd` (its number becomes free); `EBADF` if it is not open.
    /// Dropping the result releases the WASI 0.2 resource.
    pub fn remove(&mut self, fd: u32) -> Result<Desc, Errno> {
        self.slots
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(errno::BADF)
    }

    /// Moves `from` to `to` (both open, different); what was at `to` is
    /// dropped and `from` becomes free.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<(), Errno> {
        let desc = self.remove(from)?;
        let old = self.slots[to as usize].replace(desc);
        drop(old);
        Ok(())
    }

    /// Any open descriptor (native `get_descriptor`): `EBADF` if absent.
    pub fn get(&mut self, fd: u32) -> Result<&mut Desc, Errno> {
        self.slots
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(errno::BADF)
    }

    /// [`get`](Self::get), shared.
    pub fn get_ref(&self, fd: u32) -> Result<&Desc, Errno> {
        self.slots
            .get(fd as usize)
            .and_then(Option::as_ref)
            .ok_or(errno::BADF)
    }

    /// A file (native `get_file`): `EBADF` for anything else.
    pub fn file(&mut self, fd: u32) -> Result<&mut File, Errno> {
        match self.get(fd)? {
            Desc::File(f) => Ok(f),
            _ => Err(errno::BADF),
        }
    }

    /// A file that can seek (native `get_seekable`): `ESPIPE` for the
    /// standard streams, `EBADF` for directories.
    pub fn seekable(&mut self, fd: u32) -> Result<&mut File, Errno> {
        match self.get(fd)? {
            Desc::File(f) => Ok(f),
            Desc::Stdin { .. } | Desc::Stdout { .. } | Desc::Stderr { .. } => Err(errno::SPIPE),
            Desc::Dir { .. } => Err(errno::BADF),
        }
    }

    /// The host descriptor of a file or directory (native `get_fd`):
    /// `EBADF` for the standard streams.
    pub fn fs(&self, fd: u32) -> Result<&Descriptor, Errno> {
        match self.get_ref(fd)? {
            Desc::File(f) => Ok(&f.fd),
            Desc::Dir { fd, .. } => Ok(fd),
            _ => Err(errno::BADF),
        }
    }

    /// A directory (native `get_dir_fd`): `EBADF` for anything else,
    /// files included.
    pub fn dir(&self, fd: u32) -> Result<&Descriptor, Errno> {
        match self.get_ref(fd)? {
            Desc::Dir { fd, .. } => Ok(fd),
            _ => Err(errno::BADF),
        }
    }
}

struct Global(UnsafeCell<Option<Table>>);

// Single-threaded: no shared memory, no threads.
unsafe impl Sync for Global {}

static TABLE: Global = Global(UnsafeCell::new(None));

/// Runs `f` with the descriptor table, creating it first if needed.
/// Never nested (see the module doc).
pub fn with<R>(f: impl FnOnce(&mut Table) -> R) -> R {
    // SAFETY: single-threaded and never re-entered while `f` runs (the
    // module doc), so this is the only reference to the table.
    let slot = unsafe { &mut *TABLE.0.get() };
    let table = match slot {
        Some(t) => t,
        None => slot.insert(Table::new()),
    };
    f(table)
}
