//! Scripts of preview1 calls for the differential fuzzer: a generator over
//! all 46 functions (from `arbitrary` bytes, so a seed or a libFuzzer input
//! gives the same case), the byte encoding that the interpreter guest
//! `tests/programs/rust/src/bin/p1fuzz.rs` reads from stdin, and a text form
//! for regression cases.
//!
//! The guest has two arenas: the *low* one (8 KiB of its static data) and
//! the *top* one (the last 4 KiB of memory). Arguments are resolved in the
//! guest ([`A`]): a raw value, an address in the low arena, `end of memory −
//! k`, or an fd a `path_open` stored in the low arena (`fd slots`, the first
//! 64 bytes). Strings, iovecs, subscriptions are written into the arenas by
//! the step before its call.

use arbitrary::Unstructured;
use std::fmt::Write as _;

/// Size of the guest's low arena (`LOW_SIZE` in p1fuzz.rs).
pub const LOW_SIZE: u32 = 8192;
/// Size of the guest's top arena (`TOP_SIZE` in p1fuzz.rs).
pub const TOP_SIZE: u32 = 4096;

/// The 46 preview1 functions, in the guest's numbering.
pub const FUNCTIONS: [&str; 46] = [
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

const PROC_EXIT: u8 = 38;

/// An argument, resolved by the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum A {
    Raw(u64),
    /// The low arena's address + offset.
    Low(u32),
    /// End of memory − k (k may be "negative": past the end).
    Top(u64),
    /// The `u32` at this offset of the low arena.
    Load(u32),
}

impl A {
    fn encode(self, out: &mut Vec<u8>) {
        let (tag, v) = match self {
            A::Raw(v) => (0u8, v),
            A::Low(o) => (1, o as u64),
            A::Top(k) => (2, k),
            A::Load(o) => (3, o as u64),
        };
        out.push(tag);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// One step: writes into the arenas, then one call. Kept encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub func: u8,
    pub bytes: Vec<u8>,
}

/// One generated case: the command line, environment, what stdin holds
/// after the script, and the steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    pub steps: Vec<Step>,
}

impl Case {
    /// What the guest reads from stdin: the script's length, the script,
    /// then the data for the script's own reads.
    pub fn stdin_bytes(&self) -> Vec<u8> {
        let script: Vec<u8> = self.steps.iter().flat_map(|s| s.bytes.clone()).collect();
        let mut out = (script.len() as u32).to_le_bytes().to_vec();
        out.extend(script);
        out.extend_from_slice(&self.stdin);
        out
    }

    /// Number of calls.
    pub fn calls(&self) -> usize {
        self.steps.len()
    }

