//! Preopens, descriptor numbering, fd_renumber, bad descriptors, sockets,
//! non-UTF-8 paths and hostcall fuel.

use crate::util::*;

pub fn prestat() {
    // Scan from 3 up to the first fd that is not open.
    for fd in 3u32..32 {
        let b = Buf::new(8, 0xEE);
        let r = unsafe { p1::fd_prestat_get(fd as i32, b.ptr()) };
        if r != 0 {
            e("fd_prestat_get", &format!("fd {fd}"), r);
            break;
        }
        let len = b.u32(4) as usize;
        line(
            "fd_prestat_get",
            &format!("fd {fd}"),
            r,
            format!(
                "tag={} pr_name_len={len} padding-untouched={}",
                b.u8(0),
                b.bytes()[1..4].iter().all(|&x| x == 0xEE)
            ),
        );
        let nb = Buf::new(len + 8, 0xEE);
        let r = unsafe { p1::fd_prestat_dir_name(fd as i32, nb.ptr(), len as i32) };
        line(
            "fd_prestat_dir_name",
            &format!("fd {fd}"),
            r,
            format!(
                "{:?} rest-untouched={}",
                nb.text(0, len),
                nb.bytes()[len..].iter().all(|&x| x == 0xEE)
            ),
        );
        let r = unsafe { p1::fd_prestat_dir_name(fd as i32, nb.ptr(), len as i32 + 4) };
        line(
            "fd_prestat_dir_name",
            &format!("fd {fd} bigger buffer"),
            r,
            format!(
                "{:?} rest-untouched={}",
                nb.text(0, len),
                nb.bytes()[len..].iter().all(|&x| x == 0xEE)
            ),
        );
        e("fd_prestat_dir_name", &format!("fd {fd} len-1"), unsafe {
            p1::fd_prestat_dir_name(fd as i32, nb.ptr(), len as i32 - 1)
        });
        e("fd_prestat_dir_name", &format!("fd {fd} len 0"), unsafe {
            p1::fd_prestat_dir_name(fd as i32, nb.ptr(), 0)
        });
        show_fdstat(&format!("preopen fd {fd}"), fd);
        show_fstat(&format!("preopen fd {fd}"), fd);
    }
    e("fd_prestat_get", "fd 1000", unsafe {
        p1::fd_prestat_get(1000, out().ptr())
    });
    e("fd_prestat_dir_name", "fd 1000", unsafe {
        p1::fd_prestat_dir_name(1000, out().ptr(), 8)
    });
}

/// Which numbers path_open hands out after closes.
pub fn fdalloc() {
    let sb = preopen(SANDBOX);
    mkdir(sb, "alloc");
    let mut fds = Vec::new();
    for i in 0..4 {
        let (r, fd) = open(sb, 0, &format!("alloc/{i}"), O_CREAT, RW, 0);
        line("path_open", &format!("alloc/{i}"), r, format!("fd={fd}"));
        fds.push(fd);
    }
    let first = fds[0];
    e("fd_close", "second", close(fds[1]));
    e("fd_close", "first", close(fds[0]));
    for i in 4..7 {
        let (r, fd) = open(sb, 0, &format!("alloc/{i}"), O_CREAT, RW, 0);
        let rel = fd as i64 - first as i64;
        line(
            "path_open",
            &format!("alloc/{i} after closing first and second"),
            r,
            format!("fd=first{rel:+}"),
        );
        fds.push(fd);
    }
    for fd in fds.iter().skip(2) {
        close(*fd);
    }
}

