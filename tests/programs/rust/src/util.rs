//! Helpers: raw preview1 calls with explicit pointers, errno names, aligned
//! buffers and the line printer. Every check prints one line:
//! `<function> <case>: <errno or ok> [values]`.

pub use wasi::wasi_snapshot_preview1 as p1;

pub const ERRNO_NAMES: [&str; 77] = [
    "SUCCESS",
    "2BIG",
    "ACCES",
    "ADDRINUSE",
    "ADDRNOTAVAIL",
    "AFNOSUPPORT",
    "AGAIN",
    "ALREADY",
    "BADF",
    "BADMSG",
    "BUSY",
    "CANCELED",
    "CHILD",
    "CONNABORTED",
    "CONNREFUSED",
    "CONNRESET",
    "DEADLK",
    "DESTADDRREQ",
    "DOM",
    "DQUOT",
    "EXIST",
    "FAULT",
    "FBIG",
    "HOSTUNREACH",
    "IDRM",
    "ILSEQ",
    "INPROGRESS",
    "INTR",
    "INVAL",
    "IO",
    "ISCONN",
    "ISDIR",
    "LOOP",
    "MFILE",
    "MLINK",
    "MSGSIZE",
    "MULTIHOP",
    "NAMETOOLONG",
    "NETDOWN",
    "NETRESET",
    "NETUNREACH",
    "NFILE",
    "NOBUFS",
    "NODEV",
    "NOENT",
    "NOEXEC",
    "NOLCK",
    "NOLINK",
    "NOMEM",
    "NOMSG",
    "NOPROTOOPT",
    "NOSPC",
    "NOSYS",
    "NOTCONN",
    "NOTDIR",
    "NOTEMPTY",
    "NOTRECOVERABLE",
    "NOTSOCK",
    "NOTSUP",
    "NOTTY",
    "NXIO",
    "OVERFLOW",
    "OWNERDEAD",
    "PERM",
    "PIPE",
    "PROTO",
    "PROTONOSUPPORT",
    "PROTOTYPE",
    "RANGE",
    "ROFS",
    "SPIPE",
    "SRCH",
    "STALE",
    "TIMEDOUT",
    "TXTBSY",
    "XDEV",
    "NOTCAPABLE",
];

// oflags
pub const O_CREAT: i32 = 1;
pub const O_DIRECTORY: i32 = 2;
pub const O_EXCL: i32 = 4;
pub const O_TRUNC: i32 = 8;
// fdflags
pub const FD_APPEND: i32 = 1;
pub const FD_DSYNC: i32 = 2;
pub const FD_NONBLOCK: i32 = 4;
pub const FD_RSYNC: i32 = 8;
pub const FD_SYNC: i32 = 16;
// lookupflags
pub const FOLLOW: i32 = 1;
// fstflags
pub const ATIM: i32 = 1;
pub const ATIM_NOW: i32 = 2;
pub const MTIM: i32 = 4;
pub const MTIM_NOW: i32 = 8;
// rights
pub const R_READ: i64 = 1 << 1;
pub const R_WRITE: i64 = 1 << 6;
pub const R_ALL: i64 = 0x3FFF_FFFF;
pub const RW: i64 = R_READ | R_WRITE;

/// `ok` or `E<NAME>`.
pub fn en(ret: i32) -> String {
    if ret == 0 {
        "ok".to_string()
    } else if (ret as usize) < ERRNO_NAMES.len() {
        format!("E{}", ERRNO_NAMES[ret as usize])
    } else {
        format!("errno {ret}")
    }
}

/// Prints `func case: errno` followed by `detail` when the call succeeded.
pub fn line(func: &str, case: &str, ret: i32, detail: impl AsRef<str>) {
    let d = detail.as_ref();
    if ret == 0 && !d.is_empty() {
        println!("{func} {case}: ok {d}");
    } else {
        println!("{func} {case}: {}", en(ret));
    }
}

/// Prints `func case: errno` (no detail).
pub fn e(func: &str, case: &str, ret: i32) {
    line(func, case, ret, "");
}

/// Prints a fact that is not a single call's result.
pub fn fact(what: &str, value: impl std::fmt::Display) {
    println!("{what}: {value}");
}

/// An 8-aligned byte buffer whose contents survive as long as it does.
pub struct Buf {
    words: Vec<u64>,
    len: usize,
}

