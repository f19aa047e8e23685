//! `UserPod`: the types that may be copied to and from user memory by value.

/// Plain old data that can live in the user's memory.
///
/// A read from user memory yields whatever bytes the main module left there,
/// and a write exposes every byte of the value to it, so an implementor must:
/// - accept every bit pattern as a valid value (no `bool`, `char`, enums,
///   references, `NonZero*`),
/// - contain no padding bytes (padding is uninitialised and would leak
///   adapter data into user memory),
/// - have the layout the main module expects, i.e. `#[repr(C)]` or
///   `#[repr(transparent)]` with fields that are themselves `UserPod`
///   (the adapter is compiled for wasm32, so `repr(C)` is the wasm32 C ABI),
/// - hold no pointers into adapter memory (an address inside a `UserPod` is a
///   user address, see [`crate::UserPtr`], which is itself `UserPod`).
///
/// Alignment is not required: accesses are emitted with alignment 1, like
/// wasm's own loads and stores, which accept any address.
///
/// # Safety
/// Implementing this for a type that breaks any rule above lets safe code
/// create invalid values or leak uninitialised adapter memory.
pub unsafe trait UserPod: Copy + 'static {}

macro_rules! impl_user_pod {
    ($($ty:ty),* $(,)?) => { $(unsafe impl UserPod for $ty {})* };
}

impl_user_pod!(u8, i8, u16, i16, u32, i32, u64, i64, u128, i128);

// Arrays have no padding between elements and every element is POD.
unsafe impl<T: UserPod, const N: usize> UserPod for [T; N] {}