pub fn renumber() {
    let sb = preopen(SANDBOX);
    mkdir(sb, "renum");
    let x = must_open(sb, "renum/x", O_CREAT, RW, 0);
    let y = must_open(sb, "renum/y", O_CREAT, RW, 0);
    write(x, b"via x");
    e("fd_renumber", "x -> y", unsafe {
        p1::fd_renumber(x as i32, y as i32)
    });
    e("fd_tell", "old x", tell(x).0);
    line(
        "fd_tell",
        "y (now x's file)",
        tell(y).0,
        format!("pos={}", tell(y).1),
    );
    write(y, b", then via y");
    fact("renum/x", get(sb, "renum/x"));
    fact("renum/y", get(sb, "renum/y"));
    e("fd_renumber", "y -> y", unsafe {
        p1::fd_renumber(y as i32, y as i32)
    });
    line(
        "fd_tell",
        "y after y -> y",
        tell(y).0,
        format!("pos={}", tell(y).1),
    );
    e("fd_renumber", "y -> closed", unsafe {
        p1::fd_renumber(y as i32, 99)
    });
    e("fd_renumber", "closed -> y", unsafe {
        p1::fd_renumber(99, y as i32)
    });
    e("fd_renumber", "y -> u32::MAX", unsafe {
        p1::fd_renumber(y as i32, -1)
    });
    let (_, fs) = fdstat(y);
    fact("fd_renumber keeps the file open", fs.filetype == 4);

    // A preopen moved onto another number keeps its name.
    let ro = preopen(RO);
    let z = must_open(sb, "renum/z", O_CREAT, RW, 0);
    e("fd_renumber", "ro preopen -> z", unsafe {
        p1::fd_renumber(ro as i32, z as i32)
    });
    let b = Buf::new(8, 0);
    e("fd_prestat_get", "old ro number", unsafe {
        p1::fd_prestat_get(ro as i32, b.ptr())
    });
    let r = unsafe { p1::fd_prestat_get(z as i32, b.ptr()) };
    line(
        "fd_prestat_get",
        "ro preopen at z",
        r,
        format!("pr_name_len={}", b.u32(4)),
    );
    let nb = Buf::new(8, 0);
    let r = unsafe { p1::fd_prestat_dir_name(z as i32, nb.ptr(), 3) };
    line("fd_prestat_dir_name", "ro preopen at z", r, nb.text(0, 3));
    line(
        "path_open",
        "through the moved preopen",
        open(z, 0, "ro.txt", 0, R_READ, 0).0,
        get(z, "ro.txt"),
    );
    // stdio can be renumbered too: stdin onto y.
    e("fd_renumber", "stdin -> y", unsafe {
        p1::fd_renumber(0, y as i32)
    });
    show_fdstat("stdin moved to y", y);
    show_fdstat("old stdin number", 0);
    let (r, fd) = open(sb, 0, "renum/w", O_CREAT, RW, 0);
    let which = if fd == 0 {
        "old stdin number".to_string()
    } else if fd == x {
        "old x number".to_string()
    } else if fd == ro {
        "old ro number".to_string()
    } else {
        format!("another number (y{:+})", fd as i64 - y as i64)
    };
    line(
        "path_open",
        "after renumbering",
        r,
        format!("got the {which}"),
    );
    close(fd);
    // Closing a preopen.
    e("fd_close", "the moved ro preopen", close(z));
    e("fd_prestat_get", "closed preopen", unsafe {
        p1::fd_prestat_get(z as i32, b.ptr())
    });
    fact("find_preopen /ro after close", find_preopen(RO).is_some());
    e("fd_close", "sandbox preopen", close(sb));
    e(
        "path_open",
        "through the closed sandbox preopen",
        open(sb, 0, "renum/x", 0, R_READ, 0).0,
    );
}

