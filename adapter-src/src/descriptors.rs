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
use wasip2::filesystem::types::{Descriptor, DescriptorFlags, MetadataHashValue};
use wasip2::io::streams::{InputStream, OutputStream};

/// A `wasi:filesystem` descriptor of a file or directory in the table.
///
/// In the proxy variant there is no file system, and this type has no
/// values at all: every branch that would reach `wasi:filesystem` through
/// one is dead code the compiler removes, drop glue included, so the proxy
/// adapter does not import `wasi:filesystem` (see [`crate::world`]).
#[cfg(not(feature = "proxy"))]
pub struct HostFd(Descriptor);
/// A `wasi:filesystem` descriptor: none exists in the proxy variant.
#[cfg(feature = "proxy")]
pub enum HostFd {}

impl HostFd {
    /// A descriptor opened through `self` (`open-at`).
    pub fn opened(&self, fd: Descriptor) -> HostFd {
        #[cfg(not(feature = "proxy"))]
        return HostFd(fd);
        #[cfg(feature = "proxy")]
        {
            let _ = fd;
            match *self {}
        }
    }
}

impl core::ops::Deref for HostFd {
    type Target = Descriptor;
    fn deref(&self) -> &Descriptor {
        #[cfg(not(feature = "proxy"))]
        return &self.0;
        #[cfg(feature = "proxy")]
        match *self {}
    }
}

/// A file opened by `path_open` (anything but a directory).
pub struct File {
    pub fd: HostFd,
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
    /// The file's `metadata-hash`, asked on first use: it hashes the
    /// device and inode, which an open file keeps for its lifetime.
    hash: Option<MetadataHashValue>,
}

impl File {
    pub fn new(fd: HostFd, append: bool, nonblock: bool) -> File {
        File {
            fd,
            position: 0,
            append,
            nonblock,
            writable: None,
            hash: None,
        }
    }

    /// `metadata-hash` of the file, one host call per open file.
    pub fn metadata_hash(&mut self) -> Result<MetadataHashValue, Errno> {
        if let Some(h) = self.hash {
            return Ok(h);
        }
        let h = self.fd.metadata_hash()?;
        self.hash = Some(h);
        Ok(h)
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
        isatty: Tty,
    },
    Stdout {
        stream: OutputStream,
        isatty: Tty,
    },
    Stderr {
        stream: OutputStream,
        isatty: Tty,
    },
    /// A directory; `preopen` is its guest path if it is a preopen (kept
    /// through `fd_renumber`).
    Dir {
        fd: HostFd,
        preopen: Option<String>,
    },
    File(File),
}

/// Whether a standard stream is a terminal, asked of the host the first time
/// it matters (`fd_fdstat_get`, `fd_filestat_get`) rather than at start-up:
/// three host calls fewer for every program that never asks.
///
/// The stream is named, not given as a function pointer: a function whose
/// address is taken lands in the adapter's function table, and then every
/// export that calls through the table (the zero-copy file I/O) would keep
/// the `wasi:cli/terminal-*` imports alive. With a `match`, only
/// `fd_fdstat_get` and `fd_filestat_get` reach them.
pub struct Tty {
    known: core::cell::Cell<Option<bool>>,
    stream: StdStream,
}

#[derive(Clone, Copy)]
enum StdStream {
    Stdin,
    Stdout,
    Stderr,
}

impl Tty {
    fn new(stream: StdStream) -> Tty {
        Tty {
            known: core::cell::Cell::new(None),
            stream,
        }
    }

    pub fn get(&self) -> bool {
        let tty = self.known.get().unwrap_or_else(|| self.ask());
        self.known.set(Some(tty));
        tty
    }

    #[inline(never)]
    fn ask(&self) -> bool {
        use wasip2::cli::{terminal_stderr, terminal_stdin, terminal_stdout};
        match self.stream {
            StdStream::Stdin => terminal_stdin::get_terminal_stdin().is_some(),
            StdStream::Stdout => terminal_stdout::get_terminal_stdout().is_some(),
            StdStream::Stderr => terminal_stderr::get_terminal_stderr().is_some(),
        }
    }
}

pub struct Table {
    slots: Vec<Option<Desc>>,
}