    /// A line-based text form (hex for bytes), for regression files.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for a in &self.args {
            let _ = writeln!(s, "arg {}", hex(a.as_bytes()));
        }
        for (k, v) in &self.env {
            let _ = writeln!(s, "env {} {}", hex(k.as_bytes()), hex(v.as_bytes()));
        }
        let _ = writeln!(s, "stdin {}", hex(&self.stdin));
        for st in &self.steps {
            let _ = writeln!(s, "step {} {}", FUNCTIONS[st.func as usize], hex(&st.bytes));
        }
        s
    }

    /// Parses [`Case::to_text`] (lines starting with `#` are comments).
    pub fn from_text(text: &str) -> Result<Case, String> {
        let mut c = Case {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
            steps: Vec::new(),
        };
        let str_of = |h: &str| -> Result<String, String> {
            String::from_utf8(unhex(h)?).map_err(|e| e.to_string())
        };
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut w = line.split(' ');
            match (w.next(), w.next(), w.next()) {
                (Some("arg"), Some(a), None) => c.args.push(str_of(a)?),
                (Some("arg"), None, None) => c.args.push(String::new()),
                (Some("env"), Some(k), v) => c.env.push((str_of(k)?, str_of(v.unwrap_or(""))?)),
                (Some("stdin"), h, None) => c.stdin = unhex(h.unwrap_or(""))?,
                (Some("step"), Some(f), Some(h)) => {
                    let func = FUNCTIONS
                        .iter()
                        .position(|n| *n == f)
                        .ok_or(format!("unknown function {f}"))?;
                    c.steps.push(Step {
                        func: func as u8,
                        bytes: unhex(h)?,
                    });
                }
                _ => return Err(format!("bad line {line:?}")),
            }
        }
        Ok(c)
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(h: &str) -> Result<Vec<u8>, String> {
    if !h.len().is_multiple_of(2) {
        return Err("odd hex length".into());
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

/// `n` pseudo-random bytes from `seed` (splitmix64), the input of
/// [`generate`] for a seeded case.
pub fn seed_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(n);
    out
}

/// The case of a seed.
pub fn case_of_seed(seed: u64) -> Case {
    generate(&mut Unstructured::new(&seed_bytes(seed, 16 << 10)))
}

/// Entries of the preopens every case runs with (built fresh per run):
/// `/sandbox` (read-write, fd 3) and `/ro` (read-only, fd 4).
pub fn preopens() -> Vec<crate::inputs::Preopen> {
    use crate::inputs::Preopen;
    let big: Vec<u8> = (0..5000u32).map(|i| (i * 7 + 1) as u8).collect();
    vec![
        Preopen::new("/sandbox")
            .file("a.txt", "hello, world\n")
            .file("big.bin", big)
            .file("sub/b.txt", "bee\n")
            .dir("sub/deep")
            .dir("empty")
            .symlink("link-a", "a.txt")
            .symlink("link-sub", "sub")
            .symlink("link-slash", "sub/")
            .symlink("dangling", "nope")
            .symlink("loop", "loop")
            .symlink("escape", "../outside")
            .symlink("abs", "/etc/passwd"),
        Preopen::new("/ro")
            .read_only()
            .file("r.txt", "read only\n")
            .file("rdir/x.txt", "x\n"),
    ]
}

/// Paths that name something (or something a call may have created).
const GOOD_PATHS: &[&[u8]] = &[
    b"a.txt",
    b"big.bin",
    b"sub",
    b"sub/b.txt",
    b"sub/deep",
    b"empty",
    b"link-a",
    b"link-sub",
    b"n1",
    b"n2",
    b"sub/n3",
    b"new",
    b".",
    b"r.txt",
    b"rdir",
];

/// Path pieces: what the preopens hold, what calls create, and the
/// troublesome forms.
const PATHS: &[&[u8]] = &[
    b"a.txt",
    b"big.bin",
    b"sub",
    b"sub/",
    b"sub/b.txt",
    b"sub/deep",
    b"sub/deep/",
    b"empty",
    b"empty/",
    b"link-a",
    b"link-a/",
    b"link-sub",
    b"link-sub/b.txt",
    b"link-slash",
    b"dangling",
    b"loop",
    b"loop/x",
    b"escape",
    b"abs",
    b"..",
    b"../a.txt",
    b"sub/../a.txt",
    b"sub/../../x",
    b".",
    b"./a.txt",
    b"/a.txt",
    b"/",
    b"",
    b"a.txt/",
    b"new",
    b"new/",
    b"n1",
    b"n2",
    b"sub/n3",
    b"empty/n4",
    b"r.txt",
    b"rdir",
    b"rdir/x.txt",
    b"\xc3\xa9.txt",
    b"\xff",
    b"a\0b",
    b"sub\xed\xa0\x80",
    b"//sub//b.txt",
];

struct Gen<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    /// Where the next string goes in the low arena.
    cursor: u32,
    /// Where the next iovec array / subscription array goes.
    array: u32,
    bytes: Vec<u8>,
}