/// Every call that takes an fd, with an fd that is not open.
pub fn badfd() {
    let bad = 99;
    let o = out();
    let b = Buf::new(128, 0);
    let iovs = Iovs::new(&[(b.ptr(), 8)]);
    let (p, l) = sptr(b"x");
    unsafe {
        e("fd_advise", "bad fd", p1::fd_advise(bad, 0, 0, 0));
        e("fd_allocate", "bad fd", p1::fd_allocate(bad, 0, 1));
        e("fd_close", "bad fd", p1::fd_close(bad));
        e("fd_datasync", "bad fd", p1::fd_datasync(bad));
        e("fd_fdstat_get", "bad fd", p1::fd_fdstat_get(bad, b.ptr()));
        e(
            "fd_fdstat_set_flags",
            "bad fd",
            p1::fd_fdstat_set_flags(bad, 0),
        );
        e(
            "fd_fdstat_set_flags",
            "bad fd SYNC",
            p1::fd_fdstat_set_flags(bad, FD_SYNC),
        );
        e(
            "fd_fdstat_set_rights",
            "bad fd",
            p1::fd_fdstat_set_rights(bad, 0, 0),
        );
        e(
            "fd_filestat_get",
            "bad fd",
            p1::fd_filestat_get(bad, b.ptr()),
        );
        e(
            "fd_filestat_set_size",
            "bad fd",
            p1::fd_filestat_set_size(bad, 0),
        );
        e(
            "fd_filestat_set_times",
            "bad fd",
            p1::fd_filestat_set_times(bad, 0, 0, 0),
        );
        e(
            "fd_pread",
            "bad fd",
            p1::fd_pread(bad, iovs.ptr(), 1, 0, o.ptr()),
        );
        e(
            "fd_pread",
            "bad fd 0 iovecs",
            p1::fd_pread(bad, iovs.ptr(), 0, 0, o.ptr()),
        );
        e("fd_prestat_get", "bad fd", p1::fd_prestat_get(bad, b.ptr()));
        e(
            "fd_prestat_dir_name",
            "bad fd",
            p1::fd_prestat_dir_name(bad, b.ptr(), 8),
        );
        e(
            "fd_pwrite",
            "bad fd",
            p1::fd_pwrite(bad, iovs.ptr(), 1, 0, o.ptr()),
        );
        e(
            "fd_pwrite",
            "bad fd 0 iovecs",
            p1::fd_pwrite(bad, iovs.ptr(), 0, 0, o.ptr()),
        );
        e(
            "fd_read",
            "bad fd",
            p1::fd_read(bad, iovs.ptr(), 1, o.ptr()),
        );
        e(
            "fd_read",
            "bad fd 0 iovecs",
            p1::fd_read(bad, iovs.ptr(), 0, o.ptr()),
        );
        e(
            "fd_readdir",
            "bad fd",
            p1::fd_readdir(bad, b.ptr(), 128, 0, o.ptr()),
        );
        e("fd_renumber", "bad fd", p1::fd_renumber(bad, 1));
        e("fd_seek", "bad fd", p1::fd_seek(bad, 0, 0, o.ptr()));
        e("fd_sync", "bad fd", p1::fd_sync(bad));
        e("fd_tell", "bad fd", p1::fd_tell(bad, o.ptr()));
        e(
            "fd_write",
            "bad fd",
            p1::fd_write(bad, iovs.ptr(), 1, o.ptr()),
        );
        e(
            "fd_write",
            "bad fd 0 iovecs",
            p1::fd_write(bad, iovs.ptr(), 0, o.ptr()),
        );
        e(
            "path_create_directory",
            "bad fd",
            p1::path_create_directory(bad, p, l),
        );
        e(
            "path_filestat_get",
            "bad fd",
            p1::path_filestat_get(bad, 0, p, l, b.ptr()),
        );
        e(
            "path_filestat_set_times",
            "bad fd",
            p1::path_filestat_set_times(bad, 0, p, l, 0, 0, 0),
        );
        e(
            "path_link",
            "bad old fd",
            p1::path_link(bad, 0, p, l, 3, p, l),
        );
        e(
            "path_open",
            "bad fd",
            p1::path_open(bad, 0, p, l, 0, 0, 0, 0, o.ptr()),
        );
        e(
            "path_readlink",
            "bad fd",
            p1::path_readlink(bad, p, l, b.ptr(), 128, o.ptr()),
        );
        e(
            "path_remove_directory",
            "bad fd",
            p1::path_remove_directory(bad, p, l),
        );
        e(
            "path_rename",
            "bad old fd",
            p1::path_rename(bad, p, l, 3, p, l),
        );
        e("path_symlink", "bad fd", p1::path_symlink(p, l, bad, p, l));
        e(
            "path_unlink_file",
            "bad fd",
            p1::path_unlink_file(bad, p, l),
        );
        e("sock_accept", "bad fd", p1::sock_accept(bad, 0, o.ptr()));
        e(
            "sock_recv",
            "bad fd",
            p1::sock_recv(bad, iovs.ptr(), 1, 0, o.ptr(), o.at(8)),
        );
        e(
            "sock_send",
            "bad fd",
            p1::sock_send(bad, iovs.ptr(), 1, 0, o.ptr()),
        );
        e("sock_shutdown", "bad fd", p1::sock_shutdown(bad, 3));
        for fd in [-1i32, 0x7fff_ffff, 1 << 16] {
            e(
                "fd_fdstat_get",
                &format!("fd {fd}"),
                p1::fd_fdstat_get(fd, b.ptr()),
            );
            e("fd_close", &format!("fd {fd}"), p1::fd_close(fd));
        }
    }
    fact(
        "out-parameters untouched on errors",
        o.bytes().iter().all(|&x| x == 0xEE),
    );
}