impl Table {
    fn new() -> Table {
        let mut t = Table { slots: Vec::new() };
        use wasip2::cli::{stderr, stdin, stdout};
        t.push(Desc::Stdin {
            stream: stdin::get_stdin(),
            isatty: Tty::new(StdStream::Stdin),
        });
        t.push(Desc::Stdout {
            stream: stdout::get_stdout(),
            isatty: Tty::new(StdStream::Stdout),
        });
        t.push(Desc::Stderr {
            stream: stderr::get_stderr(),
            isatty: Tty::new(StdStream::Stderr),
        });
        #[cfg(not(feature = "proxy"))]
        for (fd, path) in wasip2::filesystem::preopens::get_directories() {
            t.push(Desc::Dir {
                fd: HostFd(fd),
                preopen: Some(path),
            });
        }
        t
    }

    /// Adds `desc` under the largest free number, else one past the end.
    /// (Not inlined: the table's creation alone pushes four times.)
    #[inline(never)]
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
    if slot.is_none() {
        create(slot);
    }
    let Some(table) = slot else { crate::trap() };
    f(table)
}

/// The first call's slow path, out of line (`with` is inlined in every
/// preview1 function).
#[cold]
#[inline(never)]
fn create(slot: &mut Option<Table>) {
    *slot = Some(Table::new());
    #[cfg(feature = "integrity-check")]
    crate::integrity::watch(&CHECKED);
}

/// The table as the `integrity-check` build's checks see it.
#[cfg(feature = "integrity-check")]
static CHECKED: crate::integrity::Table = crate::integrity::Table {
    check: check_invariants,
    corrupt_kind: 4,
    corrupt: corrupt_for_test,
};

/// Invariants of the table for the `integrity-check` build
/// ([`crate::integrity`]): its vector and every preopen name inside the
/// heap, every resource handle live (not 0, not the "taken" marker), and
/// preopen names UTF-8. Does not create the table.
#[cfg(feature = "integrity-check")]
pub fn check_invariants() -> Result<(), &'static str> {
    use crate::integrity::in_heap;
    // SAFETY: single-threaded; called between preview1 calls' work, when
    // no `&mut Table` is live.
    let Some(t) = (unsafe { &*TABLE.0.get() }) else {
        return Ok(());
    };
    let v = &t.slots;
    if v.len() > v.capacity() {
        return Err("descriptor table: length exceeds capacity");
    }
    if v.capacity() != 0
        && !in_heap(
            v.as_ptr() as usize,
            v.capacity() * core::mem::size_of::<Option<Desc>>(),
        )
    {
        return Err("descriptor table: storage outside the heap");
    }
    let live = |h: u32| h != 0 && h != u32::MAX;
    for slot in v.iter().flatten() {
        let ok = match slot {
            Desc::Stdin { stream, .. } => live(stream.handle()),
            Desc::Stdout { stream, .. } | Desc::Stderr { stream, .. } => live(stream.handle()),
            Desc::File(f) => live(f.fd.handle()),
            Desc::Dir { fd, preopen } => {
                if let Some(p) = preopen {
                    if p.capacity() != 0 && !in_heap(p.as_ptr() as usize, p.capacity()) {
                        return Err("descriptor table: preopen name outside the heap");
                    }
                    if p.len() > p.capacity() || core::str::from_utf8(p.as_bytes()).is_err() {
                        return Err("descriptor table: preopen name corrupted (not UTF-8)");
                    }
                }
                live(fd.handle())
            }
        };
        if !ok {
            return Err("descriptor table: dead or invalid resource handle");
        }
    }
    Ok(())
}

/// Test hook of the `integrity-check` build: makes the first preopen's name
/// invalid UTF-8 (creating the table first).
#[cfg(feature = "integrity-check")]
pub fn corrupt_for_test() {
    with(|t| {
        for slot in t.slots.iter_mut().flatten() {
            if let Desc::Dir {
                preopen: Some(p), ..
            } = slot
            {
                // SAFETY: deliberately breaks the `String` invariant; only
                // the integrity check looks at it before the trap.
                if let Some(b) = unsafe { p.as_mut_vec() }.first_mut() {
                    *b = 0xff;
                }
                return;
            }
        }
    })
}