impl Buf {
    pub fn new(len: usize, fill: u8) -> Buf {
        let mut b = Buf {
            words: vec![0; len / 8 + 1],
            len,
        };
        b.bytes_mut().fill(fill);
        b
    }
    pub fn ptr(&self) -> i32 {
        self.words.as_ptr() as usize as i32
    }
    pub fn at(&self, off: usize) -> i32 {
        self.ptr() + off as i32
    }
    pub fn bytes(&self) -> &[u8] {
        unsafe { std::slice::from_raw_parts(self.words.as_ptr() as *const u8, self.len) }
    }
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        unsafe { std::slice::from_raw_parts_mut(self.words.as_mut_ptr() as *mut u8, self.len) }
    }
    pub fn u8(&self, off: usize) -> u8 {
        self.bytes()[off]
    }
    pub fn u16(&self, off: usize) -> u16 {
        u16::from_le_bytes(self.bytes()[off..off + 2].try_into().unwrap())
    }
    pub fn u32(&self, off: usize) -> u32 {
        u32::from_le_bytes(self.bytes()[off..off + 4].try_into().unwrap())
    }
    pub fn u64(&self, off: usize) -> u64 {
        u64::from_le_bytes(self.bytes()[off..off + 8].try_into().unwrap())
    }
    pub fn set_u8(&mut self, off: usize, v: u8) {
        self.bytes_mut()[off] = v;
    }
    pub fn set_u16(&mut self, off: usize, v: u16) {
        self.bytes_mut()[off..off + 2].copy_from_slice(&v.to_le_bytes());
    }
    pub fn set_u32(&mut self, off: usize, v: u32) {
        self.bytes_mut()[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    pub fn set_u64(&mut self, off: usize, v: u64) {
        self.bytes_mut()[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }
    pub fn text(&self, off: usize, len: usize) -> String {
        String::from_utf8_lossy(&self.bytes()[off..off + len]).into_owned()
    }
}

/// An array of (c)iovecs pointing into buffers that outlive it.
pub struct Iovs {
    buf: Buf,
    pub count: i32,
}

impl Iovs {
    /// `parts`: (pointer, length) pairs.
    pub fn new(parts: &[(i32, u32)]) -> Iovs {
        let mut buf = Buf::new(parts.len() * 8 + 8, 0);
        for (i, (p, l)) in parts.iter().enumerate() {
            buf.set_u32(i * 8, *p as u32);
            buf.set_u32(i * 8 + 4, *l);
        }
        Iovs {
            buf,
            count: parts.len() as i32,
        }
    }
    pub fn ptr(&self) -> i32 {
        self.buf.ptr()
    }
}

pub fn sptr(s: &[u8]) -> (i32, i32) {
    (s.as_ptr() as usize as i32, s.len() as i32)
}

/// The returned u32 out-parameter area (8-aligned, 16 bytes, prefilled
/// with 0xEE so "not written" is visible).
pub fn out() -> Buf {
    Buf::new(16, 0xEE)
}

// ---- raw calls returning (errno, value) ----

pub fn open(
    dir: u32,
    dirflags: i32,
    path: &str,
    oflags: i32,
    rights: i64,
    fdflags: i32,
) -> (i32, u32) {
    let (p, l) = sptr(path.as_bytes());
    let o = out();
    let r = unsafe {
        p1::path_open(
            dir as i32,
            dirflags,
            p,
            l,
            oflags,
            rights,
            rights,
            fdflags,
            o.ptr(),
        )
    };
    (r, o.u32(0))
}

/// Opens or panics with a message (for setup steps).
pub fn must_open(dir: u32, path: &str, oflags: i32, rights: i64, fdflags: i32) -> u32 {
    let (r, fd) = open(dir, 0, path, oflags, rights, fdflags);
    if r != 0 {
        println!("setup: path_open {path:?} failed: {}", en(r));
        unsafe { p1::proc_exit(100) };
    }
    fd
}

pub fn write(fd: u32, data: &[u8]) -> (i32, u32) {
    let iovs = Iovs::new(&[(data.as_ptr() as usize as i32, data.len() as u32)]);
    let o = out();
    let r = unsafe { p1::fd_write(fd as i32, iovs.ptr(), iovs.count, o.ptr()) };
    (r, o.u32(0))
}

pub fn read(fd: u32, len: usize) -> (i32, Vec<u8>) {
    let b = Buf::new(len, 0);
    let iovs = Iovs::new(&[(b.ptr(), len as u32)]);
    let o = out();
    let r = unsafe { p1::fd_read(fd as i32, iovs.ptr(), iovs.count, o.ptr()) };
    if r != 0 {
        return (r, Vec::new());
    }
    (r, b.bytes()[..o.u32(0) as usize].to_vec())
}

pub fn pread(fd: u32, len: usize, offset: u64) -> (i32, Vec<u8>) {
    let b = Buf::new(len, 0);
    let iovs = Iovs::new(&[(b.ptr(), len as u32)]);
    let o = out();
    let r = unsafe { p1::fd_pread(fd as i32, iovs.ptr(), iovs.count, offset as i64, o.ptr()) };
    if r != 0 {
        return (r, Vec::new());
    }
    (r, b.bytes()[..o.u32(0) as usize].to_vec())
}

pub fn pwrite(fd: u32, data: &[u8], offset: u64) -> (i32, u32) {
    let iovs = Iovs::new(&[(data.as_ptr() as usize as i32, data.len() as u32)]);
    let o = out();
    let r = unsafe { p1::fd_pwrite(fd as i32, iovs.ptr(), iovs.count, offset as i64, o.ptr()) };
    (r, o.u32(0))
}

pub fn seek(fd: u32, off: i64, whence: i32) -> (i32, u64) {
    let o = out();
    let r = unsafe { p1::fd_seek(fd as i32, off, whence, o.ptr()) };
    (r, o.u64(0))
}

pub fn tell(fd: u32) -> (i32, u64) {
    let o = out();
    let r = unsafe { p1::fd_tell(fd as i32, o.ptr()) };
    (r, o.u64(0))
}

pub fn close(fd: u32) -> i32 {
    unsafe { p1::fd_close(fd as i32) }
}

pub fn mkdir(dir: u32, path: &str) -> i32 {
    let (p, l) = sptr(path.as_bytes());
    unsafe { p1::path_create_directory(dir as i32, p, l) }
}

pub fn rmdir(dir: u32, path: &str) -> i32 {
    let (p, l) = sptr(path.as_bytes());
    unsafe { p1::path_remove_directory(dir as i32, p, l) }
}

pub fn unlink(dir: u32, path: &str) -> i32 {
    let (p, l) = sptr(path.as_bytes());
    unsafe { p1::path_unlink_file(dir as i32, p, l) }
}

pub fn symlink(target: &str, dir: u32, path: &str) -> i32 {
    let (t, tl) = sptr(target.as_bytes());
    let (p, l) = sptr(path.as_bytes());
    unsafe { p1::path_symlink(t, tl, dir as i32, p, l) }
}

pub fn readlink(dir: u32, path: &str, len: usize) -> (i32, String) {
    let (p, l) = sptr(path.as_bytes());
    let b = Buf::new(len + 8, 0xEE);
    let o = out();
    let r = unsafe { p1::path_readlink(dir as i32, p, l, b.ptr(), len as i32, o.ptr()) };
    if r != 0 {
        return (r, String::new());
    }
    let n = o.u32(0) as usize;
    let untouched = b.bytes()[n..len + 8].iter().all(|&x| x == 0xEE);
    (
        r,
        format!("len={n} {:?} rest-untouched={untouched}", b.text(0, n)),
    )
}

pub fn rename(dir: u32, old: &str, newdir: u32, new: &str) -> i32 {
    let (o, ol) = sptr(old.as_bytes());
    let (n, nl) = sptr(new.as_bytes());
    unsafe { p1::path_rename(dir as i32, o, ol, newdir as i32, n, nl) }
}

pub fn link(dir: u32, flags: i32, old: &str, newdir: u32, new: &str) -> i32 {
    let (o, ol) = sptr(old.as_bytes());
    let (n, nl) = sptr(new.as_bytes());
    unsafe { p1::path_link(dir as i32, flags, o, ol, newdir as i32, n, nl) }
}

/// Writes a whole file (create + truncate).
pub fn put(dir: u32, path: &str, data: &[u8]) {
    let fd = must_open(dir, path, O_CREAT | O_TRUNC, RW, 0);
    let (r, n) = write(fd, data);
    if r != 0 || n as usize != data.len() {
        println!("setup: write {path:?} failed: {} n={n}", en(r));
    }
    close(fd);
}

/// Reads a whole (small) file, or an errno name.
pub fn get(dir: u32, path: &str) -> String {
    let (r, fd) = open(dir, 0, path, 0, R_READ, 0);
    if r != 0 {
        return format!("<{}>", en(r));
    }
    let (r, data) = read(fd, 65536);
    close(fd);
    if r != 0 {
        return format!("<read {}>", en(r));
    }
    format!("{:?}", String::from_utf8_lossy(&data))
}

// ---- fdstat / filestat ----

pub struct Fdstat {
    pub filetype: u8,
    pub flags: u16,
    pub base: u64,
    pub inheriting: u64,
}

pub fn fdstat(fd: u32) -> (i32, Fdstat) {
    let b = Buf::new(24, 0xEE);
    let r = unsafe { p1::fd_fdstat_get(fd as i32, b.ptr()) };
    (
        r,
        Fdstat {
            filetype: b.u8(0),
            flags: b.u16(2),
            base: b.u64(8),
            inheriting: b.u64(16),
        },
    )
}

impl std::fmt::Display for Fdstat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "filetype={} flags={:#x} base={:#x} inheriting={:#x}",
            self.filetype, self.flags, self.base, self.inheriting
        )
    }
}

