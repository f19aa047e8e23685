//! `p1fuzz`: the interpreter of the differential fuzzer
//! (`mmadapt_e2e::p1script`, `e2e/tests/differential.rs`). It reads a byte
//! script from stdin, performs the raw preview1 calls it describes and logs
//! one line per call: its number, the function, the errno, then every byte
//! of the two arenas (below) that the call changed, and the memory size if
//! it changed. At the end: `end` and a hash of the whole linear memory.
//!
//! Stdin: a `u32` script length (little-endian), the script, then whatever
//! the script's own reads of fd 0 will see. Ops:
//!
//! - `1 base:u8 off:u32 len:u16 bytes` writes bytes into an arena;
//! - `2 fn:u8 nargs:u8 (tag:u8 value:u64)*` calls preview1 function `fn`
//!   (see `NAMES`) with arguments resolved by tag: 0 the value itself,
//!   1 the low arena's address + value, 2 the end of memory − value, 3 the
//!   `u32` stored in the low arena at offset value (an fd a call wrote);
//! - `3 base:u8 off:u32 tag:u8 value:u64` writes the `u32` the tag and value
//!   resolve to (as for a call's argument) into an arena: pointers inside
//!   iovecs.
//!
//! Arenas: the low one is a static buffer of `LOW_SIZE` bytes; the top one
//! is the last `TOP_SIZE` bytes of memory (a page grown at start, so that
//! pointers can straddle the end of memory). Both start filled with a
//! pattern. Nothing is allocated after the start, so memory does not grow.
//!
//! Normalisations (documented in docs/robustness.md): after a successful
//! `random_get` the buffer is overwritten with `0x5a`; after a successful
//! `clock_time_get` the timestamp with `0x7e`; after a successful
//! `fd_filestat_get` / `path_filestat_get` the `dev`, `ino`, `atim`,
//! `mtim`, `ctim` fields with `0x7e`; after a successful `fd_readdir` every
//! entry's `d_ino` (as far as it lies in the used part of the buffer) with
//! `0x7e`. fd 1 carries the log: `fd_close(1)` and `fd_renumber` from or to
//! 1 are not performed (logged as `skip`).

use wasi::wasi_snapshot_preview1 as p1;

const LOW_SIZE: usize = 8192;
const TOP_SIZE: usize = 4096;
const MASK: u8 = 0x7e;

#[repr(C, align(4096))]
struct Arena([u8; LOW_SIZE]);

static mut LOW: Arena = Arena([0; LOW_SIZE]);
static mut LOW_BEFORE: [u8; LOW_SIZE] = [0; LOW_SIZE];
static mut TOP_BEFORE: [u8; TOP_SIZE] = [0; TOP_SIZE];
static mut SCRIPT: [u8; 1 << 16] = [0; 1 << 16];
static mut LINE: [u8; 1 << 16] = [0; 1 << 16];

const NAMES: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

fn mem_size() -> usize {
    core::arch::wasm32::memory_size(0) << 16
}

fn low() -> *mut u8 {
    core::ptr::addr_of_mut!(LOW) as *mut u8
}

/// The log line being built.
struct Line {
    len: usize,
}

