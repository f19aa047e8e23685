//! Zero-copy bulk data: `descriptor.read`, `descriptor.write` and
//! `get-random-bytes` lowered a second time, with the *main* module's
//! memory, so file data and random bytes move between the host and the
//! user's buffer directly instead of through a private buffer and a copy.
//!
//! Every other lowering of the component uses the private memory. These
//! two extra ones cannot be imports of this module: their `realloc` is this
//! module's [`crate::allocator::cabi_import_realloc`], which exists only
//! once the module is instantiated. So the assembly (`component/src/
//! zero_copy.rs`) makes them afterwards, grows this module's exported
//! function table by one slot per function, puts them there, and calls
//! [`ready`] with the first slot and a mask of the slots it filled. Until
//! then (and for a slot left out) the copying path is used.
//!
//! A lowering keeps its results in its own memory, so the result record of
//! these calls (16 bytes) has to be in the main memory too. It goes in the
//! 16 bytes just below the user's buffer (else just above it); the adapter
//! saves them first and puts them back before returning. The guest is
//! suspended for the whole call and the memory is not shared (the assembly
//! refuses a shared one), so nothing can see the difference. The data itself
//! lands only in the buffer: for a read, `cabi_import_realloc` hands out the
//! user's buffer (armed with [`arm`], at most the length asked for).

use crate::errno::Errno;
use crate::user;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};
use wasip2::filesystem::types::{Descriptor, ErrorCode};

/// Slot offsets in the order `component/src/zero_copy.rs` fills them.
pub const SLOT_DESCRIPTOR_READ: u32 = 0;
pub const SLOT_DESCRIPTOR_WRITE: u32 = 1;
pub const SLOT_GET_RANDOM_BYTES: u32 = 2;

/// File reads and writes below this many bytes keep the copying path: the
/// copy is cheap there, and small files stay on the path native-equality
/// tests cover most. (`random_get` uses zero-copy at any length: there it
/// also saves the allocation of the returned list.)
const MIN_LEN: u32 = 4096;

/// Size (and the alignment used) of the result record.
const RECORD: u32 = 16;

static BASE: AtomicU32 = AtomicU32::new(0);
static MASK: AtomicU32 = AtomicU32::new(0);

/// Called once by the component's fixup module after it filled the table
/// slots `base + i` for every bit `i` of `mask`.
#[export_name = "mmadapt:zero-copy-ready"]
pub extern "C" fn ready(base: u32, mask: u32) {
    BASE.store(base, Relaxed);
    MASK.store(mask, Relaxed);
}

/// The table index of `slot`'s function, if the component provided it.
fn slot(slot: u32) -> Option<usize> {
    let base = BASE.load(Relaxed);
    (MASK.load(Relaxed) & (1 << slot) != 0).then(|| (base + slot) as usize)
}

static ARMED: AtomicBool = AtomicBool::new(false);
static TARGET: AtomicU32 = AtomicU32::new(0);
static TARGET_LEN: AtomicU32 = AtomicU32::new(0);

fn arm(ptr: u32, len: u32) {
    TARGET.store(ptr, Relaxed);
    TARGET_LEN.store(len, Relaxed);
    ARMED.store(true, Relaxed);
}

fn disarm() {
    ARMED.store(false, Relaxed);
}

/// For `cabi_import_realloc`: the user's buffer when a zero-copy read is
/// under way (a fresh allocation of at most the length asked for; the host
/// never returns more than that, so anything else traps).
pub fn take_target(old_len: usize, new_len: usize) -> Option<*mut u8> {
    if !ARMED.load(Relaxed) {
        return None;
    }
    disarm();
    if old_len != 0 || new_len > TARGET_LEN.load(Relaxed) as usize {
        crate::trap();
    }
    Some(TARGET.load(Relaxed) as usize as *mut u8)
}

/// Where the result record of a call on `[buf, buf + len)` goes: 16
/// aligned bytes of user memory just below the buffer, else just above it;
/// `None` if neither fits.
///
/// Also `None` when the buffer is not inside user memory: the copying path
/// then fails exactly where native does (an errno from the host may come
/// before the bad buffer is touched).
fn record_slot(buf: u32, len: u32) -> Option<u32> {
    if u64::from(buf) + u64::from(len) > user::memory_bytes() {
        return None;
    }
    if buf >= RECORD + 8 {
        return Some((buf - RECORD) & !7);
    }
    let above = (u64::from(buf) + u64::from(len) + 7) & !7;
    (above + u64::from(RECORD) <= user::memory_bytes()).then_some(above as u32)
}

