//! Exports where private memory accesses sit right next to user regions and
//! depend on their values: the places where an optimiser would be most
//! tempted to move a private access across a marker.

use mmadapt_markers::UserPtr;

use crate::state::count_call;

/// A byte translation table in a data segment (rotate each byte left by 3,
/// then xor 0x5a), read between a user read and a user write.
static XLAT: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = (i as u8).rotate_left(3) ^ 0x5a;
        i += 1;
    }
    table
};

/// Private byte histogram; its address never escapes, which is the case where
/// LLVM may prove the marker calls cannot touch it.
static mut HISTOGRAM: [u32; 256] = [0; 256];

/// Replaces each of `len` user bytes at `ptr` by `XLAT[byte]`; returns the
/// wrapping sum of the new bytes.
#[no_mangle]
pub extern "C" fn translate_user(ptr: u32, len: u32) -> u32 {
    let base = UserPtr::<u8>::new(ptr);
    let mut sum = 0u32;
    for i in 0..len {
        let p = base.add(i);
        let out = XLAT[p.read() as usize];
        p.write(out);
        sum = sum.wrapping_add(out as u32);
    }
    count_call();
    sum
}

/// Adds the `len` user bytes at `ptr` to the private histogram; returns the
/// histogram's count for byte `probe` (mod 256) afterwards.
#[no_mangle]
pub extern "C" fn histogram_user(ptr: u32, len: u32, probe: u32) -> u32 {
    let base = UserPtr::<u8>::new(ptr);
    let histogram = unsafe { &mut *core::ptr::addr_of_mut!(HISTOGRAM) };
    for i in 0..len {
        let byte = base.add(i).read();
        histogram[byte as usize] = histogram[byte as usize].wrapping_add(1);
    }
    count_call();
    histogram[(probe % 256) as usize]
}

/// Clamps each of `len` u32s at `ptr` to at most `max`, writing in both arms
/// of a branch; returns how many were clamped.
#[no_mangle]
pub extern "C" fn clamp_user(ptr: u32, len: u32, max: u32) -> u32 {
    let base = UserPtr::<u32>::new(ptr);
    let mut clamped = 0u32;
    for i in 0..len {
        let p = base.add(i);
        let v = p.read();
        if v > max {
            p.write(max);
            clamped += 1;
        } else {
            p.write(v);
        }
    }
    count_call();
    clamped
}
