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

impl<T> Lazy<T> {
    /// The value if it has been computed (for the integrity checks).
    #[cfg(feature = "integrity-check")]
    pub fn get(&self) -> Option<&T> {
        // SAFETY: single-threaded; no `&mut` to the slot is live outside
        // `get_or_init`.
        unsafe { (*self.slot.get()).as_ref() }
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
    #[cfg_attr(feature = "proxy", allow(dead_code))]
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

/// `wasi:cli/environment.get-arguments`, fetched once; none in the proxy
/// variant (its world has no `wasi:cli/environment`).
pub fn args() -> &'static StringTable {
    ARGS.get_or_init(|| {
        #[cfg(feature = "integrity-check")]
        crate::integrity::watch(&CHECKED);
        #[cfg_attr(feature = "proxy", allow(unused_mut))]
        let mut table = StringTable::new();
        #[cfg(not(feature = "proxy"))]
        for arg in wasip2::cli::environment::get_arguments() {
            table.push(&[arg.as_bytes()]);
        }
        table
    })
}

/// `wasi:cli/environment.get-environment` as `KEY=VALUE` strings, fetched
/// once; none in the proxy variant.
pub fn env() -> &'static StringTable {
    ENV.get_or_init(|| {
        #[cfg(feature = "integrity-check")]
        crate::integrity::watch(&CHECKED);
        #[cfg_attr(feature = "proxy", allow(unused_mut))]
        let mut table = StringTable::new();
        #[cfg(not(feature = "proxy"))]
        for (key, value) in wasip2::cli::environment::get_environment() {
            table.push(&[key.as_bytes(), b"=", value.as_bytes()]);
        }
        table
    })
}

/// Invariants of the args/env tables for the `integrity-check` build
/// ([`crate::integrity`]): storage inside the heap, offsets increasing and
/// inside the blob, every string NUL-terminated.
#[cfg(feature = "integrity-check")]
pub fn check_invariants() -> Result<(), &'static str> {
    use crate::integrity::in_heap;
    for table in [ARGS.get(), ENV.get()].into_iter().flatten() {
        let (blob, offsets) = (&table.blob, &table.offsets);
        if blob.len() > blob.capacity()
            || offsets.len() > offsets.capacity()
            || (blob.capacity() != 0 && !in_heap(blob.as_ptr() as usize, blob.capacity()))
            || (offsets.capacity() != 0
                && !in_heap(offsets.as_ptr() as usize, offsets.capacity() * 4))
        {
            return Err("args/env table: vector header corrupted");
        }
        if blob.last().is_some_and(|&b| b != 0) {
            return Err("args/env table: last string not NUL-terminated");
        }
        let mut prev = None;
        for &o in offsets.iter() {
            let o = o as usize;
            if o >= blob.len() || prev.is_some_and(|p| o <= p) || (o > 0 && blob[o - 1] != 0) {
                return Err("args/env table: string offsets corrupted");
            }
            prev = Some(o);
        }
    }
    Ok(())
}

/// The tables as the `integrity-check` build's checks see them.
#[cfg(feature = "integrity-check")]
static CHECKED: crate::integrity::Table = crate::integrity::Table {
    check: check_invariants,
    corrupt_kind: 6,
    corrupt: corrupt_for_test,
};

/// Test hook of the `integrity-check` build: replaces the terminator of the
/// last argument (creating the table first).
#[cfg(feature = "integrity-check")]
pub fn corrupt_for_test() {
    let table = args();
    let p = table.blob.as_ptr() as *mut u8;
    if !table.blob.is_empty() {
        // SAFETY: deliberately breaks the table; only the integrity check
        // looks at it before the trap.
        unsafe { core::ptr::write_volatile(p.add(table.blob.len() - 1), b'X') };
    }
}
