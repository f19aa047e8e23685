//! `hostile`: a main module that attacks its preview1 implementation with
//! hostile arguments — out-of-bounds and wrapping pointers and lengths,
//! overlapping buffers, iovec counts of 0, 2^31 and 2^32-1, invalid UTF-8
//! paths, descriptor exhaustion, `fd_renumber` games with preopens, huge
//! `fd_readdir` cookies. One output line per case:
//! `<function> <case>: <ok values | E<ERRNO>>`, plus the bytes of user
//! memory wherever overlapping buffers make the write order visible.
//!
//! Modes (argv[1..]): `all` (every case that returns), `SECTION...`,
//! `list`, `trap CASE` (one call that traps natively: prints
//! `trap CASE: calling`, and `returned ...` if it did not trap), `trap list`.
//! Needs the preopens `/sandbox` (read-write) and `/ro` (read-only) of
//! `mmadapt_e2e::runs`, and arguments/environment to copy.

#[path = "../util.rs"]
#[allow(dead_code)]
mod util;

use util::*;

const SECTIONS: &[&str] = &[
    "bounds", "iovcount", "overlap", "utf8", "readdir", "renumber", "exhaust",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["trap", case] => trap(case),
        ["list"] => SECTIONS.iter().for_each(|s| println!("{s}")),
        ["all"] => SECTIONS.iter().for_each(|s| section(s)),
        [] => println!("usage: hostile all | list | SECTION... | trap CASE | trap list"),
        sections => sections.iter().for_each(|s| section(s)),
    }
}

fn section(name: &str) {
    match name {
        "bounds" => bounds(),
        "iovcount" => iovcount(),
        "overlap" => overlap(),
        "utf8" => utf8(),
        "readdir" => readdir(),
        "renumber" => renumber(),
        "exhaust" => exhaust(),
        _ => {
            println!("unknown section {name:?}");
            unsafe { p1::proc_exit(2) };
        }
    }
}