impl Gen<'_, '_> {
    fn n(&mut self, max: u32) -> u32 {
        self.u.int_in_range(0..=max).unwrap_or(0)
    }
    fn pct(&mut self) -> u32 {
        self.n(99)
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.n(xs.len() as u32 - 1) as usize]
    }
    fn u64(&mut self) -> u64 {
        self.u.arbitrary().unwrap_or(0)
    }

    fn write(&mut self, top: bool, off: u32, data: &[u8]) {
        let mut rest = data;
        let mut off = off;
        while !rest.is_empty() {
            let n = rest.len().min(u16::MAX as usize);
            self.bytes.push(1);
            self.bytes.push(top as u8);
            self.bytes.extend_from_slice(&off.to_le_bytes());
            self.bytes.extend_from_slice(&(n as u16).to_le_bytes());
            self.bytes.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            off += n as u32;
        }
    }
    fn write_addr(&mut self, top: bool, off: u32, a: A) {
        self.bytes.push(3);
        self.bytes.push(top as u8);
        self.bytes.extend_from_slice(&off.to_le_bytes());
        a.encode(&mut self.bytes);
    }
    fn call(&mut self, func: u8, args: &[A]) -> Step {
        self.bytes.push(2);
        self.bytes.push(func);
        self.bytes.push(args.len() as u8);
        for a in args {
            a.encode(&mut self.bytes);
        }
        Step {
            func,
            bytes: std::mem::take(&mut self.bytes),
        }
    }

    /// An fd: stdio, the preopens, fds `path_open` stored, small numbers
    /// (opened, closed or renumbered by earlier steps), past the table.
    fn fd(&mut self) -> A {
        match self.pct() {
            0..=9 => A::Raw(self.n(2) as u64),
            10..=29 => A::Raw(3 + self.n(1) as u64),
            30..=79 => A::Load(4 * self.n(3)),
            80..=92 => A::Raw(5 + self.n(6) as u64),
            93..=97 => A::Raw(self.pick(&[11, 64, 1 << 31, u32::MAX as u64, 0xffff_fffe, 1 << 32])),
            _ => A::Raw(self.u64() & 0xffff_ffff),
        }
    }
    /// A directory fd for a path call: mostly the preopens.
    fn dirfd(&mut self) -> A {
        match self.pct() {
            0..=59 => A::Raw(3),
            60..=74 => A::Raw(4),
            _ => self.fd(),
        }
    }

    /// A string placed in the low arena: (pointer, length).
    fn string(&mut self, s: &[u8]) -> (A, A) {
        let s = s.to_vec();
        let mut off = self.cursor;
        if off as usize + s.len() > LOW_SIZE as usize {
            off = 64;
        }
        self.cursor = off + s.len() as u32 + self.n(3);
        if self.cursor >= LOW_SIZE - 8 {
            self.cursor = 64;
        }
        self.write(false, off, &s);
        let len = s.len() as u64;
        match self.n(199) {
            0..=190 => (A::Low(off), A::Raw(len)),
            191 => (A::Low(off), A::Raw(len + 1)),
            192 => (A::Low(off), A::Raw(len.saturating_sub(1))),
            193 => {
                // Straddling the end of memory.
                let k = self.n(len.min(TOP_SIZE as u64) as u32) as u64;
                self.write(true, TOP_SIZE - k as u32, &s[..k as usize]);
                (A::Top(k), A::Raw(len))
            }
            194 | 195 => (A::Top(0), A::Raw(self.pick(&[0, 0, 1, 16]))),
            196 => (
                A::Raw(self.pick(&[0xffff_fff0, u32::MAX as u64])),
                A::Raw(len),
            ),
            197 => (
                A::Low(off),
                A::Raw(self.pick(&[u32::MAX as u64, 1 << 31, 1 << 20])),
            ),
            _ => (A::Top((-(self.n(100) as i64) - 1) as u64), A::Raw(len)),
        }
    }

    fn path_bytes(&mut self) -> Vec<u8> {
        match self.pct() {
            0..=49 => self.pick(GOOD_PATHS).to_vec(),
            50..=74 => self.pick(PATHS).to_vec(),
            75..=86 => {
                let a = self.pick(PATHS);
                let b = self.pick(PATHS);
                let mut p = a.to_vec();
                p.push(b'/');
                p.extend_from_slice(b);
                p
            }
            87..=90 => {
                let mut p = self.pick(PATHS).to_vec();
                p.extend(std::iter::repeat_n(b'/', 1 + self.n(2) as usize));
                p
            }
            91..=94 => vec![b'x'; self.pick(&[255, 256, 1024, 4097])],
            95..=97 => b"../".repeat(1 + self.n(5) as usize),
            _ => {
                let n = self.n(12) as usize;
                (0..n).map(|_| self.n(255) as u8).collect()
            }
        }
    }
    fn path(&mut self) -> (A, A) {
        let p = self.path_bytes();
        self.string(&p)
    }

    /// An out-pointer for `size` bytes aligned to `align`.
    fn out(&mut self, size: u32, align: u32) -> A {
        match self.n(199) {
            0..=159 => {
                let off = 2048 + self.n((LOW_SIZE - 2048 - size.max(1)) / align) * align;
                A::Low(off)
            }
            160..=174 => A::Low((2048 + self.n(4000)) | 1),
            175..=184 => A::Low(64 + self.n(900)),
            185..=190 => A::Top(self.pick(&[size, size + align]) as u64),
            191..=194 => A::Top(self.pick(&[size.saturating_sub(1), size / 2, 0, 1]) as u64),
            195..=197 => {
                A::Raw(self.pick(&[0xffff_fff0, u32::MAX as u64, 0x8000_0000, 0xffff_0000]))
            }
            _ => A::Top((-(self.n(64) as i64) - 8) as u64),
        }
    }
    /// A data buffer: (pointer, length).
    fn buf(&mut self) -> (A, A) {
        let len = self.len();
        let ptr = match self.pct() {
            0..=84 => {
                let room = LOW_SIZE - 2048;
                let l = (len as u32).min(room);
                A::Low(2048 + self.n(room - l))
            }
            // Inside the top arena, or straddling the end of memory.
            85..=93 => A::Top(
                self.pick(&[len, len + 1, 4096, len, 8])
                    .min(TOP_SIZE as u64),
            ),
            94..=96 => A::Top(self.pick(&[len.saturating_sub(1), 0]).min(TOP_SIZE as u64)),
            _ => A::Raw(self.pick(&[0xffff_fff0, u32::MAX as u64, 0x8000_0000])),
        };
        (ptr, A::Raw(len))
    }
    fn len(&mut self) -> u64 {
        match self.pct() {
            0..=9 => 0,
            10..=59 => 1 + self.n(31) as u64,
            60..=79 => self.pick(&[13, 24, 64, 100, 256]),
            80..=92 => self.pick(&[4095, 4096, 4097, 5000, 6000]),
            _ => self.pick(&[u32::MAX as u64, 1 << 31, 1 << 20, 1 << 27]),
        }
    }
    /// An iovec array: (pointer, count).
    fn iovs(&mut self) -> (A, A) {
        let n = match self.pct() {
            0..=9 => 0,
            10..=59 => 1,
            60..=89 => 2 + self.n(2),
            90..=96 => 5 + self.n(11),
            _ => 100 + self.n(200),
        };
        let at = self.array;
        self.array = 1024 + (self.array - 1024 + 8 * n.min(64) + 8) % 900;
        let mut prev = None;
        for k in 0..n.min(64) {
            let off = at + 8 * k;
            if off + 8 > LOW_SIZE {
                break;
            }
            let (p, l) = match (self.pct(), prev) {
                (0..=9, Some(x)) => x,
                (10..=14, _) => (A::Low(at), A::Raw(8 * n as u64)),
                _ => self.buf(),
            };
            prev = Some((p, l));
            self.write_addr(false, off, p);
            let l = match l {
                A::Raw(v) => v as u32,
                _ => 0,
            };
            self.write(false, off + 4, &l.to_le_bytes());
        }
        let count = match self.pct() {
            0..=92 => n as u64,
            93..=95 => n as u64 + 1,
            _ => self.pick(&[1 << 31, u32::MAX as u64, (1 << 24) + 1]),
        };
        let ptr = match self.pct() {
            0..=94 => A::Low(at),
            95..=97 => A::Top(4),
            _ => A::Raw(0xffff_fff8),
        };
        (ptr, A::Raw(count))
    }

    fn offset(&mut self) -> u64 {
        self.pick(&[
            0,
            1,
            5,
            13,
            100,
            4096,
            5000,
            // Not 2^32 and such: a file grown that far (sparse) would be
            // read back whole by the snapshot of the preopens.
            1 << 20,
            (-1i64) as u64,
            (-100i64) as u64,
            i64::MAX as u64,
            i64::MIN as u64,
            u64::MAX - 5,
        ])
    }
    fn rights(&mut self) -> u64 {
        // Rights with bits past the 30 defined ones trap natively.
        match self.pct() {
            0..=49 => 0x3fff_ffff,
            50..=64 => 0,
            65..=79 => self.pick(&[2, 64, 66, 1 << 13, 1 << 14, 0x4000 | 0x2, 0x1fff_ffff]),
            80..=96 => self.u64() & 0x3fff_ffff,
            _ => u64::MAX << self.n(34),
        }
    }
    fn flags16(&mut self, valid: u32) -> u64 {
        // Undefined bits trap natively: rare, since they end the case.
        match self.pct() {
            0..=96 => self.n(valid) as u64,
            97 => self.n(0xffff) as u64,
            98 => (valid as u64 + 1) | self.n(valid) as u64,
            _ => self.pick(&[0x1_0000, 0xffff_ffff, 0x8000]),
        }
    }
    fn lookup(&mut self) -> A {
        A::Raw(match self.pct() {
            0..=48 => 0,
            49..=97 => 1,
            98 => 2,
            _ => self.u64() & 0xffff_ffff,
        })
    }
    fn time(&mut self) -> u64 {
        self.pick(&[
            0,
            1,
            1_000_000_000,
            1_600_000_000_000_000_000,
            u64::MAX,
            i64::MAX as u64,
            1 << 63,
        ])
    }
    fn clock_id(&mut self) -> u64 {
        match self.pct() {
            0..=39 => 0,
            40..=79 => 1,
            80..=96 => 2 + self.n(1) as u64,
            _ => self.pick(&[4, 255, u32::MAX as u64]),
        }
    }

    fn subscriptions(&mut self) -> (A, u32) {
        let n = match self.pct() {
            0..=4 => 0,
            5..=49 => 1,
            50..=89 => 2 + self.n(2),
            _ => 4 + self.n(8),
        };
        // Whether a file is ready for reading or writing is found out by a
        // host thread, so a file subscription next to ones that are ready
        // at once may or may not be reported ready (natively as much as in
        // a component): a subscription on an fd that may be a file (from a
        // slot, or 5..10) is the only one of its poll.
        let lone_file = self.pct() < 25;
        let n = if lone_file { 1 } else { n };
        let at = 2048 + 8 * self.n(100);
        // At most one clock that does not expire at once (10 s), and only
        // next to others that are ready at once, so it never fires; the
        // others expire at once: what is ready does not depend on time.
        let mut long_clock = n < 2;
        for k in 0..n {
            let mut s = [0u8; 48];
            s[..8].copy_from_slice(&(0x1000 + k as u64).to_le_bytes());
            let kind = if lone_file { 50 } else { self.pct() };
            match kind {
                0..=39 => {
                    let id = self.clock_id() as u32;
                    let (timeout, flags) = match self.pct() {
                        0..=39 => (0u64, 0u16),
                        40..=59 => (self.pick(&[0, 1]), 1),
                        60..=79 if !long_clock => {
                            long_clock = true;
                            (10_000_000_000, 0)
                        }
                        80..=89 => (0, self.n(3) as u16),
                        _ => (0, 0),
                    };
                    s[8] = 0;
                    s[16..20].copy_from_slice(&id.to_le_bytes());
                    s[24..32].copy_from_slice(&timeout.to_le_bytes());
                    s[32..40].copy_from_slice(&self.pick(&[0u64, 1, 1000]).to_le_bytes());
                    s[40..42].copy_from_slice(&flags.to_le_bytes());
                }
                40..=97 => {
                    s[8] = 1 + self.n(1) as u8;
                    let fd = match if lone_file { 50 } else { self.pct() % 45 } {
                        0..=29 => self.n(2),
                        30..=39 => 3 + self.n(1),
                        40..=44 => self.pick(&[99, u32::MAX - 1]),
                        45..=84 if self.pct() < 80 => {
                            // An fd from a slot: copied by the guest.
                            let slot = 4 * self.n(3);
                            self.write_addr(false, at + 48 * k + 16, A::Load(slot));
                            s[16..20].copy_from_slice(&[0; 4]);
                            u32::MAX
                        }
                        _ => 5 + self.n(5),
                    };
                    if fd != u32::MAX {
                        s[16..20].copy_from_slice(&fd.to_le_bytes());
                    } else {
                        // Written by write_addr above, keep those bytes.
                        let tail = s[20..].to_vec();
                        self.write(false, at + 48 * k, &s[..16]);
                        self.write(false, at + 48 * k + 20, &tail);
                        continue;
                    }
                }
                _ => s[8] = self.pick(&[3, 255]),
            }
            self.write(false, at + 48 * k, &s);
        }
        (A::Low(at), n)
    }

    fn step(&mut self, last: bool) -> Step {
        let f = if last {
            PROC_EXIT
        } else {
            match self.n(45) as u8 {
                PROC_EXIT => 40,
                f => f,
            }
        };
        let fd = |g: &mut Self| g.fd();
        let args: Vec<A> = match f {
            0 | 2 => {
                let a = self.out(64, 4);
                let b = match self.pct() {
                    0..=59 => A::Low(4096 + self.n(1000)),
                    60..=79 => a,
                    _ => self.out(64, 1),
                };
                vec![a, b]
            }
            1 | 3 => {
                let a = self.out(4, 4);
                let b = if self.pct() < 10 { a } else { self.out(4, 4) };
                vec![a, b]
            }
            4 => vec![A::Raw(self.clock_id()), self.out(8, 8)],
            5 => {
                let p = self.pick(&[0, 1, 1000, u64::MAX]);
                vec![A::Raw(self.clock_id()), A::Raw(p), self.out(8, 8)]
            }
            6 => {
                let advice = if self.pct() < 97 {
                    self.n(5) as u64
                } else {
                    self.pick(&[6, 255, 0x100])
                };
                vec![
                    fd(self),
                    A::Raw(self.offset()),
                    A::Raw(self.offset()),
                    A::Raw(advice),
                ]
            }
            7 => vec![fd(self), A::Raw(self.offset()), A::Raw(self.offset())],
            8 | 9 | 24 => vec![fd(self)],
            10 => vec![fd(self), self.out(24, 8)],
            11 => vec![fd(self), A::Raw(self.flags16(31))],
            12 => vec![fd(self), A::Raw(self.rights()), A::Raw(self.rights())],
            13 => vec![fd(self), self.out(64, 8)],
            14 => vec![fd(self), A::Raw(self.offset())],
            15 => vec![
                fd(self),
                A::Raw(self.time()),
                A::Raw(self.time()),
                A::Raw(self.flags16(15)),
            ],
            16 | 19 => {
                let (p, n) = self.iovs();
                vec![fd(self), p, n, A::Raw(self.offset()), self.out(4, 4)]
            }
            17 => vec![fd(self), self.out(8, 4)],
            18 => {
                let len = self.pick(&[0, 1, 3, 4, 7, 8, 100, u32::MAX as u64]);
                vec![fd(self), self.out(len.min(64) as u32, 1), A::Raw(len)]
            }
            20 | 26 => {
                let (p, n) = self.iovs();
                let fd = if f == 26 && self.pct() < 30 {
                    A::Raw(1 + self.n(1) as u64)
                } else {
                    fd(self)
                };
                vec![fd, p, n, self.out(4, 4)]
            }
            21 => {
                let len = match self.pct() {
                    0..=59 => self.n(80) as u64,
                    60..=89 => self.pick(&[100, 256, 512, 4096]),
                    _ => self.pick(&[u32::MAX as u64, 1 << 20]),
                };
                let buf = match self.pct() {
                    0..=89 => A::Low(2048 + self.n(1000)),
                    _ => A::Top(len.min(4096) / 2),
                };
                let cookie = match self.pct() {
                    0..=49 => 0,
                    50..=89 => 1 + self.n(12) as u64,
                    _ => self.pick(&[1 << 32, u64::MAX, i64::MAX as u64]),
                };
                // bufused never inside the entries: the guest masks their
                // d_ino by walking them, which needs every d_namlen
                // (that overlap is the hostile suite's).
                let used = if self.pct() < 95 {
                    A::Low(7400 + 4 * self.n(190))
                } else {
                    A::Raw(self.pick(&[0xffff_fffc, u32::MAX as u64]))
                };
                vec![fd(self), buf, A::Raw(len), A::Raw(cookie), used]
            }
            22 => vec![fd(self), fd(self)],
            23 => {
                let whence = if self.pct() < 97 {
                    self.n(2) as u64
                } else {
                    self.pick(&[3, 255, 0x100])
                };
                vec![
                    fd(self),
                    A::Raw(self.offset()),
                    A::Raw(whence),
                    self.out(8, 8),
                ]
            }
            25 => vec![fd(self), self.out(8, 8)],
            27 | 33 | 36 => {
                let d = self.dirfd();
                let (p, l) = self.path();
                vec![d, p, l]
            }
            28 => {
                let d = self.dirfd();
                let fl = self.lookup();
                let (p, l) = self.path();
                vec![d, fl, p, l, self.out(64, 8)]
            }
            29 => {
                let d = self.dirfd();
                let fl = self.lookup();
                let (p, l) = self.path();
                vec![
                    d,
                    fl,
                    p,
                    l,
                    A::Raw(self.time()),
                    A::Raw(self.time()),
                    A::Raw(self.flags16(15)),
                ]
            }
            30 => {
                let d = self.dirfd();
                let fl = self.lookup();
                let (p, l) = self.path();
                let d2 = self.dirfd();
                let (p2, l2) = self.path();
                vec![d, fl, p, l, d2, p2, l2]
            }
            31 => {
                let d = self.dirfd();
                let fl = self.lookup();
                let (p, l) = self.path();
                let oflags = self.flags16(15);
                let fdflags = self.flags16(31);
                let out = if self.pct() < 85 {
                    A::Low(4 * self.n(3))
                } else {
                    self.out(4, 4)
                };
                vec![
                    d,
                    fl,
                    p,
                    l,
                    A::Raw(oflags),
                    A::Raw(self.rights()),
                    A::Raw(self.rights()),
                    A::Raw(fdflags),
                    out,
                ]
            }
            32 => {
                let d = self.dirfd();
                let (p, l) = self.path();
                let (b, bl) = match self.pct() {
                    0..=79 => (A::Low(2048 + self.n(2000)), A::Raw(self.n(40) as u64)),
                    _ => self.buf(),
                };
                vec![d, p, l, b, bl, self.out(4, 4)]
            }
            34 => {
                let d = self.dirfd();
                let (p, l) = self.path();
                let d2 = self.dirfd();
                let (p2, l2) = self.path();
                vec![d, p, l, d2, p2, l2]
            }
            35 => {
                let (p, l) = self.path();
                let d = self.dirfd();
                let (p2, l2) = self.path();
                vec![p, l, d, p2, l2]
            }
            37 => {
                let (subs, n) = self.subscriptions();
                let events = match self.pct() {
                    0..=79 => A::Low(5000 + 8 * self.n(300)),
                    80..=89 => subs,
                    _ => self.out(32 * n, 8),
                };
                let count = if self.pct() < 95 {
                    n as u64
                } else {
                    self.pick(&[0, 1 << 31, u32::MAX as u64])
                };
                vec![subs, events, A::Raw(count), self.out(4, 4)]
            }
            38 => vec![A::Raw(self.pick(&[
                0,
                1,
                3,
                125,
                126,
                255,
                256,
                u32::MAX as u64,
            ]))],
            39 => {
                let sig = if self.pct() < 95 {
                    self.n(30)
                } else {
                    self.pick(&[31, 255])
                };
                vec![A::Raw(sig as u64)]
            }
            40 => vec![],
            41 => {
                let (p, l) = self.buf();
                vec![p, l]
            }
            42 => vec![fd(self), A::Raw(self.flags16(4)), self.out(4, 4)],
            43 => {
                let (p, n) = self.iovs();
                vec![
                    fd(self),
                    p,
                    n,
                    A::Raw(self.flags16(3)),
                    self.out(4, 4),
                    self.out(2, 2),
                ]
            }
            44 => {
                let (p, n) = self.iovs();
                vec![fd(self), p, n, A::Raw(self.flags16(1)), self.out(4, 4)]
            }
            _ => {
                let how = if self.pct() < 97 {
                    self.n(3)
                } else {
                    self.pick(&[4, 255])
                };
                vec![fd(self), A::Raw(how as u64)]
            }
        };
        self.call(f, &args)
    }
}

