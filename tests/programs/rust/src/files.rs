//! Regular files: path_open flags and rights, read/write/seek/tell,
//! pread/pwrite, append mode, sizes, times, advise/allocate/sync, the
//! read-only preopen and escaping the sandbox.

use crate::util::*;

pub fn files() {
    let sb = preopen(SANDBOX);
    e("path_create_directory", "files", mkdir(sb, "files"));

    // Create, write, read, seek, tell.
    let (r, fd) = open(sb, 0, "files/a.txt", O_CREAT, R_ALL, 0);
    e("path_open", "CREAT files/a.txt", r);
    show_fdstat("created file", fd);
    let (r, n) = write(fd, b"hello world\n");
    line("fd_write", "file", r, format!("n={n}"));
    line(
        "fd_tell",
        "after write",
        tell(fd).0,
        format!("pos={}", tell(fd).1),
    );
    let (r, p) = seek(fd, 0, 0);
    line("fd_seek", "SET 0", r, format!("pos={p}"));
    let (r, d) = read(fd, 5);
    line(
        "fd_read",
        "file 5 bytes",
        r,
        format!("{:?}", String::from_utf8_lossy(&d)),
    );
    line(
        "fd_tell",
        "after read",
        tell(fd).0,
        format!("pos={}", tell(fd).1),
    );
    let (r, p) = seek(fd, -2, 1);
    line("fd_seek", "CUR -2", r, format!("pos={p}"));
    let (r, p) = seek(fd, 0, 2);
    line("fd_seek", "END 0", r, format!("pos={p}"));
    let (r, p) = seek(fd, -3, 2);
    line("fd_seek", "END -3", r, format!("pos={p}"));
    let (r, p) = seek(fd, -20, 1);
    line("fd_seek", "CUR -20 (before start)", r, format!("pos={p}"));
    let (r, p) = seek(fd, -1, 0);
    line("fd_seek", "SET -1", r, format!("pos={p}"));
    line(
        "fd_tell",
        "after failed seeks",
        tell(fd).0,
        format!("pos={}", tell(fd).1),
    );
    let (r, p) = seek(fd, 100, 0);
    line("fd_seek", "SET 100 (past EOF)", r, format!("pos={p}"));
    let (r, d) = read(fd, 10);
    line("fd_read", "at 100 (EOF)", r, format!("n={}", d.len()));
    let (r, n) = write(fd, b"tail");
    line("fd_write", "at 100", r, format!("n={n}"));
    let (r, s) = fstat(fd);
    line("fd_filestat_get", "after write past EOF", r, s.stable());
    let (r, d) = pread(fd, 20, 90);
    line("fd_pread", "hole", r, format!("{d:?}"));

    // pread / pwrite leave the position alone.
    let (r, n) = pwrite(fd, b"HE", 0);
    line("fd_pwrite", "offset 0", r, format!("n={n}"));
    let (r, d) = pread(fd, 12, 0);
    line(
        "fd_pread",
        "offset 0",
        r,
        format!("{:?}", String::from_utf8_lossy(&d)),
    );
    let (r, d) = pread(fd, 12, 1000);
    line("fd_pread", "offset past EOF", r, format!("n={}", d.len()));
    let (r, n) = pwrite(fd, b"!", 200);
    line("fd_pwrite", "offset 200 (past EOF)", r, format!("n={n}"));
    line(
        "fd_tell",
        "after pread/pwrite",
        tell(fd).0,
        format!("pos={}", tell(fd).1),
    );
    // Only the first non-empty iovec counts, for reads too.
    let b1 = Buf::new(4, 0);
    let b2 = Buf::new(8, 0);
    let iovs = Iovs::new(&[(b2.ptr(), 0), (b1.ptr(), 4), (b2.ptr(), 8)]);
    let o = out();
    let r = unsafe { p1::fd_pread(fd as i32, iovs.ptr(), iovs.count, 6, o.ptr()) };
    line(
        "fd_pread",
        "3 iovecs",
        r,
        format!("n={} {:?}", o.u32(0), b1.text(0, 4)),
    );
    let o = out();
    let r = unsafe { p1::fd_pread(fd as i32, iovs.ptr(), 0, 0, o.ptr()) };
    line("fd_pread", "0 iovecs", r, format!("n={}", o.u32(0)));
    seek(fd, 0, 0);
    let o = out();
    let r = unsafe { p1::fd_read(fd as i32, iovs.ptr(), iovs.count, o.ptr()) };
    line(
        "fd_read",
        "3 iovecs",
        r,
        format!("n={} {:?}", o.u32(0), b1.text(0, 4)),
    );
    line(
        "fd_tell",
        "after 3-iovec read",
        tell(fd).0,
        format!("pos={}", tell(fd).1),
    );

    // Sizes.
    let r = unsafe { p1::fd_filestat_set_size(fd as i32, 5) };
    line(
        "fd_filestat_set_size",
        "5",
        r,
        format!("size={}", fstat(fd).1.size),
    );
    let r = unsafe { p1::fd_filestat_set_size(fd as i32, 20) };
    line(
        "fd_filestat_set_size",
        "20",
        r,
        format!("size={}", fstat(fd).1.size),
    );
    let (r, d) = pread(fd, 30, 0);
    line("fd_pread", "after truncate+extend", r, format!("{d:?}"));

    // Advise, allocate, sync, rights.
    for advice in 0..=5 {
        e("fd_advise", &format!("advice={advice}"), unsafe {
            p1::fd_advise(fd as i32, 0, 10, advice)
        });
    }
    e("fd_advise", "len 0", unsafe {
        p1::fd_advise(fd as i32, 5, 0, 0)
    });
    e("fd_allocate", "file", unsafe {
        p1::fd_allocate(fd as i32, 0, 100)
    });
    line(
        "fd_filestat_get",
        "after allocate",
        0,
        format!("size={}", fstat(fd).1.size),
    );
    e("fd_datasync", "file", unsafe { p1::fd_datasync(fd as i32) });
    e("fd_sync", "file", unsafe { p1::fd_sync(fd as i32) });
    e("fd_fdstat_set_rights", "file same", unsafe {
        p1::fd_fdstat_set_rights(fd as i32, R_ALL, R_ALL)
    });
    e("fd_fdstat_set_rights", "file fewer", unsafe {
        p1::fd_fdstat_set_rights(fd as i32, R_READ, 0)
    });
    show_fdstat("after set_rights", fd);

    // Append mode through fd_fdstat_set_flags.
    e("fd_fdstat_set_flags", "APPEND", unsafe {
        p1::fd_fdstat_set_flags(fd as i32, FD_APPEND)
    });
    show_fdstat("append", fd);
    seek(fd, 0, 0);
    let (r, n) = write(fd, b"APP");
    line("fd_write", "append mode", r, format!("n={n}"));
    line(
        "fd_tell",
        "after append write",
        tell(fd).0,
        format!("pos={}", tell(fd).1),
    );
    let (r, n) = pwrite(fd, b"PW", 0);
    line("fd_pwrite", "append mode offset 0", r, format!("n={n}"));
    line(
        "fd_tell",
        "after append pwrite",
        tell(fd).0,
        format!("pos={}", tell(fd).1),
    );
    let (r, p) = seek(fd, 2, 0);
    line("fd_seek", "append mode SET 2", r, format!("pos={p}"));
    let (r, d) = read(fd, 3);
    line("fd_read", "append mode", r, format!("{d:?}"));
    e("fd_fdstat_set_flags", "NONBLOCK", unsafe {
        p1::fd_fdstat_set_flags(fd as i32, FD_NONBLOCK)
    });
    show_fdstat("nonblock", fd);
    for (f, name) in [
        (FD_SYNC, "SYNC"),
        (FD_DSYNC, "DSYNC"),
        (FD_RSYNC, "RSYNC"),
        (FD_APPEND | FD_SYNC, "APPEND|SYNC"),
    ] {
        e("fd_fdstat_set_flags", name, unsafe {
            p1::fd_fdstat_set_flags(fd as i32, f)
        });
    }
    show_fdstat("after failed set_flags", fd);
    e("fd_fdstat_set_flags", "0", unsafe {
        p1::fd_fdstat_set_flags(fd as i32, 0)
    });
    show_fdstat("flags 0", fd);
    let (r, d) = pread(fd, 40, 0);
    line(
        "fd_pread",
        "final contents",
        r,
        format!("{:?}", String::from_utf8_lossy(&d)),
    );
    e("fd_close", "file", close(fd));
    e("fd_close", "file again", close(fd));
    let (r, _) = write(fd, b"x");
    e("fd_write", "closed fd", r);

    // Opening in append mode from path_open.
    let (r, fd) = open(sb, 0, "files/a.txt", 0, RW, FD_APPEND);
    e("path_open", "fdflags APPEND", r);
    show_fdstat("opened APPEND", fd);
    let (r, n) = write(fd, b"+");
    line(
        "fd_write",
        "opened APPEND",
        r,
        format!("n={n} pos={}", tell(fd).1),
    );
    close(fd);
    let (r, fd) = open(sb, 0, "files/a.txt", 0, RW, FD_NONBLOCK);
    e("path_open", "fdflags NONBLOCK", r);
    show_fdstat("opened NONBLOCK", fd);
    close(fd);
    for (f, name) in [(FD_SYNC, "SYNC"), (FD_DSYNC, "DSYNC"), (FD_RSYNC, "RSYNC")] {
        e(
            "path_open",
            &format!("fdflags {name}"),
            open(sb, 0, "files/a.txt", 0, RW, f).0,
        );
    }

    // oflags.
    e(
        "path_open",
        "CREAT|EXCL existing",
        open(sb, 0, "files/a.txt", O_CREAT | O_EXCL, RW, 0).0,
    );
    let (r, fd) = open(sb, 0, "files/a.txt", O_EXCL, R_READ, 0);
    e("path_open", "EXCL alone existing", r);
    close(fd);
    let (r, fd) = open(sb, 0, "files/new.txt", O_CREAT | O_EXCL, RW, 0);
    e("path_open", "CREAT|EXCL new", r);
    close(fd);
    let (r, fd) = open(sb, 0, "files/a.txt", O_TRUNC, RW, 0);
    e("path_open", "TRUNC", r);
    line(
        "fd_filestat_get",
        "after TRUNC",
        fstat(fd).0,
        format!("size={}", fstat(fd).1.size),
    );
    write(fd, b"0123456789");
    close(fd);
    e(
        "path_open",
        "DIRECTORY on a file",
        open(sb, 0, "files/a.txt", O_DIRECTORY, R_READ, 0).0,
    );
    e(
        "path_open",
        "DIRECTORY|CREAT",
        open(sb, 0, "files/newdir", O_DIRECTORY | O_CREAT, R_READ, 0).0,
    );
    e(
        "path_open",
        "DIRECTORY|TRUNC",
        open(sb, 0, "files", O_DIRECTORY | O_TRUNC, R_READ, 0).0,
    );
    e(
        "path_open",
        "DIRECTORY|EXCL",
        open(sb, 0, "files", O_DIRECTORY | O_EXCL, R_READ, 0).0,
    );
    e(
        "path_open",
        "missing",
        open(sb, 0, "files/missing.txt", 0, R_READ, 0).0,
    );
    e(
        "path_open",
        "CREAT in missing dir",
        open(sb, 0, "files/nodir/x.txt", O_CREAT, RW, 0).0,
    );
    e(
        "path_open",
        "file as a path component",
        open(sb, 0, "files/a.txt/x", 0, R_READ, 0).0,
    );
    e(
        "path_open",
        "trailing slash on a file",
        open(sb, 0, "files/a.txt/", 0, R_READ, 0).0,
    );
    e("path_open", "empty path", open(sb, 0, "", 0, R_READ, 0).0);
    e(
        "path_open",
        "trailing NUL",
        open(sb, 0, "files/a.txt\0", 0, R_READ, 0).0,
    );
    let (r, fd) = open(sb, 0, "files/../files/./a.txt", 0, R_READ, 0);
    e("path_open", "dots inside the sandbox", r);
    close(fd);

    // Rights decide the open mode.
    let (r, fd) = open(sb, 0, "files/a.txt", 0, R_READ, 0);
    e("path_open", "rights READ", r);
    show_fdstat("read-only file", fd);
    e("fd_write", "read-only file", write(fd, b"x").0);
    e("fd_pwrite", "read-only file", pwrite(fd, b"x", 0).0);
    e("fd_filestat_set_size", "read-only file", unsafe {
        p1::fd_filestat_set_size(fd as i32, 1)
    });
    close(fd);
    let (r, fd) = open(sb, 0, "files/a.txt", 0, R_WRITE, 0);
    e("path_open", "rights WRITE", r);
    show_fdstat("write-only file", fd);
    e("fd_read", "write-only file", read(fd, 4).0);
    close(fd);
    let (r, fd) = open(sb, 0, "files/a.txt", 0, 0, 0);
    e("path_open", "rights 0", r);
    show_fdstat("rights 0 file", fd);
    close(fd);
    let (r, fd) = open(sb, 0, "files/a.txt", 0, RW, 0);
    e("path_open", "rights READ|WRITE", r);
    show_fdstat("read-write file", fd);
    // path_open on a file descriptor as the directory.
    e(
        "path_open",
        "dirfd is a file",
        open(fd, 0, "x", 0, R_READ, 0).0,
    );
    e("path_create_directory", "dirfd is a file", mkdir(fd, "x"));
    e("fd_readdir", "file", unsafe {
        p1::fd_readdir(fd as i32, out().ptr(), 8, 0, out().ptr())
    });
    let b = Buf::new(8, 0);
    e("fd_prestat_get", "file", unsafe {
        p1::fd_prestat_get(fd as i32, b.ptr())
    });
    e("fd_prestat_dir_name", "file", unsafe {
        p1::fd_prestat_dir_name(fd as i32, b.ptr(), 8)
    });
    close(fd);

    // A large file: one fd_read fills the whole buffer, fd_pread is capped.
    let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    put(sb, "files/big.bin", &big);
    let (r, fd) = open(sb, 0, "files/big.bin", 0, R_READ, 0);
    e("path_open", "big.bin", r);
    let (r, d) = read(fd, 100_000);
    line(
        "fd_read",
        "100000-byte buffer",
        r,
        format!("n={} same={}", d.len(), d == big[..d.len()]),
    );
    let (r, d) = pread(fd, 100_000, 0);
    line(
        "fd_pread",
        "100000-byte buffer",
        r,
        format!("n={} same={}", d.len(), d == big[..d.len()]),
    );
    close(fd);

    // Directories opened as files.
    let (r, dfd) = open(sb, 0, "files", 0, R_READ, 0);
    e("path_open", "a directory without DIRECTORY", r);
    show_fdstat("opened directory", dfd);
    show_fstat("opened directory", dfd);
    e("fd_seek", "directory", seek(dfd, 0, 0).0);
    e("fd_tell", "directory", tell(dfd).0);
    e("fd_read", "directory", read(dfd, 4).0);
    e("fd_write", "directory", write(dfd, b"x").0);
    e("fd_pread", "directory", pread(dfd, 4, 0).0);
    e("fd_pwrite", "directory", pwrite(dfd, b"x", 0).0);
    e("fd_advise", "directory", unsafe {
        p1::fd_advise(dfd as i32, 0, 0, 0)
    });
    e("fd_allocate", "directory", unsafe {
        p1::fd_allocate(dfd as i32, 0, 1)
    });
    e("fd_datasync", "directory", unsafe {
        p1::fd_datasync(dfd as i32)
    });
    e("fd_sync", "directory", unsafe { p1::fd_sync(dfd as i32) });
    e("fd_filestat_set_size", "directory", unsafe {
        p1::fd_filestat_set_size(dfd as i32, 0)
    });
    e("fd_fdstat_set_flags", "directory", unsafe {
        p1::fd_fdstat_set_flags(dfd as i32, 0)
    });
    e("fd_fdstat_set_rights", "directory", unsafe {
        p1::fd_fdstat_set_rights(dfd as i32, 0, 0)
    });
    e("fd_prestat_get", "non-preopen directory", unsafe {
        p1::fd_prestat_get(dfd as i32, b.ptr())
    });
    e("fd_prestat_dir_name", "non-preopen directory", unsafe {
        p1::fd_prestat_dir_name(dfd as i32, b.ptr(), 8)
    });
    let (r, fd) = open(dfd, 0, "a.txt", 0, R_READ, 0);
    line(
        "path_open",
        "relative to an opened directory",
        r,
        get(dfd, "a.txt"),
    );
    close(fd);
    close(dfd);
    e(
        "path_open",
        "a directory with rights WRITE",
        open(sb, 0, "files", 0, R_WRITE, 0).0,
    );
    let (r, dfd) = open(sb, 0, ".", O_DIRECTORY, R_READ, 0);
    e("path_open", "\".\" of the preopen", r);
    show_fdstat("\".\"", dfd);
    close(dfd);

    // Escaping the sandbox.
    e("path_open", "..", open(sb, 0, "..", 0, R_READ, 0).0);
    e("path_open", "../x", open(sb, 0, "../x", 0, R_READ, 0).0);
    e(
        "path_open",
        "files/../../x",
        open(sb, 0, "files/../../x", 0, R_READ, 0).0,
    );
    e(
        "path_open",
        "absolute /etc/passwd",
        open(sb, 0, "/etc/passwd", 0, R_READ, 0).0,
    );
    e(
        "path_open",
        "absolute /sandbox/files/a.txt",
        open(sb, 0, "/sandbox/files/a.txt", 0, R_READ, 0).0,
    );
    e("path_create_directory", "../x", mkdir(sb, "../x"));
    e("path_filestat_get", "..", pstat(sb, 0, "..").0);

    // The read-only preopen.
    let ro = preopen(RO);
    show_fdstat("read-only preopen", ro);
    let (r, fd) = open(ro, 0, "ro.txt", 0, R_READ, 0);
    line("path_open", "read-only preopen, read", r, get(ro, "ro.txt"));
    show_fdstat("file in read-only preopen", fd);
    e("fd_write", "file in read-only preopen", write(fd, b"x").0);
    e(
        "fd_filestat_set_size",
        "file in read-only preopen",
        unsafe { p1::fd_filestat_set_size(fd as i32, 0) },
    );
    e(
        "fd_filestat_set_times",
        "file in read-only preopen",
        unsafe { p1::fd_filestat_set_times(fd as i32, 0, 0, ATIM_NOW) },
    );
    e("fd_datasync", "file in read-only preopen", unsafe {
        p1::fd_datasync(fd as i32)
    });
    close(fd);
    e(
        "path_open",
        "read-only preopen, WRITE",
        open(ro, 0, "ro.txt", 0, R_WRITE, 0).0,
    );
    e(
        "path_open",
        "read-only preopen, CREAT",
        open(ro, 0, "new.txt", O_CREAT, R_READ, 0).0,
    );
    e(
        "path_open",
        "read-only preopen, TRUNC",
        open(ro, 0, "ro.txt", O_TRUNC, R_READ, 0).0,
    );
    e("path_create_directory", "read-only preopen", mkdir(ro, "d"));
    e(
        "path_unlink_file",
        "read-only preopen",
        unlink(ro, "ro.txt"),
    );
    e(
        "path_remove_directory",
        "read-only preopen",
        rmdir(ro, "rodir"),
    );
    e(
        "path_symlink",
        "read-only preopen",
        symlink("ro.txt", ro, "l"),
    );
    e(
        "path_rename",
        "read-only preopen",
        rename(ro, "ro.txt", ro, "ro2.txt"),
    );
    e(
        "path_link",
        "read-only preopen",
        link(ro, 0, "ro.txt", ro, "ro3.txt"),
    );
    let (p, l) = sptr(b"ro.txt");
    e("path_filestat_set_times", "read-only preopen", unsafe {
        p1::path_filestat_set_times(ro as i32, 0, p, l, 0, 0, MTIM_NOW)
    });
    show_pstat("read-only preopen ro.txt", ro, 0, "ro.txt");
    fact("ro.txt unchanged", get(ro, "ro.txt"));
}