/// The user's 16 bytes at `slot`, to be put back after the call.
fn save(slot: u32) -> [u8; RECORD as usize] {
    let mut saved = [0u8; RECORD as usize];
    user::read_into(&mut saved, slot);
    saved
}

/// Reads the record the call left at `slot`, then restores the user's bytes.
fn take_record(slot: u32, saved: &[u8; RECORD as usize]) -> [u8; RECORD as usize] {
    let record = save(slot);
    user::write_bytes(slot, saved);
    record
}

fn u32_at(record: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([record[at], record[at + 1], record[at + 2], record[at + 3]])
}

fn error_code(raw: u8) -> Errno {
    if raw > ErrorCode::CrossDevice as u8 {
        crate::trap();
    }
    // SAFETY: in range of the enum (checked above); the host wrote it.
    unsafe { ErrorCode::_lift(raw) }.into()
}

/// `descriptor.read(len, offset)` straight into `[buf, buf + len)`: the
/// bytes read and whether the host said end of file. `None` when zero-copy
/// is not available for this call (the caller copies instead).
pub fn read(
    fd: &Descriptor,
    buf: u32,
    len: u32,
    offset: u64,
) -> Option<Result<(u32, bool), Errno>> {
    let index = slot(SLOT_DESCRIPTOR_READ).filter(|_| len >= MIN_LEN)?;
    let record = record_slot(buf, len)?;
    let saved = save(record);
    // SAFETY: the fixup module put the lowering of `[method]descriptor.read`
    // (core type [i32 i64 i64 i32] -> []) in this slot.
    let lowered: unsafe extern "C" fn(i32, i64, i64, i32) = unsafe { core::mem::transmute(index) };
    arm(buf, len);
    unsafe {
        lowered(
            fd.handle() as i32,
            i64::from(len),
            offset as i64,
            record as i32,
        )
    };
    disarm();
    let r = take_record(record, &saved);
    // result<tuple<list<u8>, bool>, error-code>: tag at 0, payload at 4.
    Some(match r[0] {
        0 => {
            let (ptr, n, eof) = (u32_at(&r, 4), u32_at(&r, 8), r[12] != 0);
            if n > len || (n != 0 && ptr != buf) {
                crate::trap();
            }
            Ok((n, eof))
        }
        1 => Err(error_code(r[4])),
        _ => crate::trap(),
    })
}

/// `descriptor.write` of `[buf, buf + len)` at `offset`, read by the host
/// straight from user memory: the bytes written. `None` when zero-copy is
/// not available for this call.
pub fn write(fd: &Descriptor, buf: u32, len: u32, offset: u64) -> Option<Result<u64, Errno>> {
    let index = slot(SLOT_DESCRIPTOR_WRITE).filter(|_| len >= MIN_LEN)?;
    let record = record_slot(buf, len)?;
    let saved = save(record);
    // SAFETY: the fixup module put the lowering of `[method]descriptor.write`
    // (core type [i32 i32 i32 i64 i32] -> []) in this slot.
    let lowered: unsafe extern "C" fn(i32, i32, i32, i64, i32) =
        unsafe { core::mem::transmute(index) };
    unsafe {
        lowered(
            fd.handle() as i32,
            buf as i32,
            len as i32,
            offset as i64,
            record as i32,
        )
    };
    let r = take_record(record, &saved);
    // result<filesize, error-code>: tag at 0, payload at 8.
    Some(match r[0] {
        0 => Ok(u64::from_le_bytes(r[8..16].try_into().unwrap())),
        1 => Err(error_code(r[8])),
        _ => crate::trap(),
    })
}

/// `get-random-bytes(len)` straight into `[buf, buf + len)`. `None` when
/// zero-copy is not available for this call; always in the proxy variant,
/// where it would be the only zero-copy call: without it the component
/// needs no fixup module (smaller, and one instantiation fewer per
/// request), and a handler asks for a few bytes of seed at most.
pub fn random(buf: u32, len: u32) -> Option<()> {
    if crate::world::PROXY {
        return None;
    }
    let index = slot(SLOT_GET_RANDOM_BYTES).filter(|_| len != 0)?;
    let record = record_slot(buf, len)?;
    let saved = save(record);
    // SAFETY: the fixup module put the lowering of `get-random-bytes`
    // (core type [i64 i32] -> []) in this slot.
    let lowered: unsafe extern "C" fn(i64, i32) = unsafe { core::mem::transmute(index) };
    arm(buf, len);
    unsafe { lowered(i64::from(len), record as i32) };
    disarm();
    let r = take_record(record, &saved);
    // list<u8>: pointer at 0, length at 4; the host gives exactly `len`.
    if u32_at(&r, 4) != len || u32_at(&r, 0) != buf {
        crate::trap();
    }
    Some(())
}