fn text(u: &mut Unstructured, max: u32) -> String {
    const PIECES: &[&str] = &[
        "a",
        "Z",
        "0",
        "-",
        " ",
        "=",
        "é",
        "日本",
        "\u{10ffff}",
        "/",
        "x",
    ];
    let n = u.int_in_range(0..=max).unwrap_or(0);
    (0..n).map(|_| *u.choose(PIECES).unwrap_or(&"a")).collect()
}

/// A case from arbitrary bytes: 1–24 steps (8 to 16 mostly), the command
/// line, environment and stdin data.
pub fn generate(u: &mut Unstructured) -> Case {
    let nargs = u.int_in_range(0..=4u32).unwrap_or(0);
    let mut args = vec!["p1fuzz".to_string()];
    for _ in 0..nargs {
        let big = u.ratio(1, 40).unwrap_or(false);
        args.push(text(u, if big { 3000 } else { 12 }));
    }
    let nenv = u.int_in_range(0..=4u32).unwrap_or(0);
    let env = (0..nenv)
        .map(|k| (format!("K{k}{}", text(u, 3).replace('=', "")), text(u, 20)))
        .collect();
    let stdin = match u.int_in_range(0..=9u32).unwrap_or(0) {
        0..=3 => Vec::new(),
        4..=8 => (0..u.int_in_range(1..=100u32).unwrap_or(1))
            .map(|i| b'a' + (i % 26) as u8)
            .collect(),
        _ => (0..6000u32).map(|i| i as u8).collect(),
    };
    let nsteps = if u.ratio(1, 10).unwrap_or(false) {
        u.int_in_range(1..=24u32).unwrap_or(1)
    } else {
        u.int_in_range(8..=16u32).unwrap_or(8)
    };
    let mut g = Gen {
        u,
        cursor: 64,
        array: 1024,
        bytes: Vec::new(),
    };
    let mut steps = Vec::new();
    for k in 0..nsteps {
        // Often open something first, so that later steps have fds to use.
        let s = if k < 4 && g.pct() < 70 {
            let d = if g.pct() < 80 { A::Raw(3) } else { A::Raw(4) };
            let fl = A::Raw(g.n(1) as u64);
            let path = g.pick(GOOD_PATHS);
            let (p, l) = g.string(path);
            let oflags = match g.pct() {
                0..=49 => 0,
                50..=74 => 1,
                75..=84 => 2,
                85..=89 => 8,
                _ => g.n(15) as u64,
            };
            let fdflags = if g.pct() < 85 { 0 } else { g.n(31) as u64 };
            let slot = 4 * k;
            let r = g.rights();
            g.call(
                31,
                &[
                    d,
                    fl,
                    p,
                    l,
                    A::Raw(oflags),
                    A::Raw(r),
                    A::Raw(0x3fff_ffff),
                    A::Raw(fdflags),
                    A::Low(slot),
                ],
            )
        } else {
            let last = k + 1 == nsteps && g.u.ratio(1, 20).unwrap_or(false);
            g.step(last)
        };
        steps.push(s);
    }
    Case {
        args,
        env,
        stdin,
        steps,
    }
}
