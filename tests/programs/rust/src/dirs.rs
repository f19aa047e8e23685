//! Directories, symlinks, hard links, rename and fd_readdir.

use crate::util::*;

pub fn dirs() {
    let sb = preopen(SANDBOX);
    e("path_create_directory", "dirs", mkdir(sb, "dirs"));
    e("path_create_directory", "dirs again", mkdir(sb, "dirs"));
    e(
        "path_create_directory",
        "dirs/a/b (missing parent)",
        mkdir(sb, "dirs/a/b"),
    );
    e("path_create_directory", "dirs/sub", mkdir(sb, "dirs/sub"));
    e(
        "path_create_directory",
        "dirs/sub/deeper",
        mkdir(sb, "dirs/sub/deeper"),
    );
    put(sb, "dirs/f", b"file");
    e(
        "path_create_directory",
        "under a file",
        mkdir(sb, "dirs/f/x"),
    );
    e(
        "path_create_directory",
        "existing file",
        mkdir(sb, "dirs/f"),
    );
    e("path_create_directory", "empty path", mkdir(sb, ""));
    e(
        "path_create_directory",
        "trailing slash",
        mkdir(sb, "dirs/slash/"),
    );
    show_pstat("dirs", sb, 0, "dirs");
    show_pstat("dirs/f", sb, 0, "dirs/f");
    show_pstat("dirs/f/ (trailing slash)", sb, 0, "dirs/f/");
    show_pstat("missing", sb, 0, "dirs/missing");
    show_pstat("through a file", sb, 0, "dirs/f/x");
    show_pstat("\".\"", sb, 0, ".");
    show_pstat("empty path", sb, 0, "");

    e("path_remove_directory", "non-empty", rmdir(sb, "dirs/sub"));
    e("path_remove_directory", "a file", rmdir(sb, "dirs/f"));
    e(
        "path_remove_directory",
        "missing",
        rmdir(sb, "dirs/missing"),
    );
    e(
        "path_remove_directory",
        "dirs/sub/deeper",
        rmdir(sb, "dirs/sub/deeper"),
    );
    e("path_remove_directory", "dirs/sub", rmdir(sb, "dirs/sub"));
    e(
        "path_remove_directory",
        "dirs/sub again",
        rmdir(sb, "dirs/sub"),
    );
    e("path_remove_directory", "escape", rmdir(sb, "../x"));
    e("path_unlink_file", "a directory", unlink(sb, "dirs"));
    e("path_unlink_file", "missing", unlink(sb, "dirs/missing"));
    e("path_unlink_file", "dirs/f", unlink(sb, "dirs/f"));
    e("path_unlink_file", "dirs/f again", unlink(sb, "dirs/f"));
    e("path_unlink_file", "escape", unlink(sb, "../x"));
    e("path_unlink_file", "trailing slash on a file", {
        put(sb, "dirs/g", b"g");
        unlink(sb, "dirs/g/")
    });

    // An opened subdirectory as the base of path calls.
    let dfd = must_open(sb, "dirs", O_DIRECTORY, R_READ, 0);
    e(
        "path_create_directory",
        "relative to an opened dir",
        mkdir(dfd, "inner"),
    );
    show_pstat("relative to an opened dir", dfd, 0, "inner");
    e(
        "path_open",
        "escape from an opened dir",
        open(dfd, 0, "../dirs/g", 0, R_READ, 0).0,
    );
    e(
        "path_remove_directory",
        "relative to an opened dir",
        rmdir(dfd, "inner"),
    );
    close(dfd);
}

