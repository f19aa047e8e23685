//! Adapter state, created on first use and kept for the instance's lifetime
//! (the descriptor table is in [`crate::descriptors`]).
//!
//! It lives in statics, i.e. in the private memory. The adapter runs on one
//! thread and never re-enters itself while initialising a value (the
//! initialisers call WASI imports only), which is what makes [`Lazy`] sound.

use alloc::vec::Vec;
use core::cell::UnsafeCell;

/// A value computed on first access. Single-threaded, no re-entrancy.
pub struct Lazy<T> {
    slot: UnsafeCell<Option<T>>,
}

// The adapter is single-threaded (no `shared` memory, no threads).
unsafe impl<T> Sync for Lazy<T> {}

impl<T> Lazy<T> {
    pub const fn new() -> Self {
        Lazy {
            slot: UnsafeCell::new(None),
        }
    }

    pub fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        // SAFETY: single-threaded, and `init` does not call back into this
        // `Lazy` (see the module doc), so no other reference is live while
        // the slot is written.
        unsafe {
            let slot = &mut *self.slot.get();
            if slot.is_none() {
                *slot = Some(init());
            }
            match slot {
                Some(value) => value,
                None => crate::trap(),
            }
        }
    }
}

impl<T> Default for Lazy<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// NUL-terminated strings laid out as preview1's `*_get` functions write
/// them: `blob` is the contents of the caller's buffer, `offsets[i]` the
/// offset of string `i` in it.
pub struct StringTable {
    pub blob: Vec<u8>,
    pub offsets: Vec<u32>,
}

impl StringTable {
    fn new() -> StringTable {
        StringTable {
            blob: Vec::new(),
            offsets: Vec::new(),
        }
    }

    /// Appends one string made of `parts`, and its terminator.
    fn push(&mut self, parts: &[&[u8]]) {
        self.offsets.push(self.blob.len() as u32);
        for part in parts {
            self.blob.extend_from_slice(part);
        }
        self.blob.push(0);
    }

    /// Number of strings.
    pub fn count(&self) -> u32 {
        self.offsets.len() as u32
    }

    /// Bytes the caller's buffer needs, terminators included.
    pub fn buf_size(&self) -> u32 {
        self.blob.len() as u32
    }
}

static ARGS: Lazy<StringTable> = Lazy::new();
static ENV: Lazy<StringTable> = Lazy::new();

/// `wasi:cli/environment.get-arguments`, fetched once.
pub fn args() -> &'static StringTable {
    ARGS.get_or_init(|| {
        let mut table = StringTable::new();
        for arg in wasip2::cli::environment::get_arguments() {
            table.push(&[arg.as_bytes()]);
        }
        table
    })
}

/// `wasi:cli/environment.get-environment` as `KEY=VALUE` strings, fetched once.
pub fn env() -> &'static StringTable {
    ENV.get_or_init(|| {
        let mut table = StringTable::new();
        for (key, value) in wasip2::cli::environment::get_environment() {
            table.push(&[key.as_bytes(), b"=", value.as_bytes()]);
        }
        table
    })
}