pub fn sock() {
    let sb = preopen(SANDBOX);
    put(sb, "sock.txt", b"not a socket");
    let file = must_open(sb, "sock.txt", 0, RW, 0);
    let b = Buf::new(16, 0);
    let iovs = Iovs::new(&[(b.ptr(), 16)]);
    for (fd, name) in [
        (0u32, "stdin"),
        (1, "stdout"),
        (sb, "preopen"),
        (file, "file"),
    ] {
        let o = out();
        unsafe {
            e("sock_accept", name, p1::sock_accept(fd as i32, 0, o.ptr()));
            e(
                "sock_accept",
                &format!("{name} NONBLOCK"),
                p1::sock_accept(fd as i32, FD_NONBLOCK, o.ptr()),
            );
            e(
                "sock_recv",
                name,
                p1::sock_recv(fd as i32, iovs.ptr(), 1, 0, o.ptr(), o.at(8)),
            );
            e(
                "sock_recv",
                &format!("{name} PEEK|WAITALL"),
                p1::sock_recv(fd as i32, iovs.ptr(), 1, 3, o.ptr(), o.at(8)),
            );
            e(
                "sock_send",
                name,
                p1::sock_send(fd as i32, iovs.ptr(), 1, 0, o.ptr()),
            );
            for how in 1..=3 {
                e(
                    "sock_shutdown",
                    &format!("{name} how={how}"),
                    p1::sock_shutdown(fd as i32, how),
                );
            }
        }
        fact(
            &format!("sock_* {name} out-parameters untouched"),
            o.bytes().iter().all(|&x| x == 0xEE),
        );
    }
    close(file);
}

/// Paths that are not UTF-8: EILSEQ natively.
pub fn utf8() {
    let sb = preopen(SANDBOX);
    let bad: &[u8] = b"bad\xff\xfe";
    let (p, l) = sptr(bad);
    let o = out();
    let b = Buf::new(64, 0);
    let (gp, gl) = sptr(b"good");
    put(sb, "good", b"g");
    unsafe {
        e(
            "path_open",
            "non-UTF-8",
            p1::path_open(sb as i32, 0, p, l, O_CREAT, RW, RW, 0, o.ptr()),
        );
        e(
            "path_open",
            "non-UTF-8 bad fd",
            p1::path_open(99, 0, p, l, 0, 0, 0, 0, o.ptr()),
        );
        e(
            "path_create_directory",
            "non-UTF-8",
            p1::path_create_directory(sb as i32, p, l),
        );
        e(
            "path_filestat_get",
            "non-UTF-8",
            p1::path_filestat_get(sb as i32, 0, p, l, b.ptr()),
        );
        e(
            "path_filestat_set_times",
            "non-UTF-8",
            p1::path_filestat_set_times(sb as i32, 0, p, l, 0, 0, 0),
        );
        e(
            "path_link",
            "non-UTF-8 old",
            p1::path_link(sb as i32, 0, p, l, sb as i32, gp, gl),
        );
        e(
            "path_link",
            "non-UTF-8 new",
            p1::path_link(sb as i32, 0, gp, gl, sb as i32, p, l),
        );
        e(
            "path_readlink",
            "non-UTF-8",
            p1::path_readlink(sb as i32, p, l, b.ptr(), 64, o.ptr()),
        );
        e(
            "path_remove_directory",
            "non-UTF-8",
            p1::path_remove_directory(sb as i32, p, l),
        );
        e(
            "path_rename",
            "non-UTF-8 old",
            p1::path_rename(sb as i32, p, l, sb as i32, gp, gl),
        );
        e(
            "path_rename",
            "non-UTF-8 new",
            p1::path_rename(sb as i32, gp, gl, sb as i32, p, l),
        );
        e(
            "path_symlink",
            "non-UTF-8 target",
            p1::path_symlink(p, l, sb as i32, gp, gl),
        );
        e(
            "path_symlink",
            "non-UTF-8 link",
            p1::path_symlink(gp, gl, sb as i32, p, l),
        );
        e(
            "path_unlink_file",
            "non-UTF-8",
            p1::path_unlink_file(sb as i32, p, l),
        );
    }
}

/// Buffers past the default hostcall fuel (128 MiB): ENOMEM natively.
/// Not part of `all` (it allocates 130 MiB).
pub fn fuel() {
    let len = 130usize << 20;
    let big = Buf::new(len, b'z');
    let iovs = Iovs::new(&[(big.ptr(), len as u32)]);
    let o = out();
    e("fd_write", "130 MiB to stdout", unsafe {
        p1::fd_write(1, iovs.ptr(), 1, o.ptr())
    });
    e("fd_read", "130 MiB from stdin", unsafe {
        p1::fd_read(0, iovs.ptr(), 1, o.ptr())
    });
    let sb = preopen(SANDBOX);
    let fd = must_open(sb, "fuel.bin", O_CREAT, RW, 0);
    e("fd_pwrite", "130 MiB to a file", unsafe {
        p1::fd_pwrite(fd as i32, iovs.ptr(), 1, 0, o.ptr())
    });
    e("fd_pread", "130 MiB from a file", unsafe {
        p1::fd_pread(fd as i32, iovs.ptr(), 1, 0, o.ptr())
    });
    let (r, n) = write(fd, &big.bytes()[..1 << 20]);
    line("fd_write", "1 MiB to a file", r, format!("n={n}"));
    close(fd);
}