pub fn show_fdstat(case: &str, fd: u32) {
    let (r, s) = fdstat(fd);
    line("fd_fdstat_get", case, r, s.to_string());
}

#[derive(Clone, Copy)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl Filestat {
    fn parse(b: &Buf) -> Filestat {
        Filestat {
            dev: b.u64(0),
            ino: b.u64(8),
            filetype: b.u8(16),
            nlink: b.u64(24),
            size: b.u64(32),
            atim: b.u64(40),
            mtim: b.u64(48),
            ctim: b.u64(56),
        }
    }

    /// Everything that doesn't depend on the host directory or the clock:
    /// `ino` and the times only as zero / non-zero; with `size` for files
    /// and symlinks only (directory sizes are file-system specific).
    pub fn stable(&self) -> String {
        let nz = |v: u64| if v == 0 { "0" } else { "nonzero" };
        let size = if self.filetype == 3 {
            String::new()
        } else {
            format!(" size={}", self.size)
        };
        format!(
            "dev={} ino={} filetype={} nlink={}{} atim={} mtim={} ctim={}",
            self.dev,
            nz(self.ino),
            self.filetype,
            self.nlink,
            size,
            nz(self.atim),
            nz(self.mtim),
            nz(self.ctim)
        )
    }
}

pub fn fstat(fd: u32) -> (i32, Filestat) {
    let b = Buf::new(64, 0xEE);
    let r = unsafe { p1::fd_filestat_get(fd as i32, b.ptr()) };
    (r, Filestat::parse(&b))
}