/// fd_filestat_set_times and path_filestat_set_times.
pub fn times() {
    let sb = preopen(SANDBOX);
    e("path_create_directory", "times", mkdir(sb, "times"));
    put(sb, "times/t.txt", b"times");
    let fd = must_open(sb, "times/t.txt", 0, RW, 0);
    let (atim, mtim) = (1_000_000_123u64, 2_000_000_456u64);
    let r = unsafe { p1::fd_filestat_set_times(fd as i32, atim as i64, mtim as i64, ATIM | MTIM) };
    let s = fstat(fd).1;
    line(
        "fd_filestat_set_times",
        "ATIM|MTIM",
        r,
        format!(
            "atim={} mtim={} ctim-nonzero={}",
            s.atim,
            s.mtim,
            s.ctim != 0
        ),
    );
    let r = unsafe { p1::fd_filestat_set_times(fd as i32, 5_000_000_000, 0, ATIM) };
    let s = fstat(fd).1;
    line(
        "fd_filestat_set_times",
        "ATIM only",
        r,
        format!("atim={} mtim={}", s.atim, s.mtim),
    );
    let r = unsafe { p1::fd_filestat_set_times(fd as i32, 0, 0, 0) };
    let s = fstat(fd).1;
    line(
        "fd_filestat_set_times",
        "no flags",
        r,
        format!("atim={} mtim={}", s.atim, s.mtim),
    );
    let before = now(0);
    let r = unsafe { p1::fd_filestat_set_times(fd as i32, 0, 0, ATIM_NOW | MTIM_NOW) };
    let s = fstat(fd).1;
    // The file system's clock is coarse: allow a second.
    let recent = |t: u64| t + 1_000_000_000 >= before && t <= now(0) + 1_000_000_000;
    line(
        "fd_filestat_set_times",
        "ATIM_NOW|MTIM_NOW",
        r,
        format!(
            "atim-recent={} mtim-recent={}",
            recent(s.atim),
            recent(s.mtim)
        ),
    );
    e("fd_filestat_set_times", "ATIM|ATIM_NOW", unsafe {
        p1::fd_filestat_set_times(fd as i32, 0, 0, ATIM | ATIM_NOW)
    });
    e("fd_filestat_set_times", "MTIM|MTIM_NOW", unsafe {
        p1::fd_filestat_set_times(fd as i32, 0, 0, MTIM | MTIM_NOW)
    });
    e(
        "fd_filestat_set_times",
        "ATIM|ATIM_NOW on a bad fd",
        unsafe { p1::fd_filestat_set_times(99, 0, 0, ATIM | ATIM_NOW) },
    );
    e("fd_filestat_set_times", "bad fd", unsafe {
        p1::fd_filestat_set_times(99, 0, 0, ATIM)
    });
    close(fd);

    // On a directory (allowed natively).
    let dfd = must_open(sb, "times", O_DIRECTORY, R_READ, 0);
    let r =
        unsafe { p1::fd_filestat_set_times(dfd as i32, 7_000_000_000, 8_000_000_000, ATIM | MTIM) };
    let s = fstat(dfd).1;
    line(
        "fd_filestat_set_times",
        "directory",
        r,
        format!("atim={} mtim={}", s.atim, s.mtim),
    );
    close(dfd);
    let r = unsafe { p1::fd_filestat_set_times(sb as i32, 0, 0, 0) };
    e("fd_filestat_set_times", "preopen no flags", r);

    let (p, l) = sptr(b"times/t.txt");
    let r = unsafe {
        p1::path_filestat_set_times(
            sb as i32,
            0,
            p,
            l,
            3_000_000_000,
            4_000_000_000,
            ATIM | MTIM,
        )
    };
    let s = pstat(sb, 0, "times/t.txt").1;
    line(
        "path_filestat_set_times",
        "ATIM|MTIM",
        r,
        format!("atim={} mtim={}", s.atim, s.mtim),
    );
    let r = unsafe { p1::path_filestat_set_times(sb as i32, FOLLOW, p, l, 0, 9_000_000_000, MTIM) };
    let s = pstat(sb, 0, "times/t.txt").1;
    line(
        "path_filestat_set_times",
        "MTIM follow",
        r,
        format!("atim={} mtim={}", s.atim, s.mtim),
    );
    e("path_filestat_set_times", "ATIM|ATIM_NOW", unsafe {
        p1::path_filestat_set_times(sb as i32, 0, p, l, 0, 0, ATIM | ATIM_NOW)
    });
    e("path_filestat_set_times", "ATIM|ATIM_NOW bad fd", unsafe {
        p1::path_filestat_set_times(99, 0, p, l, 0, 0, ATIM | ATIM_NOW)
    });
    let (mp, ml) = sptr(b"times/missing");
    e("path_filestat_set_times", "missing", unsafe {
        p1::path_filestat_set_times(sb as i32, 0, mp, ml, 0, 0, ATIM)
    });
    let (ep, el) = sptr(b"../x");
    e("path_filestat_set_times", "escape", unsafe {
        p1::path_filestat_set_times(sb as i32, 0, ep, el, 0, 0, ATIM)
    });

    // Through a symlink: follow changes the target, no-follow the link.
    symlink("t.txt", sb, "times/link");
    let (lp, ll) = sptr(b"times/link");
    let r = unsafe {
        p1::path_filestat_set_times(
            sb as i32,
            FOLLOW,
            lp,
            ll,
            11_000_000_000,
            12_000_000_000,
            ATIM | MTIM,
        )
    };
    let t = pstat(sb, 0, "times/t.txt").1;
    line(
        "path_filestat_set_times",
        "symlink follow",
        r,
        format!("target atim={} mtim={}", t.atim, t.mtim),
    );
    let r = unsafe {
        p1::path_filestat_set_times(
            sb as i32,
            0,
            lp,
            ll,
            13_000_000_000,
            14_000_000_000,
            ATIM | MTIM,
        )
    };
    let t = pstat(sb, 0, "times/t.txt").1;
    let s = pstat(sb, 0, "times/link").1;
    line(
        "path_filestat_set_times",
        "symlink no-follow",
        r,
        format!("target mtim={} link mtim={}", t.mtim, s.mtim),
    );
}