pub fn links() {
    let sb = preopen(SANDBOX);
    e("path_create_directory", "links", mkdir(sb, "links"));
    put(sb, "links/target.txt", b"T");
    e(
        "path_symlink",
        "links/sl -> target.txt",
        symlink("target.txt", sb, "links/sl"),
    );
    e(
        "path_symlink",
        "existing",
        symlink("target.txt", sb, "links/sl"),
    );
    e(
        "path_symlink",
        "absolute target",
        symlink("/etc/passwd", sb, "links/abs"),
    );
    e(
        "path_symlink",
        "escaping relative target",
        symlink("../../outside", sb, "links/esc"),
    );
    e(
        "path_symlink",
        "dangling",
        symlink("nowhere", sb, "links/dangling"),
    );
    e(
        "path_symlink",
        "to a directory",
        symlink("..", sb, "links/up"),
    );
    e(
        "path_symlink",
        "in a missing dir",
        symlink("x", sb, "links/nodir/l"),
    );
    e(
        "path_symlink",
        "link path escapes",
        symlink("x", sb, "../l"),
    );

    line(
        "path_readlink",
        "sl",
        readlink(sb, "links/sl", 64).0,
        readlink(sb, "links/sl", 64).1,
    );
    line(
        "path_readlink",
        "sl into 4 bytes",
        readlink(sb, "links/sl", 4).0,
        readlink(sb, "links/sl", 4).1,
    );
    line(
        "path_readlink",
        "sl into 0 bytes",
        readlink(sb, "links/sl", 0).0,
        readlink(sb, "links/sl", 0).1,
    );
    line(
        "path_readlink",
        "escaping link",
        readlink(sb, "links/esc", 64).0,
        readlink(sb, "links/esc", 64).1,
    );
    e(
        "path_readlink",
        "a file",
        readlink(sb, "links/target.txt", 64).0,
    );
    e("path_readlink", "a directory", readlink(sb, "links", 64).0);
    e(
        "path_readlink",
        "missing",
        readlink(sb, "links/missing", 64).0,
    );

    show_pstat("sl no-follow", sb, 0, "links/sl");
    show_pstat("sl follow", sb, FOLLOW, "links/sl");
    show_pstat("dangling no-follow", sb, 0, "links/dangling");
    show_pstat("dangling follow", sb, FOLLOW, "links/dangling");
    show_pstat("escaping no-follow", sb, 0, "links/esc");
    show_pstat("escaping follow", sb, FOLLOW, "links/esc");
    show_pstat("up follow", sb, FOLLOW, "links/up");
    let (_, a) = pstat(sb, FOLLOW, "links/sl");
    let (_, b) = pstat(sb, 0, "links/target.txt");
    let (_, c) = pstat(sb, 0, "links/sl");
    fact("ino of sl (follow) == ino of target", a.ino == b.ino);
    fact("ino of sl (no-follow) != ino of target", c.ino != b.ino);

    let (r, fd) = open(sb, FOLLOW, "links/sl", 0, R_READ, 0);
    line("path_open", "sl follow", r, get(sb, "links/target.txt"));
    close(fd);
    e(
        "path_open",
        "sl no-follow",
        open(sb, 0, "links/sl", 0, R_READ, 0).0,
    );
    e(
        "path_open",
        "escaping link follow",
        open(sb, FOLLOW, "links/esc", 0, R_READ, 0).0,
    );
    e(
        "path_open",
        "dangling follow",
        open(sb, FOLLOW, "links/dangling", 0, R_READ, 0).0,
    );
    let (r, fd) = open(sb, FOLLOW, "links/dangling", O_CREAT, RW, 0);
    e("path_open", "dangling follow CREAT", r);
    close(fd);
    show_pstat("dangling after CREAT through it", sb, 0, "links/nowhere");
    let (r, fd) = open(sb, 0, "links/up/links/target.txt", 0, R_READ, 0);
    e("path_open", "intermediate symlink to ..", r);
    close(fd);

    // Hard links.
    e(
        "path_link",
        "target.txt -> hard",
        link(sb, 0, "links/target.txt", sb, "links/hard"),
    );
    show_pstat("target after link", sb, 0, "links/target.txt");
    let (_, h) = pstat(sb, 0, "links/hard");
    fact("ino of hard == ino of target", h.ino == b.ino);
    e(
        "path_link",
        "existing destination",
        link(sb, 0, "links/target.txt", sb, "links/hard"),
    );
    e(
        "path_link",
        "old_flags SYMLINK_FOLLOW",
        link(sb, FOLLOW, "links/target.txt", sb, "links/hard2"),
    );
    e(
        "path_link",
        "missing source",
        link(sb, 0, "links/missing", sb, "links/hard3"),
    );
    e(
        "path_link",
        "a directory",
        link(sb, 0, "links", sb, "links/dirlink"),
    );
    e(
        "path_link",
        "a symlink (no-follow)",
        link(sb, 0, "links/sl", sb, "links/sl-hard"),
    );
    show_pstat("sl-hard", sb, 0, "links/sl-hard");
    e(
        "path_link",
        "escape",
        link(sb, 0, "links/target.txt", sb, "../hard"),
    );
    let ro = preopen(RO);
    e(
        "path_link",
        "across preopens",
        link(sb, 0, "links/target.txt", ro, "hard"),
    );
    e(
        "path_link",
        "bad new fd",
        link(sb, 0, "links/target.txt", 99, "hard"),
    );

    e("path_unlink_file", "symlink sl", unlink(sb, "links/sl"));
    show_pstat("target after unlinking sl", sb, 0, "links/target.txt");
    e("path_unlink_file", "hard", unlink(sb, "links/hard"));
    show_pstat("target after unlinking hard", sb, 0, "links/target.txt");
    e(
        "path_unlink_file",
        "symlink to a directory",
        unlink(sb, "links/up"),
    );
    e("path_remove_directory", "a symlink", rmdir(sb, "links/esc"));
}

