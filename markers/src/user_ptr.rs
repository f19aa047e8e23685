//! `UserPtr<T>`: an address in the user's memory, never a Rust pointer.

use core::fmt;
use core::marker::PhantomData;
use core::mem::size_of;

use crate::abi;
use crate::pod::UserPod;

/// A `T` at a 32-bit address in the user's (main module's) memory.
///
/// It is only a number: adapter code cannot dereference it, only
/// [`read`](Self::read) it (one volatile load in its own user region) and
/// [`write`](Self::write) it (one copy of the value in its own copy-out
/// region). Keeping every region that small leaves the optimiser nothing else
/// to move into it.
///
/// `#[repr(transparent)]` over `u32`, so a `UserPtr` inside a `#[repr(C)]`
/// struct has the layout of a wasm32 pointer field.
#[repr(transparent)]
pub struct UserPtr<T> {
    addr: u32,
    // `*mut T`: not Send/Sync, invariant, and it does not own a `T`.
    _pointee: PhantomData<*mut T>,
}

// Manual impls: a derive would require `T: Clone`/`T: Copy` needlessly.
impl<T> Clone for UserPtr<T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for UserPtr<T> {}

impl<T> PartialEq for UserPtr<T> {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.addr == other.addr
    }
}
impl<T> Eq for UserPtr<T> {}

impl<T> fmt::Debug for UserPtr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserPtr({:#x})", self.addr)
    }
}

// A user address stored in user memory (e.g. `iovec.buf`) is itself POD.
unsafe impl<T: 'static> UserPod for UserPtr<T> {}

impl<T> UserPtr<T> {
    /// Wraps an address received from the main module.
    #[inline(always)]
    pub const fn new(addr: u32) -> Self {
        UserPtr {
            addr,
            _pointee: PhantomData,
        }
    }

    /// The address in user memory.
    #[inline(always)]
    pub const fn addr(self) -> u32 {
        self.addr
    }

    /// Same address, different pointee type.
    #[inline(always)]
    pub const fn cast<U>(self) -> UserPtr<U> {
        UserPtr::new(self.addr)
    }

    /// The address of element `n` after this one (`addr + n * size_of::<T>()`).
    ///
    /// Wraps modulo 2^32, like pointer arithmetic in the wasm32 main module
    /// itself. A wrapped address is still just a user address (it cannot reach
    /// adapter memory); use [`checked_add`](Self::checked_add) where the WASI
    /// semantics require reporting the overflow instead (e.g. buffer bounds).
    #[inline(always)]
    pub const fn add(self, n: u32) -> Self {
        UserPtr::new(
            self.addr
                .wrapping_add(n.wrapping_mul(size_of::<T>() as u32)),
        )
    }

    /// Like [`add`](Self::add) but `None` if the address overflows 32 bits.
    #[inline(always)]
    pub const fn checked_add(self, n: u32) -> Option<Self> {
        match n.checked_mul(size_of::<T>() as u32) {
            Some(bytes) => match self.addr.checked_add(bytes) {
                Some(addr) => Some(UserPtr::new(addr)),
                None => None,
            },
            None => None,
        }
    }

    /// `addr + bytes`, wrapping; for fields at known offsets.
    #[inline(always)]
    pub const fn byte_add(self, bytes: u32) -> Self {
        UserPtr::new(self.addr.wrapping_add(bytes))
    }

    /// Whether the address is 0 (WASI's null).
    #[inline(always)]
    pub const fn is_null(self) -> bool {
        self.addr == 0
    }

    /// Whether the address is a multiple of `align_of::<T>()`. `read` and
    /// `write` do not need it; WASI functions that must reject misaligned
    /// pointers can check it.
    #[inline(always)]
    pub const fn is_aligned(self) -> bool {
        self.addr.is_multiple_of(core::mem::align_of::<T>() as u32)
    }
}

/// Largest `T` that [`UserPtr::read`] accepts (WASI's largest input record,
/// `subscription`, is 48 bytes).
pub const MAX_READ_SIZE: usize = 64;

/// Alignment-1 view of a `T`, so one volatile load can read a `T` at any
/// address (as wasm allows) without breaking Rust's alignment rule.
#[repr(C, packed)]
#[derive(Clone, Copy)]
struct Unaligned<T>(T);