impl Line {
    fn push(&mut self, b: &[u8]) {
        let buf = unsafe { &mut *core::ptr::addr_of_mut!(LINE) };
        let n = b.len().min(buf.len() - 1 - self.len);
        buf[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len += n;
    }
    fn num(&mut self, mut v: u64) {
        let mut d = [0u8; 20];
        let mut i = d.len();
        loop {
            i -= 1;
            d[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&d[i..]);
    }
    fn hex(&mut self, b: u8) {
        const H: &[u8; 16] = b"0123456789abcdef";
        self.push(&[H[(b >> 4) as usize], H[(b & 15) as usize]]);
    }
    fn flush(&mut self) {
        self.push(b"\n");
        let buf = core::ptr::addr_of_mut!(LINE) as *mut u8;
        let mut off = 0;
        while off < self.len {
            let iov = [buf as usize + off, self.len - off];
            let iov32 = [iov[0] as u32, iov[1] as u32];
            let mut n = 0u32;
            let r = unsafe { p1::fd_write(1, iov32.as_ptr() as i32, 1, &mut n as *mut u32 as i32) };
            if r != 0 || n == 0 {
                unsafe { p1::proc_exit(99) };
            }
            off += n as usize;
        }
        self.len = 0;
    }
}

fn read_exact(buf: *mut u8, len: usize) -> usize {
    let mut got = 0;
    while got < len {
        let iov = [buf as u32 + got as u32, (len - got) as u32];
        let mut n = 0u32;
        let r = unsafe { p1::fd_read(0, iov.as_ptr() as i32, 1, &mut n as *mut u32 as i32) };
        if r != 0 || n == 0 {
            break;
        }
        got += n as usize;
    }
    got
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let v = *self.b.get(self.pos)?;
        self.pos += 1;
        Some(v)
    }
    fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.b.get(self.pos..self.pos + n)?;
        self.pos += n;
        Some(s)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.bytes(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }
}

fn main() {
    // The top arena: one fresh page at the end of memory.
    if core::arch::wasm32::memory_grow(0, 1) == usize::MAX {
        unsafe { p1::proc_exit(98) };
    }
    let top_base = mem_size() - TOP_SIZE;
    for i in 0..LOW_SIZE {
        unsafe { *low().add(i) = (i as u8).wrapping_mul(31).wrapping_add(7) };
    }
    for i in 0..TOP_SIZE {
        unsafe { *((top_base + i) as *mut u8) = (i as u8).wrapping_mul(17).wrapping_add(3) };
    }
    let mut hdr = [0u8; 4];
    if read_exact(hdr.as_mut_ptr(), 4) != 4 {
        unsafe { p1::proc_exit(97) };
    }
    let len = (u32::from_le_bytes(hdr) as usize).min(1 << 16);
    let script = unsafe { &mut *core::ptr::addr_of_mut!(SCRIPT) };
    let got = read_exact(script.as_mut_ptr(), len);
    let mut r = Reader {
        b: &script[..got],
        pos: 0,
    };
    let mut line = Line { len: 0 };
    let mut call_no = 0u64;
    let pages = core::arch::wasm32::memory_size(0);
    while let Some(op) = r.u8() {
        match op {
            1 => {
                let (Some(base), Some(off), Some(n)) = (r.u8(), r.u32(), r.u16()) else {
                    break;
                };
                let Some(bytes) = r.bytes(n as usize) else {
                    break;
                };
                let (start, size) = if base == 0 {
                    (low() as usize, LOW_SIZE)
                } else {
                    (top_base, TOP_SIZE)
                };
                let off = off as usize;
                if off < size {
                    let n = bytes.len().min(size - off);
                    unsafe {
                        core::ptr::copy_nonoverlapping(bytes.as_ptr(), (start + off) as *mut u8, n)
                    };
                }
            }
            3 => {
                let (Some(base), Some(off), Some(tag), Some(v)) =
                    (r.u8(), r.u32(), r.u8(), r.u64())
                else {
                    break;
                };
                let (start, size) = if base == 0 {
                    (low() as usize, LOW_SIZE)
                } else {
                    (top_base, TOP_SIZE)
                };
                let bytes = (resolve(tag, v) as u32).to_le_bytes();
                for (k, b) in bytes.iter().enumerate() {
                    if (off as usize) + k < size {
                        unsafe { *((start + off as usize + k) as *mut u8) = *b };
                    }
                }
            }
            2 => {
                let (Some(f), Some(nargs)) = (r.u8(), r.u8()) else {
                    break;
                };
                let mut a = [0u64; 10];
                for slot in a.iter_mut().take(nargs.min(10) as usize) {
                    let (Some(tag), Some(v)) = (r.u8(), r.u64()) else {
                        break;
                    };
                    *slot = resolve(tag, v);
                }
                call(f as usize, &a, call_no, top_base, pages, &mut line);
                call_no += 1;
            }
            _ => break,
        }
    }
    // The whole memory, for writes outside the arenas.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for i in 0..mem_size() {
        h ^= unsafe { *(i as *const u8) } as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    line.push(b"end ");
    line.num(call_no);
    line.push(b" memory ");
    for b in h.to_be_bytes() {
        line.hex(b);
    }
    line.flush();
}

/// An argument or address from its tag and value (see the module docs).
fn resolve(tag: u8, v: u64) -> u64 {
    match tag {
        0 => v,
        1 => (low() as u64).wrapping_add(v) & 0xffff_ffff,
        2 => (mem_size() as u64).wrapping_sub(v) & 0xffff_ffff,
        _ => {
            let off = (v as usize).min(LOW_SIZE - 4);
            let mut b = [0u8; 4];
            for (i, x) in b.iter_mut().enumerate() {
                *x = unsafe { *low().add(off + i) };
            }
            u32::from_le_bytes(b) as u64
        }
    }
}

fn i(v: u64) -> i32 {
    v as u32 as i32
}

fn l(v: u64) -> i64 {
    v as i64
}

fn call(f: usize, a: &[u64; 10], no: u64, top_base: usize, pages: usize, line: &mut Line) {
    line.num(no);
    line.push(b" ");
    line.push(NAMES.get(f).map_or("?", |n| n).as_bytes());
    // fd 1 carries the log.
    let protected = match f {
        8 => i(a[0]) == 1,
        22 => i(a[0]) == 1 || i(a[1]) == 1,
        _ => false,
    };
    if protected || f >= NAMES.len() {
        line.push(b" skip");
        line.flush();
        return;
    }
    unsafe {
        core::ptr::copy_nonoverlapping(
            low(),
            core::ptr::addr_of_mut!(LOW_BEFORE) as *mut u8,
            LOW_SIZE,
        );
        core::ptr::copy_nonoverlapping(
            top_base as *const u8,
            core::ptr::addr_of_mut!(TOP_BEFORE) as *mut u8,
            TOP_SIZE,
        );
    }
    let r = unsafe {
        match f {
            0 => p1::args_get(i(a[0]), i(a[1])),
            1 => p1::args_sizes_get(i(a[0]), i(a[1])),
            2 => p1::environ_get(i(a[0]), i(a[1])),
            3 => p1::environ_sizes_get(i(a[0]), i(a[1])),
            4 => p1::clock_res_get(i(a[0]), i(a[1])),
            5 => p1::clock_time_get(i(a[0]), l(a[1]), i(a[2])),
            6 => p1::fd_advise(i(a[0]), l(a[1]), l(a[2]), i(a[3])),
            7 => p1::fd_allocate(i(a[0]), l(a[1]), l(a[2])),
            8 => p1::fd_close(i(a[0])),
            9 => p1::fd_datasync(i(a[0])),
            10 => p1::fd_fdstat_get(i(a[0]), i(a[1])),
            11 => p1::fd_fdstat_set_flags(i(a[0]), i(a[1])),
            12 => p1::fd_fdstat_set_rights(i(a[0]), l(a[1]), l(a[2])),
            13 => p1::fd_filestat_get(i(a[0]), i(a[1])),
            14 => p1::fd_filestat_set_size(i(a[0]), l(a[1])),
            15 => p1::fd_filestat_set_times(i(a[0]), l(a[1]), l(a[2]), i(a[3])),
            16 => p1::fd_pread(i(a[0]), i(a[1]), i(a[2]), l(a[3]), i(a[4])),
            17 => p1::fd_prestat_get(i(a[0]), i(a[1])),
            18 => p1::fd_prestat_dir_name(i(a[0]), i(a[1]), i(a[2])),
            19 => p1::fd_pwrite(i(a[0]), i(a[1]), i(a[2]), l(a[3]), i(a[4])),
            20 => p1::fd_read(i(a[0]), i(a[1]), i(a[2]), i(a[3])),
            21 => p1::fd_readdir(i(a[0]), i(a[1]), i(a[2]), l(a[3]), i(a[4])),
            22 => p1::fd_renumber(i(a[0]), i(a[1])),
            23 => p1::fd_seek(i(a[0]), l(a[1]), i(a[2]), i(a[3])),
            24 => p1::fd_sync(i(a[0])),
            25 => p1::fd_tell(i(a[0]), i(a[1])),
            26 => p1::fd_write(i(a[0]), i(a[1]), i(a[2]), i(a[3])),
            27 => p1::path_create_directory(i(a[0]), i(a[1]), i(a[2])),
            28 => p1::path_filestat_get(i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4])),
            29 => p1::path_filestat_set_times(
                i(a[0]),
                i(a[1]),
                i(a[2]),
                i(a[3]),
                l(a[4]),
                l(a[5]),
                i(a[6]),
            ),
            30 => p1::path_link(
                i(a[0]),
                i(a[1]),
                i(a[2]),
                i(a[3]),
                i(a[4]),
                i(a[5]),
                i(a[6]),
            ),
            31 => p1::path_open(
                i(a[0]),
                i(a[1]),
                i(a[2]),
                i(a[3]),
                i(a[4]),
                l(a[5]),
                l(a[6]),
                i(a[7]),
                i(a[8]),
            ),
            32 => p1::path_readlink(i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), i(a[5])),
            33 => p1::path_remove_directory(i(a[0]), i(a[1]), i(a[2])),
            34 => p1::path_rename(i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), i(a[5])),
            35 => p1::path_symlink(i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4])),
            36 => p1::path_unlink_file(i(a[0]), i(a[1]), i(a[2])),
            37 => p1::poll_oneoff(i(a[0]), i(a[1]), i(a[2]), i(a[3])),
            38 => p1::proc_exit(i(a[0])),
            39 => p1::proc_raise(i(a[0])),
            40 => p1::sched_yield(),
            41 => p1::random_get(i(a[0]), i(a[1])),
            42 => p1::sock_accept(i(a[0]), i(a[1]), i(a[2])),
            43 => p1::sock_recv(i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), i(a[5])),
            44 => p1::sock_send(i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4])),
            _ => p1::sock_shutdown(i(a[0]), i(a[1])),
        }
    };
    if r == 0 {
        normalise(f, a);
    }
    line.push(b" ");
    line.num(r as u32 as u64);
    for (tag, start, before, size) in [
        (
            b'L',
            low() as usize,
            core::ptr::addr_of!(LOW_BEFORE) as *const u8,
            LOW_SIZE,
        ),
        (
            b'T',
            top_base,
            core::ptr::addr_of!(TOP_BEFORE) as *const u8,
            TOP_SIZE,
        ),
    ] {
        let mut k = 0;
        while k < size {
            let now = |k: usize| unsafe { *((start + k) as *const u8) };
            let was = |k: usize| unsafe { *before.add(k) };
            if now(k) == was(k) {
                k += 1;
                continue;
            }
            line.push(&[b' ', tag]);
            line.num(k as u64);
            line.push(b"=");
            while k < size && now(k) != was(k) {
                line.hex(now(k));
                k += 1;
            }
        }
    }
    let now_pages = core::arch::wasm32::memory_size(0);
    if now_pages != pages {
        line.push(b" pages ");
        line.num(now_pages as u64);
    }
    line.flush();
}

