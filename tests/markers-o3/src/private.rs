//! Adapter-private data and helpers that never see a user address.

/// A data segment: copied out by `copy_table_out` and `scatter_table`.
pub static TABLE: [u8; 200] = *b"mmadapt markers-o3: this table lives in a data segment of the \
adapter's private memory and is copied out to user memory with memory.copy. \
0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A small data segment, short enough that LLVM expands its copy into
/// loads and stores instead of `memory.copy`.
pub static HEADER: [u8; 12] = *b"MMADAPT-HDR\n";

/// A lookup table in a data segment, read while producing user data.
pub static MIX: [u32; 16] = [
    0x9e37_79b9,
    0x85eb_ca6b,
    0xc2b2_ae35,
    0x27d4_eb2f,
    0x1656_67b1,
    0xd3a2_646c,
    0xfd70_46c5,
    0xb55a_4f09,
    0x68e3_1da4,
    0x2545_f491,
    0x4cf5_ad43,
    0x7feb_352d,
    0x846c_a68b,
    0x0123_4567,
    0x89ab_cdef,
    0xdead_beef,
];

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over `bytes`, continuing from `hash`. Not inlined, so the buffer
/// passed in has its address escape and lives on the shadow stack.
#[inline(never)]
pub fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// Fills `out` with a pattern derived from `seed` and `MIX`. Not inlined, for
/// the same reason as `fnv1a`.
#[inline(never)]
pub fn pattern(out: &mut [u32; 64], seed: u32) {
    for (i, slot) in out.iter_mut().enumerate() {
        let k = seed.wrapping_add(i as u32);
        *slot = MIX[(k % 16) as usize] ^ k.rotate_left(k % 32);
    }
}