impl<T: UserPod> UserPtr<T> {
    /// Reads the `T` at this address from user memory, in its own user region:
    /// one volatile load (split by LLVM into one load per field or element,
    /// all between the markers; use [`crate::copy_from_user`] for large
    /// buffers).
    ///
    /// Safe because after the split the access can only reach the user's
    /// memory (an out-of-bounds address traps, ending the instance, exactly as
    /// the main module's own access would), and `T: UserPod` makes any bytes a
    /// valid `T`. In an *unsplit* build (tests only) the address is in the
    /// adapter's own memory, and the host must keep user data clear of it.
    #[inline(always)]
    pub fn read(self) -> T {
        // The loaded value is stored to a temporary before `user_end`; only
        // while LLVM can break that temporary into registers (small values)
        // does it stay off the shadow stack, i.e. out of the user region.
        const {
            assert!(
                size_of::<T>() <= MAX_READ_SIZE,
                "UserPtr::read is for values up to 64 bytes; use copy_from_user"
            )
        };
        let src = user_address::<Unaligned<T>>(self.addr);
        // Volatile: user memory is outside the Rust abstract machine (the
        // documented use of volatile, address 0 included), and a volatile
        // load is never merged with, or dropped in favour of, another access.
        // Its result is a value, not a stack temporary, so nothing but the
        // loads lands between the markers (checked in the markers-o3 build).
        unsafe {
            abi::user_begin();
            let value = core::ptr::read_volatile(src);
            abi::user_end();
            value.0
        }
    }

    /// Writes `value` to this address in user memory, in its own *copy-out*
    /// region: a `memcpy` of the value's bytes from adapter memory.
    ///
    /// Not a volatile store in a user region: `write_volatile` of any `T`
    /// that Rust does not pass as one or two scalars (arrays, structs with
    /// more than two fields, and the alignment-1 wrapper needed for unaligned
    /// addresses) is a volatile memcpy from a stack temporary, which put shadow
    /// stack accesses *inside* the user region at -O3 (seen in the markers-o3
    /// build). In a copy-out region the same code is correct whatever LLVM
    /// does with the value: if it stays on the stack it is read from memory 1,
    /// if it is promoted to registers only the stores to memory 0 remain, and
    /// a private *read* that the optimiser sinks into the region (e.g. of a
    /// constant table the value comes from) still reads memory 1.
    ///
    /// Caveat: the copy is not volatile, so if LLVM can see that the address
    /// is the constant 0 it treats the write as undefined (a `memcpy` to null)
    /// and emits `unreachable`. User addresses come from the main module at
    /// run time, so this needs a constant `UserPtr::new(0)` in adapter code.
    #[inline(always)]
    pub fn write(self, value: T) {
        let dst = user_address::<u8>(self.addr);
        let src = core::ptr::addr_of!(value).cast::<u8>();
        unsafe {
            abi::copy_out_begin();
            core::ptr::copy_nonoverlapping(src, dst, size_of::<T>());
            abi::copy_out_end();
        }
    }
}

/// Turns a user address into the raw pointer the access instructions need.
///
/// `with_exposed_provenance` (an LLVM `inttoptr`) rather than
/// `without_provenance`: LLVM must consider the result able to alias any
/// escaped memory, which is what makes an opaque marker call a barrier for
/// the access. A provenance-free pointer could one day be proven to alias
/// nothing the marker can touch.
#[inline(always)]
pub(crate) fn user_address<T>(addr: u32) -> *mut T {
    core::ptr::with_exposed_provenance_mut(addr as usize)
}

#[cfg(test)]
mod tests {
    use super::UserPtr;

    #[test]
    fn add_scales_by_element_size_and_wraps() {
        let p = UserPtr::<u32>::new(0x100);
        assert_eq!(p.add(3).addr(), 0x10c);
        assert_eq!(UserPtr::<u64>::new(u32::MAX - 7).add(2).addr(), 8);
        assert_eq!(p.byte_add(1).addr(), 0x101);
    }

    #[test]
    fn checked_add_reports_overflow() {
        assert_eq!(
            UserPtr::<u32>::new(8).checked_add(2),
            Some(UserPtr::new(16))
        );
        assert_eq!(UserPtr::<u32>::new(u32::MAX - 3).checked_add(1), None);
        assert_eq!(UserPtr::<u32>::new(0).checked_add(u32::MAX / 2), None);
    }

    #[test]
    fn alignment_and_null() {
        assert!(UserPtr::<u32>::new(8).is_aligned());
        assert!(!UserPtr::<u32>::new(6).is_aligned());
        assert!(UserPtr::<u8>::new(7).is_aligned());
        assert!(UserPtr::<u8>::new(0).is_null());
        assert_eq!(UserPtr::<u16>::new(4).cast::<u8>().addr(), 4);
    }
}
