//! bulk: file reads and writes of 4 KiB and more (the adapter's zero-copy
//! path), each into a buffer with guard bytes on both sides, at several
//! alignments and sizes, short reads, end of file and errors. Prints one
//! line per call: what the call returned, whether the data is right, and
//! whether anything outside the bytes the call may write changed.
//!
//! Expected environment: a read-write preopen `/sandbox` (fd 3).

use wasi::*;

const DIR: Fd = 3;
const GUARD: usize = 64;
const FILE_LEN: usize = 300_000;

/// The byte at file offset `i`.
fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(31) ^ (i >> 8)) as u8
}

/// A buffer of `len` bytes at `shift` bytes into an allocation, with
/// `GUARD` bytes of known contents on each side.
struct Guarded {
    mem: Vec<u8>,
    at: usize,
    len: usize,
}

impl Guarded {
    fn new(len: usize, shift: usize, fill: u8) -> Guarded {
        let mut mem = vec![0xAA; len + 2 * GUARD + shift];
        let at = GUARD + shift;
        mem[at..at + len].fill(fill);
        Guarded { mem, at, len }
    }
    fn ptr(&mut self) -> *mut u8 {
        unsafe { self.mem.as_mut_ptr().add(self.at) }
    }
    fn data(&self) -> &[u8] {
        &self.mem[self.at..self.at + self.len]
    }
    fn guards_intact(&self) -> bool {
        self.mem[..self.at].iter().all(|&b| b == 0xAA)
            && self.mem[self.at + self.len..].iter().all(|&b| b == 0xAA)
    }
}

fn errno_name(r: Result<usize, Errno>) -> String {
    match r {
        Ok(n) => format!("ok n={n}"),
        Err(e) => format!("errno {}", e.name()),
    }
}

fn open(path: &str, oflags: Oflags, rights: Rights) -> Fd {
    unsafe { path_open(DIR, 0, path, oflags, rights, 0, 0) }.expect(path)
}

fn main() {
    let rw = RIGHTS_FD_READ | RIGHTS_FD_WRITE | RIGHTS_FD_SEEK;
    let fd = open("big.bin", OFLAGS_CREAT | OFLAGS_TRUNC, rw);

    // Writes that add up to FILE_LEN, at odd sizes and shifts.
    let mut pos = 0;
    for (len, shift) in [(5000, 0), (65536, 1), (70000, 3), (100_000, 7), (59_464, 2)] {
        let mut g = Guarded::new(len, shift, 0);
        for i in 0..len {
            g.mem[g.at + i] = pattern(pos + i);
        }
        let before = g.mem.clone();
        let iov = [Ciovec { buf: g.ptr(), buf_len: len }];
        let r = unsafe { fd_write(fd, &iov) };
        let untouched = g.mem == before;
        println!("fd_write len={len} shift={shift}: {} untouched={untouched}", errno_name(r));
        pos += len;
    }

    // Reads: sizes around the 4 KiB and 64 KiB marks, then past the end.
    unsafe { fd_seek(fd, 0, WHENCE_SET) }.unwrap();
    let mut pos = 0;
    for (len, shift) in [
        (4096, 0),
        (4095, 1),
        (65536, 0),
        (65537, 5),
        (131_072, 2),
        (30_000, 3),
        (8192, 0),
    ] {
        let mut g = Guarded::new(len, shift, 0x55);
        let iov = [Iovec { buf: g.ptr(), buf_len: len }];
        let r = unsafe { fd_read(fd, &iov) };
        let n = *r.as_ref().unwrap_or(&0);
        let data_ok = (0..n).all(|i| g.data()[i] == pattern(pos + i));
        let rest_ok = g.data()[n..].iter().all(|&b| b == 0x55);
        println!(
            "fd_read len={len} shift={shift}: {} data={data_ok} rest_untouched={rest_ok} guards={}",
            errno_name(r),
            g.guards_intact()
        );
        pos += n;
    }

    // pread/pwrite at offsets, position unchanged.
    let mut g = Guarded::new(70_000, 1, 0x55);
    let iov = [Iovec { buf: g.ptr(), buf_len: 70_000 }];
    let r = unsafe { fd_pread(fd, &iov, 123_457) };
    let n = *r.as_ref().unwrap_or(&0);
    let data_ok = (0..n).all(|i| g.data()[i] == pattern(123_457 + i));
    println!("fd_pread 70000 @123457: {} data={data_ok} guards={}", errno_name(r), g.guards_intact());
    let mut g = Guarded::new(10_000, 0, 0x77);
    let iov = [Ciovec { buf: g.ptr(), buf_len: 10_000 }];
    let r = unsafe { fd_pwrite(fd, &iov, 250_000) };
    println!("fd_pwrite 10000 @250000: {} guards={}", errno_name(r), g.guards_intact());
    let tell = unsafe { fd_tell(fd) };
    println!("fd_tell after p-calls: {tell:?}");

    // A buffer at the very bottom of memory (the record goes above it).
    let low = 16 as *mut u8;
    let saved: Vec<u8> = (0..4096 + 64).map(|i| unsafe { low.add(i).read_volatile() }).collect();
    let r = unsafe { fd_pread(fd, &[Iovec { buf: low, buf_len: 4096 }], 0) };
    let data_ok = (0..4096).all(|i| unsafe { low.add(i).read_volatile() } == pattern(i));
    let above_ok = (4096..4096 + 64).all(|i| unsafe { low.add(i).read_volatile() } == saved[i]);
    for (i, b) in saved.iter().enumerate() {
        unsafe { low.add(i).write_volatile(*b) };
    }
    println!("fd_pread 4096 into address 16: {} data={data_ok} above_untouched={above_ok}", errno_name(r));

    // Errors through the same path.
    let ro = open("big.bin", 0, RIGHTS_FD_READ);
    let mut g = Guarded::new(8192, 0, 0x11);
    let r = unsafe { fd_write(ro, &[Ciovec { buf: g.ptr(), buf_len: 8192 }]) };
    println!("fd_write 8192 on read-only fd: {} guards={}", errno_name(r), g.guards_intact());
    let wo = open("out.bin", OFLAGS_CREAT, RIGHTS_FD_WRITE);
    let mut g = Guarded::new(8192, 0, 0x11);
    let r = unsafe { fd_read(wo, &[Iovec { buf: g.ptr(), buf_len: 8192 }]) };
    let same = g.data().iter().all(|&b| b == 0x11);
    println!("fd_read 8192 on write-only fd: {} untouched={same} guards={}", errno_name(r), g.guards_intact());
    let dir = open(".", OFLAGS_DIRECTORY, RIGHTS_FD_READ);
    let mut g = Guarded::new(8192, 0, 0x11);
    let r = unsafe { fd_read(dir, &[Iovec { buf: g.ptr(), buf_len: 8192 }]) };
    println!("fd_read 8192 on a directory: {} guards={}", errno_name(r), g.guards_intact());
}