/// Size of this module's memory in bytes.
fn mem_size() -> u32 {
    (core::arch::wasm32::memory_size(0) as u32) << 16
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sandbox() -> u32 {
    preopen(SANDBOX)
}

// ---------------------------------------------------------------------------
// Out-of-bounds pointers and lengths that return an errno natively.

fn bounds() {
    let sb = sandbox() as i32;
    let end = mem_size() as i32;
    let o = out();
    unsafe {
        // Zero-length accesses: only `ptr <= memory size` is checked (strings),
        // or nothing at all (writes of nothing).
        let r = p1::path_open(sb, 0, end, 0, 0, R_READ, 0, 0, o.ptr());
        e("path_open", "empty-path-at-end-of-memory", r);
        let r = p1::random_get(end + 4096, 0);
        e("random_get", "len-0-oob", r);
        let r = p1::random_get(-16, 0);
        e("random_get", "len-0-at-2^32-16", r);
        let r = p1::fd_readdir(sb, end + 100, 0, 0, o.ptr());
        line(
            "fd_readdir",
            "len-0-oob-buf",
            r,
            format!("bufused={}", o.u32(0)),
        );
        let r = p1::fd_prestat_dir_name(sb, end + 100, 0);
        e("fd_prestat_dir_name", "len-0-oob", r);
        let r = p1::fd_prestat_dir_name(sb, -1, 0);
        e("fd_prestat_dir_name", "len-0-at-u32-max", r);
        // Lengths far beyond memory but pointers in bounds: only what is
        // written must fit.
        let b = Buf::new(64, 0xEE);
        let r = p1::fd_prestat_dir_name(sb, b.ptr(), -1);
        line("fd_prestat_dir_name", "len-u32-max", r, b.text(0, 8));
        // Hostcall fuel comes before bounds: ENOMEM, no trap.
        for (case, len) in [
            ("2^31", i32::MIN),
            ("u32-max", -1),
            ("128MiB+1", (128 << 20) + 1),
        ] {
            let r = p1::path_open(sb, 0, end - 1, len, 0, R_READ, 0, 0, o.ptr());
            e("path_open", &format!("path-len-{case}-oob"), r);
            let r = p1::path_create_directory(sb, -16, len);
            e(
                "path_create_directory",
                &format!("path-len-{case}-wrapping"),
                r,
            );
            let (p, l) = sptr(b"x");
            let r = p1::path_rename(sb, p, l, sb, end, len);
            e("path_rename", &format!("new-len-{case}-oob"), r);
            let r = p1::path_symlink(end, len, sb, p, l);
            e("path_symlink", &format!("old-len-{case}-oob"), r);
        }
        // A bad fd is reported before the path is looked at (path_open:
        // after).
        let r = p1::path_create_directory(999, end + 100, 8);
        e("path_create_directory", "bad-fd-oob-path", r);
        let r = p1::path_unlink_file(999, -16, 64);
        e("path_unlink_file", "bad-fd-wrapping-path", r);
        let r = p1::path_open(999, 0, end - 1, i32::MIN, 0, R_READ, 0, 0, o.ptr());
        e("path_open", "bad-fd-huge-path", r);
        let r = p1::fd_readdir(999, end + 100, 100, 0, -1);
        e("fd_readdir", "bad-fd-oob-everything", r);
        let r = p1::fd_prestat_dir_name(0, end + 100, 100);
        e("fd_prestat_dir_name", "not-preopen-oob", r);
        let r = p1::fd_prestat_dir_name(sb, end + 100, 1);
        e("fd_prestat_dir_name", "too-short-oob", r);
        // Sockets never read their buffers.
        let r = p1::sock_recv(0, end + 100, -1, 0, end + 100, end + 100);
        e("sock_recv", "oob-everything", r);
        let r = p1::sock_send(999, -8, i32::MIN, 0, -1);
        e("sock_send", "bad-fd-oob-everything", r);
        let r = p1::sock_accept(999, 0, -1);
        e("sock_accept", "bad-fd-oob-out", r);
        // Out-pointers are written only on success.
        let r = p1::fd_fdstat_get(999, -1);
        e("fd_fdstat_get", "bad-fd-oob-out", r);
        let r = p1::fd_filestat_get(999, end);
        e("fd_filestat_get", "bad-fd-oob-out", r);
        let r = p1::fd_prestat_get(1, -1);
        e("fd_prestat_get", "not-preopen-oob-out", r);
        let r = p1::fd_seek(1, 0, 0, -1);
        e("fd_seek", "stdout-oob-out", r);
        let r = p1::fd_tell(999, end + 3);
        e("fd_tell", "bad-fd-oob-misaligned-out", r);
        let r = p1::clock_time_get(2, 0, -1);
        e("clock_time_get", "cputime-oob-out", r);
        let r = p1::path_open(sb, 0, sptr(b"nope").0, 4, 0, R_READ, 0, 0, -1);
        e("path_open", "missing-oob-out", r);
        let r = p1::poll_oneoff(end + 100, end + 100, 0, -1);
        e("poll_oneoff", "zero-subs-oob-everything", r);
        let r = p1::path_readlink(sb, sptr(b"nope").0, 4, end + 100, 100, -1);
        e("path_readlink", "missing-oob-out", r);
        // A buffer that ends exactly at the end of memory.
        let r = p1::random_get(end - 16, 16);
        e("random_get", "ends-at-end-of-memory", r);
        // poll_oneoff: fuel for 2^31 and 2^32-1 subscriptions.
        for (case, n) in [("2^31", i32::MIN), ("u32-max", -1), ("2^22", 1 << 22)] {
            let r = p1::poll_oneoff(end + 100, end + 100, n, o.ptr());
            e("poll_oneoff", &format!("nsubs-{case}-oob"), r);
        }
        // Readlink: an output length past the end of memory is fine when
        // the target fits.
        util::put(sandbox(), "bounds-target", b"x");
        symlink("bounds-target", sandbox(), "bounds-link");
        let b = Buf::new(16, 0xEE);
        let (p, l) = sptr(b"bounds-link");
        let r = p1::path_readlink(sb, p, l, b.ptr(), -1, o.ptr());
        line(
            "path_readlink",
            "buf-len-u32-max",
            r,
            format!("len={} {:?}", o.u32(0), b.text(0, o.u32(0) as usize)),
        );
        let r = p1::path_readlink(sb, p, l, end + 100, 0, o.ptr());
        line(
            "path_readlink",
            "buf-len-0-oob",
            r,
            format!("len={}", o.u32(0)),
        );
        let r = p1::path_readlink(sb, p, l, end - 13, 13, o.ptr());
        line(
            "path_readlink",
            "buf-at-end-of-memory",
            r,
            format!("len={}", o.u32(0)),
        );
    }
}

// ---------------------------------------------------------------------------
// iovec counts: 0, 2^31, 2^32-1, and empty iovecs with bad pointers.

fn iovcount() {
    let sb = sandbox();
    let fd = must_open(sb, "iov.txt", O_CREAT | O_TRUNC, RW, 0);
    let data = b"iovec data\n";
    let end = mem_size() as i32;
    let o = out();
    unsafe {
        for (case, n) in [
            ("0", 0),
            ("2^31", i32::MIN),
            ("u32-max", -1),
            ("2^24+1", (1 << 24) + 1),
        ] {
            let o = out();
            let r = p1::fd_write(1, end + 100, n, o.ptr());
            line(
                "fd_write",
                &format!("stdout-iovs-{case}-oob"),
                r,
                format!("n={}", o.u32(0)),
            );
            let r = p1::fd_write(fd as i32, end + 100, n, o.ptr());
            line(
                "fd_write",
                &format!("file-iovs-{case}-oob"),
                r,
                format!("n={}", o.u32(0)),
            );
            let r = p1::fd_pwrite(fd as i32, end + 100, n, 0, o.ptr());
            line(
                "fd_pwrite",
                &format!("file-iovs-{case}-oob"),
                r,
                format!("n={}", o.u32(0)),
            );
            let r = p1::fd_read(fd as i32, end + 100, n, o.ptr());
            line(
                "fd_read",
                &format!("file-iovs-{case}-oob"),
                r,
                format!("n={}", o.u32(0)),
            );
            let r = p1::fd_pread(fd as i32, end + 100, n, 0, o.ptr());
            line(
                "fd_pread",
                &format!("file-iovs-{case}-oob"),
                r,
                format!("n={}", o.u32(0)),
            );
            let r = p1::fd_write(999, end + 100, n, o.ptr());
            e("fd_write", &format!("bad-fd-iovs-{case}-oob"), r);
            let r = p1::fd_read(3, end + 100, n, o.ptr());
            e("fd_read", &format!("dir-iovs-{case}-oob"), r);
            let r = p1::sock_recv(0, end + 100, n, 0, o.ptr(), o.at(8));
            e("sock_recv", &format!("iovs-{case}-oob"), r);
        }
        // Empty iovecs are skipped whatever their pointers; iovecs after the
        // first non-empty one are never read.
        let iovs = Iovs::new(&[
            (end + 100, 0),
            (-1, 0),
            (data.as_ptr() as i32, data.len() as u32),
            (end + 100, 1000),
        ]);
        let r = p1::fd_write(fd as i32, iovs.ptr(), iovs.count, o.ptr());
        line(
            "fd_write",
            "empty-oob-iovecs-then-data-then-oob",
            r,
            format!("n={}", o.u32(0)),
        );
        let r = p1::fd_write(1, iovs.ptr(), iovs.count, o.ptr());
        line(
            "fd_write",
            "stdout-empty-oob-iovecs-then-data",
            r,
            format!("n={}", o.u32(0)),
        );
        // Iovec arrays whose *count* reaches past memory, first entry good.
        let r = p1::fd_write(fd as i32, iovs.at_entry(2), 1 << 20, o.ptr());
        line(
            "fd_write",
            "data-then-2^20-iovecs-past-end",
            r,
            format!("n={}", o.u32(0)),
        );
        let b = Buf::new(32, 0);
        let iov2 = Iovs::new(&[(b.ptr(), 32)]);
        let r = p1::fd_pread(fd as i32, iov2.ptr(), -1 >> 1 & 0xFFFFFF, 0, o.ptr());
        line(
            "fd_pread",
            "2^24-1-iovecs-first-good",
            r,
            format!("n={} {:?}", o.u32(0), b.text(0, o.u32(0) as usize)),
        );
        // First non-empty buffer larger than the fuel: ENOMEM before bounds.
        for (case, len) in [
            ("128MiB+1", (128u32 << 20) + 1),
            ("2^31", 1 << 31),
            ("u32-max", u32::MAX),
        ] {
            let iov = Iovs::new(&[(8, len)]);
            let r = p1::fd_write(1, iov.ptr(), 1, o.ptr());
            e("fd_write", &format!("stdout-buf-{case}"), r);
            let r = p1::fd_read(fd as i32, iov.ptr(), 1, o.ptr());
            e("fd_read", &format!("file-buf-{case}"), r);
            let r = p1::fd_pwrite(fd as i32, iov.ptr(), 1, 0, o.ptr());
            e("fd_pwrite", &format!("file-buf-{case}"), r);
            let r = p1::fd_pread(fd as i32, iov.ptr(), 1, 0, o.ptr());
            e("fd_pread", &format!("file-buf-{case}"), r);
        }
        // Zero iovecs on stdin.
        let r = p1::fd_read(0, end + 100, 0, o.ptr());
        line("fd_read", "stdin-iovs-0", r, format!("n={}", o.u32(0)));
        let empty = Iovs::new(&[(end + 100, 0)]);
        let r = p1::fd_read(0, empty.ptr(), 1, o.ptr());
        line(
            "fd_read",
            "stdin-one-empty-iovec",
            r,
            format!("n={}", o.u32(0)),
        );
    }
    close(fd);
    println!("file iov.txt: {}", get(sb, "iov.txt"));
}

trait IovsExt {
    fn at_entry(&self, i: usize) -> i32;
}
impl IovsExt for Iovs {
    fn at_entry(&self, i: usize) -> i32 {
        self.ptr() + (i * 8) as i32
    }
}

// ---------------------------------------------------------------------------
// Overlapping buffers: the order of native's writes is visible.

fn overlap() {
    let sb = sandbox();
    let o = out();
    unsafe {
        // args_get / environ_get with the pointer array inside (or equal to)
        // the string buffer.
        let mut argc = out();
        p1::args_sizes_get(argc.ptr(), argc.at(4));
        let (n, size) = (argc.u32(0) as usize, argc.u32(4) as usize);
        println!("args: n={n} size={size}");
        for (case, ptrs_off, buf_off) in [
            ("argv-equals-buf", 0usize, 0usize),
            ("argv-inside-buf", 4, 0),
            ("buf-inside-argv", 0, 2),
            ("argv-at-buf-end", (size - 1) & !3, 0),
        ] {
            let b = Buf::new(n * 4 + size + 16, 0xEE);
            let r = p1::args_get(b.at(ptrs_off), b.at(buf_off));
            let rel: Vec<String> = (0..n)
                .map(|i| format!("{}", b.u32(ptrs_off + 4 * i).wrapping_sub(b.ptr() as u32)))
                .collect();
            line(
                "args_get",
                case,
                r,
                format!("ptrs-rel=[{}] bytes={}", rel.join(","), hex(b.bytes())),
            );
        }
        p1::environ_sizes_get(argc.ptr(), argc.at(4));
        let (n, size) = (argc.u32(0) as usize, argc.u32(4) as usize);
        for (case, ptrs_off, buf_off) in [
            ("environ-equals-buf", 0usize, 0usize),
            ("environ-inside-buf", 8, 0),
        ] {
            let b = Buf::new(n * 4 + size + 16, 0xEE);
            let r = p1::environ_get(b.at(ptrs_off), b.at(buf_off));
            line("environ_get", case, r, format!("bytes={}", hex(b.bytes())));
        }
        // Both results of *_sizes_get to the same place: the second wins.
        let r = p1::args_sizes_get(argc.ptr(), argc.ptr());
        line(
            "args_sizes_get",
            "same-out-pointer",
            r,
            format!("{}", argc.u32(0)),
        );
        let r = p1::environ_sizes_get(argc.at(4), argc.at(4));
        line(
            "environ_sizes_get",
            "same-out-pointer",
            r,
            format!("{}", argc.u32(4)),
        );
        argc.set_u32(0, 0);

        // fd_read: nread inside the buffer; the iovec inside the buffer it
        // describes.
        util::put(sb, "ov.txt", b"0123456789abcdefghijklmnopqrstuvwxyz");
        let fd = must_open(sb, "ov.txt", 0, RW, 0) as i32;
        let b = Buf::new(40, 0xEE);
        let iov = Iovs::new(&[(b.ptr(), 16)]);
        let r = p1::fd_read(fd, iov.ptr(), 1, b.at(4));
        line("fd_read", "nread-inside-buffer", r, hex(b.bytes()));
        let mut b = Buf::new(40, 0xEE);
        b.set_u32(0, b.ptr() as u32);
        b.set_u32(4, 24);
        let r = p1::fd_pread(fd, b.ptr(), 1, 0, b.at(20));
        line(
            "fd_pread",
            "iovec-and-nread-inside-buffer",
            r,
            hex(b.bytes()),
        );
        let mut b = Buf::new(40, 0xEE);
        b.set_u32(8, b.ptr() as u32);
        b.set_u32(12, 16);
        let r = p1::fd_read(fd, b.at(8), 1, b.at(8));
        line("fd_read", "iovec-is-nread-inside-buffer", r, hex(b.bytes()));
        // fd_write: the iovec describes itself.
        let mut b = Buf::new(16, 0x41);
        b.set_u32(0, b.ptr() as u32);
        b.set_u32(4, 16);
        let wfd = must_open(sb, "ov-out.bin", O_CREAT | O_TRUNC, RW, 0) as i32;
        let r = p1::fd_write(wfd, b.ptr(), 1, b.at(4));
        line("fd_write", "iovec-is-data-and-nwritten", r, hex(b.bytes()));
        let r = p1::fd_pwrite(wfd, b.ptr(), 1, 100, b.at(0));
        line("fd_pwrite", "nwritten-over-iovec", r, hex(b.bytes()));
        close(wfd as u32);
        let (r2, rfd) = open(sb, 0, "ov-out.bin", 0, R_READ, 0);
        if r2 == 0 {
            let (r, data) = read(rfd, 200);
            let rel = data.len();
            line(
                "file",
                "ov-out.bin",
                r,
                format!(
                    "len={rel} zeros-after-16={}",
                    data[16..].iter().filter(|&&x| x == 0).count()
                ),
            );
            close(rfd);
        }
        // fd_seek / fd_tell out-pointer overlapping nothing special, but
        // fd_filestat_get over the fdstat it just wrote: field order.
        let b = Buf::new(64, 0xEE);
        let r = p1::fd_fdstat_get(fd, b.ptr());
        let r2 = p1::fd_fdstat_get(1, b.at(8));
        line("fd_fdstat_get", "twice-overlapping", r | r2, hex(b.bytes()));
        close(fd as u32);

        // path_readlink: the output buffer over the path; bufused inside it.
        util::put(sb, "a-long-target-name", b"t");
        symlink("a-long-target-name", sb, "lnk");
        let mut b = Buf::new(32, 0xEE);
        b.bytes_mut()[..3].copy_from_slice(b"lnk");
        let r = p1::path_readlink(sb as i32, b.ptr(), 3, b.ptr(), 32, b.at(8));
        line(
            "path_readlink",
            "buf-over-path-bufused-inside",
            r,
            hex(b.bytes()),
        );
        // path_open: the fd out-pointer over the path.
        let mut b = Buf::new(16, 0xEE);
        b.bytes_mut()[..6].copy_from_slice(b"ov.txt");
        let r = p1::path_open(sb as i32, 0, b.ptr(), 6, 0, R_READ, 0, 0, b.ptr());
        line(
            "path_open",
            "fd-out-over-path",
            r,
            format!("fd-is-number={}", b.u32(0) < 1000),
        );
        if r == 0 {
            close(b.u32(0));
        }
        // fd_prestat_dir_name into the prestat it came from.
        let mut b = Buf::new(16, 0xEE);
        p1::fd_prestat_get(sb as i32, b.ptr());
        let len = b.u32(4) as i32;
        let r = p1::fd_prestat_dir_name(sb as i32, b.at(2), len);
        line("fd_prestat_dir_name", "over-prestat", r, hex(b.bytes()));
        b.set_u32(0, 0);

        // poll_oneoff: events written over the subscriptions (both ready).
        let mut s = Buf::new(96, 0);
        s.set_u64(0, 0x1111);
        s.set_u8(8, 2); // fd_write
        s.set_u32(16, 1); // stdout
        s.set_u64(48, 0x2222);
        s.set_u8(56, 2);
        s.set_u32(64, 2); // stderr
        let r = p1::poll_oneoff(s.ptr(), s.ptr(), 2, s.at(88));
        line(
            "poll_oneoff",
            "events-over-subscriptions",
            r,
            hex(s.bytes()),
        );
        let mut s = Buf::new(96, 0);
        s.set_u64(0, 0x3333);
        s.set_u8(8, 2);
        s.set_u32(16, 1);
        let r = p1::poll_oneoff(s.ptr(), s.at(8), 1, s.at(16));
        line(
            "poll_oneoff",
            "event-shifted-over-subscription",
            r,
            hex(s.bytes()),
        );

        // fd_readdir: bufused inside the buffer; the buffer over itself.
        let d = must_open(sb, ".", O_DIRECTORY, R_READ, 0);
        p1::path_create_directory(d as i32, sptr(b"ovdir").0, 5);
        let dd = must_open(d, "ovdir", O_DIRECTORY, R_READ, 0) as i32;
        let b = Buf::new(64, 0xEE);
        let r = p1::fd_readdir(dd, b.ptr(), 56, 0, b.at(4));
        // (d_ino, bytes 8..16 and 33..41, is a per-run hash: not shown.)
        let x = b.bytes();
        line(
            "fd_readdir",
            "bufused-inside-buf",
            r,
            format!("{} {} {}", hex(&x[..8]), hex(&x[16..33]), hex(&x[41..56])),
        );
        let r = p1::fd_readdir(dd, b.ptr(), 56, 0, b.at(52));
        line(
            "fd_readdir",
            "bufused-in-last-entry",
            r,
            format!("bufused={}", b.u32(52)),
        );
        close(dd as u32);
        close(d);
        let _ = o;
    }
}

// ---------------------------------------------------------------------------
// Invalid UTF-8 in every path argument (native: EILSEQ), in the order the
// checks are made (bad fd first, path_open: path first).

fn utf8() {
    let sb = sandbox() as i32;
    let bad: &[(&str, &[u8])] = &[
        ("ff", b"bad\xff"),
        ("overlong-nul", b"a\xc0\x80b"),
        ("surrogate", b"\xed\xa0\x80"),
        ("truncated", b"x\xe2\x82"),
        ("lone-continuation", b"\x80"),
        ("5-byte", b"\xf8\x88\x80\x80\x80"),
        ("above-10ffff", b"\xf4\x90\x80\x80"),
    ];
    let good = sptr(b"good-name");
    let o = out();
    let file = must_open(sb as u32, "utf8-file.txt", O_CREAT, RW, 0) as i32;
    unsafe {
        for (case, bytes) in bad {
            let (p, l) = sptr(bytes);
            let (g, gl) = good;
            let r = p1::path_open(sb, 0, p, l, O_CREAT, RW, RW, 0, o.ptr());
            e("path_open", case, r);
            let r = p1::path_open(999, 0, p, l, 0, RW, RW, 0, o.ptr());
            e("path_open", &format!("{case}-bad-fd"), r);
            let r = p1::path_open(file, 0, p, l, 0, RW, RW, 0, o.ptr());
            e("path_open", &format!("{case}-file-fd"), r);
            e(
                "path_create_directory",
                case,
                p1::path_create_directory(sb, p, l),
            );
            e(
                "path_create_directory",
                &format!("{case}-bad-fd"),
                p1::path_create_directory(999, p, l),
            );
            e(
                "path_create_directory",
                &format!("{case}-file-fd"),
                p1::path_create_directory(file, p, l),
            );
            e(
                "path_remove_directory",
                case,
                p1::path_remove_directory(sb, p, l),
            );
            e("path_unlink_file", case, p1::path_unlink_file(sb, p, l));
            let b = Buf::new(64, 0xEE);
            e(
                "path_filestat_get",
                case,
                p1::path_filestat_get(sb, 0, p, l, b.ptr()),
            );
            e(
                "path_filestat_get",
                &format!("{case}-follow"),
                p1::path_filestat_get(sb, FOLLOW, p, l, b.ptr()),
            );
            e(
                "path_filestat_set_times",
                case,
                p1::path_filestat_set_times(sb, 0, p, l, 0, 0, ATIM_NOW),
            );
            e(
                "path_filestat_set_times",
                &format!("{case}-bad-times"),
                p1::path_filestat_set_times(sb, 0, p, l, 0, 0, ATIM | ATIM_NOW),
            );
            e(
                "path_link",
                &format!("{case}-old"),
                p1::path_link(sb, 0, p, l, sb, g, gl),
            );
            e(
                "path_link",
                &format!("{case}-new"),
                p1::path_link(sb, 0, g, gl, sb, p, l),
            );
            e(
                "path_link",
                &format!("{case}-new-bad-fd"),
                p1::path_link(sb, 0, g, gl, 999, p, l),
            );
            e(
                "path_rename",
                &format!("{case}-old"),
                p1::path_rename(sb, p, l, sb, g, gl),
            );
            e(
                "path_rename",
                &format!("{case}-new"),
                p1::path_rename(sb, g, gl, sb, p, l),
            );
            e(
                "path_rename",
                &format!("{case}-both"),
                p1::path_rename(sb, p, l, sb, p, l),
            );
            e(
                "path_symlink",
                &format!("{case}-target"),
                p1::path_symlink(p, l, sb, g, gl),
            );
            e(
                "path_symlink",
                &format!("{case}-link"),
                p1::path_symlink(g, gl, sb, p, l),
            );
            e(
                "path_symlink",
                &format!("{case}-target-bad-fd"),
                p1::path_symlink(p, l, 999, g, gl),
            );
            let b = Buf::new(64, 0xEE);
            e(
                "path_readlink",
                case,
                p1::path_readlink(sb, p, l, b.ptr(), 64, o.ptr()),
            );
            e(
                "path_readlink",
                &format!("{case}-file-fd"),
                p1::path_readlink(file, p, l, b.ptr(), 64, o.ptr()),
            );
        }
        // Valid UTF-8 with a NUL in it, and the longest code point.
        for (case, bytes) in [
            ("nul", &b"a\0b"[..]),
            ("max-code-point", &b"\xf4\x8f\xbf\xbf"[..]),
        ] {
            let (p, l) = sptr(bytes);
            let r = p1::path_open(sb, 0, p, l, O_CREAT, RW, RW, 0, o.ptr());
            e("path_open", case, r);
            if r == 0 {
                close(o.u32(0));
            }
            e(
                "path_create_directory",
                case,
                p1::path_create_directory(sb, p, l),
            );
        }
    }
    close(file as u32);
}

// ---------------------------------------------------------------------------
// fd_readdir cookies.

fn readdir() {
    let sb = sandbox();
    mkdir(sb, "rd");
    let d = must_open(sb, "rd", O_DIRECTORY, R_READ, 0);
    for name in ["one", "two", "three"] {
        let fd = must_open(d, name, O_CREAT, RW, 0);
        close(fd);
    }
    // `.`, `..` and three names: 5 entries.
    let count = 5u64;
    let o = out();
    for (case, cookie) in [
        ("0", 0u64),
        ("count-1", count - 1),
        ("count", count),
        ("count+1", count + 1),
        ("2^32", 1 << 32),
        ("2^32+1", (1 << 32) + 1),
        ("2^63", 1 << 63),
        ("i64-max", i64::MAX as u64),
        ("u64-max", u64::MAX),
    ] {
        let b = Buf::new(256, 0xEE);
        let r = unsafe { p1::fd_readdir(d as i32, b.ptr(), 256, cookie as i64, o.ptr()) };
        let used = o.u32(0) as usize;
        // Entries in host order: report their number and d_next values.
        let mut entries = 0;
        let mut nexts = Vec::new();
        let mut off = 0;
        while r == 0 && off + 24 <= used {
            nexts.push(b.u64(off));
            off += 24 + b.u32(off + 16) as usize;
            entries += 1;
        }
        line(
            "fd_readdir",
            &format!("cookie-{case}"),
            r,
            format!(
                "bufused={used} entries={entries} d_next={nexts:?} untouched-after={}",
                b.bytes()[used..].iter().all(|&x| x == 0xEE)
            ),
        );
    }
    // Buffer lengths that cut an entry anywhere, at a huge cookie too.
    for len in [0, 1, 23, 24, 25, 47, u32::MAX] {
        let b = Buf::new(300, 0xEE);
        let len_arg = if len == u32::MAX { -1 } else { len as i32 };
        let r = unsafe { p1::fd_readdir(d as i32, b.ptr(), len_arg, 3, o.ptr()) };
        line(
            "fd_readdir",
            &format!("cookie-3-len-{len}"),
            r,
            format!("bufused={}", o.u32(0)),
        );
    }
    // A buffer ending exactly at the end of memory.
    let end = mem_size() as i32;
    let r = unsafe { p1::fd_readdir(d as i32, end - 30, 30, 0, o.ptr()) };
    line(
        "fd_readdir",
        "buf-at-end-of-memory",
        r,
        format!("bufused={}", o.u32(0)),
    );
    // A file and a closed fd.
    let f = must_open(d, "one", 0, R_READ, 0);
    let r = unsafe { p1::fd_readdir(f as i32, o.ptr(), 8, u64::MAX as i64, o.ptr()) };
    e("fd_readdir", "file-u64-max", r);
    close(f);
    let r = unsafe { p1::fd_readdir(f as i32, o.ptr(), 8, 0, o.ptr()) };
    e("fd_readdir", "closed", r);
    close(d);
}

// ---------------------------------------------------------------------------
// fd_renumber onto / from preopens, onto itself, onto closed fds.

fn renumber() {
    let sb = sandbox();
    let ro = preopen(RO);
    let ren = |from: u32, to: u32| unsafe { p1::fd_renumber(from as i32, to as i32) };
    let prestat = |fd: u32| -> String {
        let b = Buf::new(8, 0xEE);
        let r = unsafe { p1::fd_prestat_get(fd as i32, b.ptr()) };
        if r != 0 {
            return en(r);
        }
        let nb = Buf::new(b.u32(4) as usize, 0);
        unsafe { p1::fd_prestat_dir_name(fd as i32, nb.ptr(), b.u32(4) as i32) };
        nb.text(0, b.u32(4) as usize)
    };
    // Onto itself: open, preopen, stdio, closed, huge.
    let f = must_open(sb, "ren.txt", O_CREAT | O_TRUNC, RW, 0);
    e("fd_renumber", "file-onto-itself", ren(f, f));
    e("fd_renumber", "preopen-onto-itself", ren(sb, sb));
    e("fd_renumber", "stdin-onto-itself", ren(0, 0));
    e(
        "fd_renumber",
        "u32-max-onto-itself",
        ren(u32::MAX, u32::MAX),
    );
    e("fd_renumber", "onto-u32-max", ren(f, u32::MAX));
    e("fd_renumber", "onto-2^31", ren(f, 1 << 31));
    e("fd_renumber", "from-u32-max", ren(u32::MAX, f));
    // Onto / from a closed fd.
    let g = must_open(sb, "ren2.txt", O_CREAT | O_TRUNC, RW, 0);
    close(g);
    e("fd_renumber", "onto-closed", ren(f, g));
    e("fd_renumber", "from-closed", ren(g, f));
    e("fd_renumber", "closed-onto-itself", ren(g, g));
    write(f, b"still open\n");
    // A file onto the read-only preopen: the preopen is closed.
    e("fd_renumber", "file-onto-preopen", ren(f, ro));
    fact("prestat of the old preopen number", prestat(ro));
    fact("prestat of the old file number", prestat(f));
    let (r, n) = write(ro, b"via the preopen's number\n");
    line("fd_write", "renumbered-file", r, format!("n={n}"));
    fact("find_preopen /ro", format!("{:?}", find_preopen(RO)));
    // A preopen onto a fresh fd number: keeps its name there.
    let h = must_open(sb, "ren3.txt", O_CREAT | O_TRUNC, RW, 0);
    e("fd_renumber", "preopen-onto-file", ren(sb, h));
    fact("prestat of the new number", prestat(h));
    fact("prestat of the old number", prestat(sb));
    let (r, fd) = open(h, 0, "ren.txt", 0, R_READ, 0);
    line(
        "path_open",
        "through-renumbered-preopen",
        r,
        format!("fd={fd}"),
    );
    if r == 0 {
        close(fd);
    }
    // The freed numbers are reused, largest first.
    let (r, fd) = open(h, 0, "ren.txt", 0, R_READ, 0);
    line("path_open", "after-renumbers", r, format!("fd={fd}"));
    let (r2, fd2) = open(h, 0, "ren.txt", 0, R_READ, 0);
    line("path_open", "after-renumbers-2", r2, format!("fd={fd2}"));
    // A preopen onto stdout; stdio onto a preopen.
    e("fd_renumber", "stdin-onto-renumbered-preopen", ren(0, h));
    fact("prestat after stdin moved onto it", prestat(h));
    let (r, n) = read(h, 5);
    line(
        "fd_read",
        "stdin-at-new-number",
        r,
        format!("{:?}", String::from_utf8_lossy(&n)),
    );
    // (stderr, not stdout: this program still prints.)
    e("fd_renumber", "fd-onto-stderr-then-write", ren(fd, 2));
    let (r, _) = write(2, b"x");
    e("fd_write", "stderr-now-a-read-only-file", r);
    close(fd2);
    fact(
        "find_preopen /sandbox",
        format!("{:?}", find_preopen(SANDBOX)),
    );
}

// ---------------------------------------------------------------------------
// Descriptor exhaustion: open until an error (or a cap), then close all.

fn exhaust() {
    let sb = sandbox();
    let f = must_open(sb, "many.txt", O_CREAT, RW, 0);
    close(f);
    const CAP: usize = 40_000;
    let mut fds = Vec::new();
    let mut err = 0;
    while fds.len() < CAP {
        let (r, fd) = open(sb, 0, "many.txt", 0, R_READ, 0);
        if r != 0 {
            err = r;
            break;
        }
        fds.push(fd);
    }
    // The count depends on the host's descriptor limit: report only
    // whether it ran out and how.
    let n = fds.len();
    println!(
        "exhaust: stopped by {} after more than 1000: {}",
        if err == 0 {
            "the cap".to_string()
        } else {
            en(err)
        },
        n > 1000
    );
    let ascending = fds.windows(2).all(|w| w[1] == w[0] + 1);
    println!("exhaust: numbers consecutive: {ascending}");
    // Close all but the last two; the next open gets the largest free one.
    let last = *fds.last().unwrap();
    for &fd in &fds[..n - 2] {
        close(fd);
    }
    let (r, fd) = open(sb, 0, "many.txt", 0, R_READ, 0);
    line(
        "path_open",
        "after-closing",
        r,
        format!("is-largest-free={}", fd == last - 2),
    );
    let (r, fd2) = open(sb, 0, "many.txt", 0, R_READ, 0);
    line(
        "path_open",
        "after-closing-2",
        r,
        format!("is-next-largest-free={}", fd2 == last - 3),
    );
    close(fd);
    close(fd2);
    close(last);
    close(last - 1);
    e("fd_close", "already-closed", close(last));
    let (r, fd) = open(sb, 0, "many.txt", 0, R_READ, 0);
    line(
        "path_open",
        "after-closing-all",
        r,
        format!("is-largest-free={}", fd == last),
    );
    close(fd);
    let mut b = Buf::new(24, 0);
    let r = unsafe { p1::fd_fdstat_get(last as i32, b.ptr()) };
    e("fd_fdstat_get", "closed-high-fd", r);
    b.set_u8(0, 0);
}

// ---------------------------------------------------------------------------
// Calls that trap natively: one per run.

const TRAPS: &[&str] = &[
    "path_open-ptr-len-wraps",
    "path_open-empty-past-end",
    "path_unlink_file-len-2^31",
    "path_unlink_file-len-u32-max",
    "path_create_directory-len-just-under-fuel",
    "fd_write-iovecs-run-off-the-end",
    "path_link-first-path-100MiB-oob",
    "fd_write-buf-wraps",
    "fd_write-buf-just-under-fuel",
    "fd_read-buf-wraps",
    "fd_pread-buf-past-end",
    "fd_write-nwritten-u32-max",
    "fd_readdir-buf-past-end",
    "fd_readdir-bufused-past-end",
    "fd_readdir-bufused-misaligned",
    "fd_prestat_dir_name-wraps",
    "args_get-argv-wraps",
    "args_get-buf-past-end",
    "environ_get-environ-misaligned",
    "random_get-wraps",
    "random_get-len-u32-max",
    "path_readlink-buf-past-end",
    "path_readlink-bufused-wraps",
    "poll_oneoff-2^21-subs-at-0",
    "path_filestat_get-out-past-end",
    "fd_seek-out-u32-max",
];

fn trap(case: &str) {
    if case == "list" {
        TRAPS.iter().for_each(|c| println!("{c}"));
        return;
    }
    if !TRAPS.contains(&case) {
        println!("unknown trap case {case:?}");
        unsafe { p1::proc_exit(2) };
    }
    let sb = sandbox() as i32;
    let end = mem_size() as i32;
    let o = out();
    util::put(sb as u32, "t.txt", b"trap test file\n");
    symlink("t.txt", sb as u32, "t-link");
    let data = b"data\n";
    println!("trap {case}: calling");
    let r = unsafe {
        match case {
            "path_open-ptr-len-wraps" => p1::path_open(sb, 0, -16, 32, 0, R_READ, 0, 0, o.ptr()),
            "path_open-empty-past-end" => {
                p1::path_open(sb, 0, end + 1, 0, 0, R_READ, 0, 0, o.ptr())
            }
            "path_unlink_file-len-2^31" => p1::path_unlink_file(sb, 16, i32::MIN),
            "path_unlink_file-len-u32-max" => p1::path_unlink_file(sb, 16, -1),
            "path_create_directory-len-just-under-fuel" => {
                p1::path_create_directory(sb, 16, 128 << 20)
            }
            // A fresh (zeroed) last page of 8192 empty iovecs, then one
            // more past the end of memory.
            "fd_write-iovecs-run-off-the-end" => {
                core::arch::wasm32::memory_grow(0, 1);
                p1::fd_write(1, end, 8193, o.ptr())
            }
            // Fuel is charged per string: the first passes, then its bounds
            // check traps.
            "path_link-first-path-100MiB-oob" => {
                p1::path_link(sb, 0, end - 1, 100 << 20, sb, end - 1, 100 << 20)
            }
            "fd_write-buf-wraps" => {
                let iov = Iovs::new(&[(-256, 512)]);
                p1::fd_write(1, iov.ptr(), 1, o.ptr())
            }
            "fd_write-buf-just-under-fuel" => {
                let iov = Iovs::new(&[(16, (128 << 20) - 8)]);
                p1::fd_write(1, iov.ptr(), 1, o.ptr())
            }
            "fd_read-buf-wraps" => {
                let iov = Iovs::new(&[(-256, 512)]);
                p1::fd_read(0, iov.ptr(), 1, o.ptr())
            }
            "fd_pread-buf-past-end" => {
                let fd = must_open(sb as u32, "t.txt", 0, R_READ, 0);
                let iov = Iovs::new(&[(end - 4, 8)]);
                p1::fd_pread(fd as i32, iov.ptr(), 1, 0, o.ptr())
            }
            "fd_write-nwritten-u32-max" => {
                let iov = Iovs::new(&[(data.as_ptr() as i32, data.len() as u32)]);
                p1::fd_write(1, iov.ptr(), 1, -1)
            }
            "fd_readdir-buf-past-end" => p1::fd_readdir(sb, end - 10, 100, 0, o.ptr()),
            "fd_readdir-bufused-past-end" => p1::fd_readdir(sb, o.ptr(), 8, 0, end),
            "fd_readdir-bufused-misaligned" => {
                let b = Buf::new(64, 0);
                p1::fd_readdir(sb, b.ptr(), 8, 0, b.at(10))
            }
            "fd_prestat_dir_name-wraps" => p1::fd_prestat_dir_name(sb, -4, 100),
            "args_get-argv-wraps" => {
                let b = Buf::new(4096, 0);
                p1::args_get(-4, b.ptr())
            }
            "args_get-buf-past-end" => {
                let b = Buf::new(64, 0);
                p1::args_get(b.ptr(), end - 2)
            }
            "environ_get-environ-misaligned" => {
                let b = Buf::new(4096, 0);
                p1::environ_get(b.at(2), b.at(1024))
            }
            "random_get-wraps" => p1::random_get(-16, 32),
            "random_get-len-u32-max" => {
                let b = Buf::new(64, 0);
                p1::random_get(b.ptr(), -1)
            }
            "path_readlink-buf-past-end" => {
                let (p, l) = sptr(b"t-link");
                p1::path_readlink(sb, p, l, end - 2, 64, o.ptr())
            }
            "path_readlink-bufused-wraps" => {
                let (p, l) = sptr(b"t-link");
                let b = Buf::new(64, 0);
                p1::path_readlink(sb, p, l, b.ptr(), 64, -2)
            }
            "poll_oneoff-2^21-subs-at-0" => {
                p1::poll_oneoff(end - 48 * 4, o.ptr(), 1 << 21, o.ptr())
            }
            "path_filestat_get-out-past-end" => {
                let (p, l) = sptr(b"t.txt");
                p1::path_filestat_get(sb, 0, p, l, end - 32)
            }
            "fd_seek-out-u32-max" => {
                let fd = must_open(sb as u32, "t.txt", 0, R_READ, 0);
                p1::fd_seek(fd as i32, 0, 0, -8)
            }
            _ => unreachable!(),
        }
    };
    println!("trap {case}: returned {} (no trap)", en(r));
}