pub fn rename_() {
    let sb = preopen(SANDBOX);
    e("path_create_directory", "ren", mkdir(sb, "ren"));
    put(sb, "ren/a", b"A");
    put(sb, "ren/b", b"B");
    mkdir(sb, "ren/d1");
    mkdir(sb, "ren/d2");
    put(sb, "ren/d2/inside", b"I");
    mkdir(sb, "ren/empty");
    e("path_rename", "a -> c", rename(sb, "ren/a", sb, "ren/c"));
    fact("ren/a after rename", get(sb, "ren/a"));
    fact("ren/c after rename", get(sb, "ren/c"));
    e("path_rename", "missing", rename(sb, "ren/a", sb, "ren/x"));
    e(
        "path_rename",
        "c over b (replace)",
        rename(sb, "ren/c", sb, "ren/b"),
    );
    fact("ren/b after replace", get(sb, "ren/b"));
    e(
        "path_rename",
        "file onto a directory",
        rename(sb, "ren/b", sb, "ren/d1"),
    );
    e(
        "path_rename",
        "directory onto a file",
        rename(sb, "ren/d1", sb, "ren/b"),
    );
    e(
        "path_rename",
        "directory onto a non-empty directory",
        rename(sb, "ren/d1", sb, "ren/d2"),
    );
    e(
        "path_rename",
        "directory onto an empty directory",
        rename(sb, "ren/d1", sb, "ren/empty"),
    );
    e(
        "path_rename",
        "directory into itself",
        rename(sb, "ren/d2", sb, "ren/d2/sub"),
    );
    e("path_rename", "same name", rename(sb, "ren/b", sb, "ren/b"));
    e(
        "path_rename",
        "into a missing directory",
        rename(sb, "ren/b", sb, "ren/nodir/b"),
    );
    e(
        "path_rename",
        "escape (new)",
        rename(sb, "ren/b", sb, "../b"),
    );
    e(
        "path_rename",
        "escape (old)",
        rename(sb, "../x", sb, "ren/x"),
    );
    let ro = preopen(RO);
    e(
        "path_rename",
        "across preopens",
        rename(sb, "ren/b", ro, "b"),
    );
    e("path_rename", "bad new fd", rename(sb, "ren/b", 99, "b"));
    let dfd = must_open(sb, "ren/d2", O_DIRECTORY, R_READ, 0);
    e(
        "path_rename",
        "between two directory fds",
        rename(sb, "ren/b", dfd, "moved"),
    );
    fact("ren/d2/moved", get(sb, "ren/d2/moved"));
    e(
        "path_rename",
        "back, relative to the opened directory",
        rename(dfd, "moved", sb, "ren/back"),
    );
    close(dfd);
    fact("ren/back", get(sb, "ren/back"));
}

/// One parsed dirent.
struct Dirent {
    next: u64,
    ino: u64,
    namlen: u32,
    kind: u8,
    name: String,
    padding_zero: bool,
}

/// Parses the complete entries of a readdir buffer.
fn parse(b: &Buf, used: usize) -> Vec<Dirent> {
    let mut out = Vec::new();
    let mut off = 0;
    while off + 24 <= used {
        let namlen = b.u32(off + 16) as usize;
        if off + 24 + namlen > used {
            break;
        }
        out.push(Dirent {
            next: b.u64(off),
            ino: b.u64(off + 8),
            namlen: namlen as u32,
            kind: b.u8(off + 20),
            name: b.text(off + 24, namlen),
            padding_zero: b.bytes()[off + 21..off + 24].iter().all(|&x| x == 0),
        });
        off += 24 + namlen;
    }
    out
}

fn readdir(fd: u32, len: usize, cookie: u64) -> (i32, usize, Buf) {
    let b = Buf::new(len + 16, 0xEE);
    let o = out();
    let r = unsafe { p1::fd_readdir(fd as i32, b.ptr(), len as i32, cookie as i64, o.ptr()) };
    (r, o.u32(0) as usize, b)
}

