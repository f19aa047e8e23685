//! p1suite: exercises every `wasi_snapshot_preview1` function through raw
//! calls and prints one deterministic line per check.
//!
//! Usage (argv[0] is ignored):
//!   p1suite all                 every section below in order, then proc_exit(3)
//!   p1suite SECTION...          the named sections in order, then return (exit 0)
//!   p1suite list                the section names
//!   p1suite trap CASE           one call that traps natively (`trap list` for the cases)
//!   p1suite exit N              proc_exit(N) at once
//!   p1suite cat                 copy stdin to stdout and to /sandbox/stdin-copy
//!
//! Expected environment (see README.md): preopens `/sandbox` (read-write)
//! and `/ro` (read-only, holding `ro.txt` and `rodir/`), some stdin.

mod basic;
mod dirs;
mod fds;
mod files;
mod poll;
mod stdio;
mod traps;
mod util;

use util::*;

/// In the order `all` runs them; `renumber` moves and closes preopens, so
/// it comes last.
const SECTIONS: &[(&str, fn())] = &[
    ("args", basic::args),
    ("clock", basic::clock),
    ("random", basic::random),
    ("sched", basic::sched),
    ("raise", basic::raise),
    ("stdio", stdio::stdio),
    ("prestat", fds::prestat),
    ("files", files::files),
    ("times", files::times),
    ("dirs", dirs::dirs),
    ("links", dirs::links),
    ("rename", dirs::rename_),
    ("readdir", dirs::readdir_),
    ("fdalloc", fds::fdalloc),
    ("poll", poll::poll_),
    ("sock", fds::sock),
    ("badfd", fds::badfd),
    ("utf8", fds::utf8),
    ("renumber", fds::renumber),
];

/// Sections not in `all`.
const EXTRA: &[(&str, fn())] = &[("fuel", fds::fuel)];

/// argv through the raw calls.
fn argv() -> Vec<String> {
    let o = out();
    unsafe { p1::args_sizes_get(o.ptr(), o.at(4)) };
    let (count, size) = (o.u32(0) as usize, o.u32(4) as usize);
    let ptrs = Buf::new(count * 4, 0);
    let buf = Buf::new(size, 0);
    unsafe { p1::args_get(ptrs.ptr(), buf.ptr()) };
    (0..count)
        .map(|i| {
            let off = (ptrs.u32(i * 4) - buf.ptr() as u32) as usize;
            let len = buf.bytes()[off..].iter().position(|&b| b == 0).unwrap();
            buf.text(off, len)
        })
        .collect()
}

fn section(name: &str) -> Option<fn()> {
    SECTIONS
        .iter()
        .chain(EXTRA)
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
}

fn cat() {
    let sb = find_preopen(SANDBOX);
    let copy = sb.map(|sb| must_open(sb, "stdin-copy", O_CREAT | O_TRUNC, RW, 0));
    let mut total = 0;
    loop {
        let (r, d) = read(0, 4096);
        if r != 0 {
            eprintln!("cat: fd_read: {}", en(r));
            unsafe { p1::proc_exit(1) };
        }
        if d.is_empty() {
            break;
        }
        total += d.len();
        let mut rest = &d[..];
        while !rest.is_empty() {
            let (r, n) = write(1, rest);
            if r != 0 {
                eprintln!("cat: fd_write: {}", en(r));
                unsafe { p1::proc_exit(1) };
            }
            rest = &rest[n as usize..];
        }
        if let Some(fd) = copy {
            write(fd, &d);
        }
    }
    eprintln!("cat: {total} bytes");
}

fn main() {
    let args = argv();
    let mode: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match mode.as_slice() {
        [] | ["all"] => {
            for (name, f) in SECTIONS {
                println!("== {name}");
                f();
            }
            println!("== exit");
            println!("proc_exit 3");
            unsafe { p1::proc_exit(3) };
        }
        ["list"] => {
            for (name, _) in SECTIONS.iter().chain(EXTRA) {
                println!("{name}");
            }
        }
        ["trap", case] => traps::run(case),
        ["exit", n] => {
            let n: i32 = n.parse().unwrap_or(1);
            println!("proc_exit {n}");
            unsafe { p1::proc_exit(n) };
        }
        ["cat"] => cat(),
        names => {
            for name in names {
                match section(name) {
                    Some(f) => {
                        println!("== {name}");
                        f();
                    }
                    None => {
                        println!("unknown section {name:?}");
                        unsafe { p1::proc_exit(2) };
                    }
                }
            }
        }
    }
}