pub fn pstat(dir: u32, flags: i32, path: &str) -> (i32, Filestat) {
    let (p, l) = sptr(path.as_bytes());
    let b = Buf::new(64, 0xEE);
    let r = unsafe { p1::path_filestat_get(dir as i32, flags, p, l, b.ptr()) };
    (r, Filestat::parse(&b))
}

pub fn show_fstat(case: &str, fd: u32) {
    let (r, s) = fstat(fd);
    line("fd_filestat_get", case, r, s.stable());
}

pub fn show_pstat(case: &str, dir: u32, flags: i32, path: &str) {
    let (r, s) = pstat(dir, flags, path);
    line("path_filestat_get", case, r, s.stable());
}

// ---- clocks ----

pub fn now(clock: i32) -> u64 {
    let o = out();
    let r = unsafe { p1::clock_time_get(clock, 0, o.ptr()) };
    if r != 0 {
        println!("setup: clock_time_get({clock}) failed: {}", en(r));
    }
    o.u64(0)
}

// ---- preopens ----

/// The fd of the preopen named `name` (scans fds 3..256; stops at nothing,
/// so it survives closed or renumbered preopens).
pub fn find_preopen(name: &str) -> Option<u32> {
    for fd in 3..256u32 {
        let b = Buf::new(8, 0);
        if unsafe { p1::fd_prestat_get(fd as i32, b.ptr()) } != 0 || b.u8(0) != 0 {
            continue;
        }
        let len = b.u32(4) as usize;
        let nb = Buf::new(len, 0);
        if unsafe { p1::fd_prestat_dir_name(fd as i32, nb.ptr(), len as i32) } == 0
            && nb.bytes() == name.as_bytes()
        {
            return Some(fd);
        }
    }
    None
}

pub fn preopen(name: &str) -> u32 {
    match find_preopen(name) {
        Some(fd) => fd,
        None => {
            println!("setup: no preopened directory named {name:?}");
            unsafe { p1::proc_exit(101) }
        }
    }
}

pub const SANDBOX: &str = "/sandbox";
pub const RO: &str = "/ro";