pub fn readdir_() {
    let sb = preopen(SANDBOX);
    e("path_create_directory", "rd", mkdir(sb, "rd"));
    // Names of equal length, so that where a small buffer cuts does not
    // depend on the order the host lists them in.
    put(sb, "rd/f1", b"1");
    put(sb, "rd/f2", b"22");
    put(sb, "rd/f3", b"333");
    mkdir(sb, "rd/d4");
    symlink("f1", sb, "rd/l5");
    mkdir(sb, "rd/em");
    let fd = must_open(sb, "rd", O_DIRECTORY, R_READ, 0);

    let (r, used, b) = readdir(fd, 4096, 0);
    line(
        "fd_readdir",
        "full",
        r,
        format!(
            "bufused={used} bytes-after-untouched={}",
            b.bytes()[used..].iter().all(|&x| x == 0xEE)
        ),
    );
    let all = parse(&b, used);
    let nexts: Vec<String> = all.iter().map(|d| d.next.to_string()).collect();
    fact("fd_readdir d_next sequence", nexts.join(","));
    fact(
        "fd_readdir first two",
        format!(
            "{:?} {:?}",
            all.first().map(|d| &d.name),
            all.get(1).map(|d| &d.name)
        ),
    );
    fact(
        "fd_readdir padding zero",
        all.iter().all(|d| d.padding_zero),
    );
    let mut sorted: Vec<String> = all
        .iter()
        .map(|d| format!("{}:type={}:namlen={}", d.name, d.kind, d.namlen))
        .collect();
    sorted.sort();
    fact("fd_readdir entries (sorted)", sorted.join(" "));
    let dir_ino = fstat(fd).1.ino;
    fact(
        "fd_readdir \".\" d_ino == fd_filestat_get ino",
        all.first().map(|d| d.ino) == Some(dir_ino),
    );
    fact(
        "fd_readdir \"..\" d_ino == \".\" d_ino",
        all.get(1).map(|d| d.ino) == Some(dir_ino),
    );
    let mut inos_match = true;
    for d in all.iter().skip(2) {
        inos_match &= pstat(fd, 0, &d.name).1.ino == d.ino;
    }
    fact(
        "fd_readdir entry d_ino == path_filestat_get ino",
        inos_match,
    );
    let count = all.len() as u64;

    // Small buffers: where the cut falls.
    for len in [0usize, 1, 23, 24, 25, 26, 30, 51, 60, 77, 78, 100] {
        let (r, used, b) = readdir(fd, len, 0);
        let untouched = b.bytes()[len..].iter().all(|&x| x == 0xEE);
        line(
            "fd_readdir",
            &format!("buf_len={len}"),
            r,
            format!(
                "bufused={used} complete-entries={} nothing-past-buf_len={untouched}",
                parse(&b, used).len()
            ),
        );
    }
    // Cookies.
    for cookie in [1u64, 2, count - 1, count, count + 1, 1000] {
        let (r, used, b) = readdir(fd, 4096, cookie);
        let names: Vec<String> = parse(&b, used).iter().map(|d| d.next.to_string()).collect();
        line(
            "fd_readdir",
            &format!(
                "cookie={}",
                if cookie == count {
                    "count".to_string()
                } else if cookie == count - 1 {
                    "count-1".to_string()
                } else if cookie == count + 1 {
                    "count+1".to_string()
                } else {
                    cookie.to_string()
                }
            ),
            r,
            format!("bufused={used} d_next={}", names.join(",")),
        );
    }
    let (r, used, b) = readdir(fd, 4096, 1);
    let from1 = parse(&b, used);
    line(
        "fd_readdir",
        "cookie=1 starts at \"..\"",
        r,
        format!("{}", from1.first().map(|d| d.name == "..").unwrap_or(false)),
    );
    // Reading in chunks that follow the cookies gives the same sequence.
    let mut chunked = Vec::new();
    let mut cookie = 0u64;
    let mut calls = 0;
    loop {
        calls += 1;
        let (r, used, b) = readdir(fd, 40, cookie);
        if r != 0 || calls > 100 {
            e("fd_readdir", "chunked", r);
            break;
        }
        let ents = parse(&b, used);
        for d in &ents {
            chunked.push(d.name.clone());
            cookie = d.next;
        }
        if used < 40 {
            break;
        }
    }
    let full: Vec<String> = all.iter().map(|d| d.name.clone()).collect();
    fact("fd_readdir chunked (40 bytes) == full", chunked == full);
    fact("fd_readdir chunked calls", calls);

    let efd = must_open(fd, "em", O_DIRECTORY, R_READ, 0);
    let (r, used, b) = readdir(efd, 4096, 0);
    let names: Vec<String> = parse(&b, used)
        .iter()
        .map(|d| format!("{}:{}", d.name, d.kind))
        .collect();
    line(
        "fd_readdir",
        "empty directory",
        r,
        format!("bufused={used} {}", names.join(" ")),
    );
    close(efd);
    let (r, used, b) = readdir(sb, 4096, 0);
    let ents = parse(&b, used);
    line(
        "fd_readdir",
        "preopen",
        r,
        format!(
            "starts with . and ..: {}",
            ents.len() >= 2 && ents[0].name == "." && ents[1].name == ".."
        ),
    );
    // After changes, a new read sees them.
    unlink(sb, "rd/f1");
    let (r, used, b) = readdir(fd, 4096, 0);
    line(
        "fd_readdir",
        "after unlink",
        r,
        format!("entries={}", parse(&b, used).len()),
    );
    let file = must_open(sb, "rd/f2", 0, R_READ, 0);
    e("fd_readdir", "a file", readdir(file, 64, 0).0);
    close(file);
    e("fd_readdir", "bad fd", readdir(99, 64, 0).0);
    close(fd);
}
