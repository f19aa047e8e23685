//! The stdio descriptors: fdstat, filestat, reads and writes, and the errno
//! of every other fd call on them.

use crate::util::*;

pub fn stdio() {
    for (fd, name) in [(0u32, "stdin"), (1, "stdout"), (2, "stderr")] {
        show_fdstat(name, fd);
        let (r, s) = fstat(fd);
        line(
            "fd_filestat_get",
            name,
            r,
            format!(
                "dev={} ino={} filetype={} nlink={} size={} atim={} mtim={} ctim={}",
                s.dev, s.ino, s.filetype, s.nlink, s.size, s.atim, s.mtim, s.ctim
            ),
        );
    }

    // fd_write: only the first non-empty iovec is written.
    let a = b"stdout: first non-empty iovec\n";
    let skipped = b"NOT WRITTEN\n";
    let iovs = Iovs::new(&[
        (a.as_ptr() as usize as i32, 0),
        (a.as_ptr() as usize as i32, a.len() as u32),
        (skipped.as_ptr() as usize as i32, skipped.len() as u32),
    ]);
    let o = out();
    let r = unsafe { p1::fd_write(1, iovs.ptr(), iovs.count, o.ptr()) };
    line("fd_write", "stdout 3 iovecs", r, format!("n={}", o.u32(0)));
    let o = out();
    let r = unsafe { p1::fd_write(1, iovs.ptr(), 0, o.ptr()) };
    line("fd_write", "stdout 0 iovecs", r, format!("n={}", o.u32(0)));
    let o = out();
    let r = unsafe { p1::fd_write(1, iovs.ptr(), 1, o.ptr()) };
    line(
        "fd_write",
        "stdout 1 empty iovec",
        r,
        format!("n={}", o.u32(0)),
    );
    // A write larger than the 4096-byte chunks the host uses.
    let big: Vec<u8> = (0..10000)
        .map(|i| {
            if i % 2000 == 1999 {
                b'\n'
            } else {
                b'0' + (i % 10) as u8
            }
        })
        .collect();
    let (r, n) = write(1, &big);
    line("fd_write", "stdout 10000 bytes", r, format!("n={n}"));
    let (r, n) = write(2, b"stderr: a line on stderr\n");
    line("fd_write", "stderr", r, format!("n={n}"));
    let (r, _) = write(0, b"x");
    e("fd_write", "stdin", r);

    // fd_read on stdin (the test gives it some bytes).
    let o = out();
    let iovs = Iovs::new(&[]);
    let r = unsafe { p1::fd_read(0, iovs.ptr(), 0, o.ptr()) };
    line("fd_read", "stdin 0 iovecs", r, format!("n={}", o.u32(0)));
    let (r, d) = read(0, 5);
    line(
        "fd_read",
        "stdin 5 bytes",
        r,
        format!("{:?}", String::from_utf8_lossy(&d)),
    );
    let b1 = Buf::new(3, 0);
    let b2 = Buf::new(100, 0);
    let iovs = Iovs::new(&[(b1.ptr(), 0), (b1.ptr(), 3), (b2.ptr(), 100)]);
    let o = out();
    let r = unsafe { p1::fd_read(0, iovs.ptr(), iovs.count, o.ptr()) };
    line(
        "fd_read",
        "stdin first non-empty iovec only",
        r,
        format!("n={} {:?}", o.u32(0), b1.text(0, 3)),
    );
    let mut rest = Vec::new();
    loop {
        let (r, d) = read(0, 7);
        if r != 0 {
            e("fd_read", "stdin rest", r);
            break;
        }
        if d.is_empty() {
            line("fd_read", "stdin at EOF", r, "n=0");
            break;
        }
        rest.extend(d);
    }
    fact(
        "stdin rest",
        format!("{:?}", String::from_utf8_lossy(&rest)),
    );
    let (r, d) = read(0, 10);
    line("fd_read", "stdin after EOF", r, format!("n={}", d.len()));
    let (r, _) = read(1, 10);
    e("fd_read", "stdout", r);
    let (r, _) = read(2, 10);
    e("fd_read", "stderr", r);

    for (fd, name) in [(0u32, "stdin"), (1, "stdout"), (2, "stderr")] {
        e("fd_seek", name, seek(fd, 0, 1).0);
        e("fd_tell", name, tell(fd).0);
        e("fd_pread", name, pread(fd, 4, 0).0);
        e("fd_pwrite", name, pwrite(fd, b"x", 0).0);
        e("fd_advise", name, unsafe {
            p1::fd_advise(fd as i32, 0, 0, 0)
        });
        e("fd_allocate", name, unsafe {
            p1::fd_allocate(fd as i32, 0, 1)
        });
        e("fd_datasync", name, unsafe { p1::fd_datasync(fd as i32) });
        e("fd_sync", name, unsafe { p1::fd_sync(fd as i32) });
        e("fd_fdstat_set_flags", name, unsafe {
            p1::fd_fdstat_set_flags(fd as i32, 0)
        });
        e("fd_fdstat_set_rights", name, unsafe {
            p1::fd_fdstat_set_rights(fd as i32, 0, 0)
        });
        e("fd_filestat_set_size", name, unsafe {
            p1::fd_filestat_set_size(fd as i32, 0)
        });
        e("fd_filestat_set_times", name, unsafe {
            p1::fd_filestat_set_times(fd as i32, 0, 0, 0)
        });
        let b = Buf::new(8, 0xEE);
        e("fd_prestat_get", name, unsafe {
            p1::fd_prestat_get(fd as i32, b.ptr())
        });
        e("fd_prestat_dir_name", name, unsafe {
            p1::fd_prestat_dir_name(fd as i32, b.ptr(), 8)
        });
        let rd = Buf::new(128, 0);
        let o = out();
        e("fd_readdir", name, unsafe {
            p1::fd_readdir(fd as i32, rd.ptr(), 128, 0, o.ptr())
        });
        e("path_create_directory", name, mkdir(fd, "x"));
        e("path_open", name, open(fd, 0, "x", O_CREAT, RW, 0).0);
        e("path_filestat_get", name, pstat(fd, 0, "x").0);
        e("path_unlink_file", name, unlink(fd, "x"));
    }
}