/// Overwrites `len` bytes at guest address `addr` with `b`, clipped to the
/// arenas (a successful call only wrote inside memory).
fn mask(addr: u64, len: u64, b: u8) {
    let top_base = (mem_size() - TOP_SIZE) as u64;
    for x in addr..addr.saturating_add(len).min(1 << 32) {
        let lo = low() as u64;
        if (x >= lo && x < lo + LOW_SIZE as u64) || (x >= top_base && x < mem_size() as u64) {
            unsafe { *(x as usize as *mut u8) = b };
        }
    }
}

fn load_u32(addr: u64) -> Option<u32> {
    if addr + 4 > mem_size() as u64 {
        return None;
    }
    let mut b = [0u8; 4];
    for (k, x) in b.iter_mut().enumerate() {
        *x = unsafe { *((addr as usize + k) as *const u8) };
    }
    Some(u32::from_le_bytes(b))
}

fn normalise(f: usize, a: &[u64; 10]) {
    let a32 = |k: usize| a[k] & 0xffff_ffff;
    match f {
        // random_get(buf, len)
        41 => mask(a32(0), a32(1), 0x5a),
        // clock_time_get(id, precision, out)
        5 => mask(a32(2), 8, MASK),
        // fd_filestat_get(fd, out), path_filestat_get(fd, flags, path, len, out)
        13 | 28 => {
            let out = if f == 13 { a32(1) } else { a32(4) };
            mask(out, 16, MASK);
            mask(out + 40, 24, MASK);
        }
        // fd_readdir(fd, buf, len, cookie, bufused)
        21 => {
            let (buf, len) = (a32(1), a32(2));
            let Some(used) = load_u32(a32(4)) else { return };
            let used = (used as u64).min(len);
            let mut pos = 0u64;
            while pos < used {
                let ino = pos + 8;
                if ino < used {
                    mask(buf + ino, (used - ino).min(8), MASK);
                }
                if pos + 24 > used {
                    break;
                }
                let Some(namlen) = load_u32(buf + pos + 16) else {
                    return;
                };
                pos += 24 + namlen as u64;
            }
        }
        _ => {}
    }
}
