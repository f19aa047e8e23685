//! bench: the workloads of the runtime benchmark (`e2e/benches/runtime`).
//!
//! Usage: `bench WORKLOAD N` runs WORKLOAD's timed loop N times and prints
//! `ns=<elapsed>` on stderr, where elapsed is read from the monotonic clock
//! right before and right after the loop: setup (opening files, filling
//! buffers) is not timed, and neither is instantiation. `bench hello`
//! prints a greeting and returns, for timing instantiate + run on the host.
//!
//! Expected environment: stdout goes to a sink; a preopen `/bench` (fd 3)
//! holding `data.bin` (64 MiB) and `dir1000/` (1000 empty files); some args
//! and environment variables.

use std::io::Write;
use wasi::*;

const PREOPEN: Fd = 3;
const CHUNK: usize = 64 * 1024;
const BULK: usize = 64 * 1024 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workload = args.get(1).map(String::as_str).unwrap_or("");
    if workload == "hello" {
        println!("hello, world");
        return;
    }
    let n: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let run: fn(u64) = match workload {
        "write16" => write16,
        "clock" => clock,
        "random32" => random32,
        "args-environ" => args_environ,
        "open-close" => open_close,
        "filestat" => filestat,
        "read-64m" => read_64m,
        "write-64m" => write_64m,
        "readdir-1000" => readdir_1000,
        "poll-clock" => poll_clock,
        _ => {
            eprintln!("bench: unknown workload {workload:?}");
            std::process::exit(2);
        }
    };
    let t0 = now();
    run(n);
    let elapsed = now() - t0;
    let _ = writeln!(std::io::stderr(), "ns={elapsed}");
}

fn now() -> u64 {
    unsafe { clock_time_get(CLOCKID_MONOTONIC, 1) }.expect("clock_time_get")
}

fn check<T>(r: Result<T, Errno>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        eprintln!("bench: {what}: {e}");
        std::process::exit(1)
    })
}

/// fd_write of 16 bytes to stdout (a sink on the host).
fn write16(n: u64) {
    let data = [b'x'; 16];
    let iov = [Ciovec {
        buf: data.as_ptr(),
        buf_len: data.len(),
    }];
    for _ in 0..n {
        check(unsafe { fd_write(1, &iov) }, "fd_write");
    }
}

fn clock(n: u64) {
    let mut sum = 0u64;
    for _ in 0..n {
        sum = sum.wrapping_add(check(unsafe { clock_time_get(CLOCKID_MONOTONIC, 1) }, "clock"));
    }
    std::hint::black_box(sum);
}

fn random32(n: u64) {
    let mut buf = [0u8; 32];
    for _ in 0..n {
        check(unsafe { random_get(buf.as_mut_ptr(), buf.len()) }, "random_get");
    }
    std::hint::black_box(buf);
}

/// The four calls a libc makes at startup: sizes, then contents, of the
/// arguments and of the environment.
fn args_environ(n: u64) {
    let (argc, argsize) = check(unsafe { args_sizes_get() }, "args_sizes_get");
    let (envc, envsize) = check(unsafe { environ_sizes_get() }, "environ_sizes_get");
    let mut argv = vec![std::ptr::null_mut::<u8>(); argc];
    let mut argbuf = vec![0u8; argsize];
    let mut envv = vec![std::ptr::null_mut::<u8>(); envc];
    let mut envbuf = vec![0u8; envsize];
    for _ in 0..n {
        check(unsafe { args_sizes_get() }, "args_sizes_get");
        check(unsafe { args_get(argv.as_mut_ptr(), argbuf.as_mut_ptr()) }, "args_get");
        check(unsafe { environ_sizes_get() }, "environ_sizes_get");
        check(unsafe { environ_get(envv.as_mut_ptr(), envbuf.as_mut_ptr()) }, "environ_get");
    }
    std::hint::black_box((&argbuf, &envbuf));
}

fn open(path: &str, oflags: Oflags, rights: Rights) -> Fd {
    check(
        unsafe { path_open(PREOPEN, 0, path, oflags, rights, 0, 0) },
        path,
    )
}

fn open_close(n: u64) {
    for _ in 0..n {
        let fd = open("data.bin", 0, RIGHTS_FD_READ);
        check(unsafe { fd_close(fd) }, "fd_close");
    }
}

fn filestat(n: u64) {
    let fd = open("data.bin", 0, RIGHTS_FD_READ | RIGHTS_FD_FILESTAT_GET);
    for _ in 0..n {
        std::hint::black_box(check(unsafe { fd_filestat_get(fd) }, "fd_filestat_get"));
    }
}

/// N passes over the 64 MiB file in 64 KiB reads, from the start each time.
fn read_64m(n: u64) {
    let fd = open("data.bin", 0, RIGHTS_FD_READ | RIGHTS_FD_SEEK);
    let mut buf = vec![0u8; CHUNK];
    for _ in 0..n {
        check(unsafe { fd_seek(fd, 0, WHENCE_SET) }, "fd_seek");
        let mut total = 0;
        loop {
            let iov = [Iovec {
                buf: buf.as_mut_ptr(),
                buf_len: buf.len(),
            }];
            let got = check(unsafe { fd_read(fd, &iov) }, "fd_read");
            if got == 0 {
                break;
            }
            total += got;
        }
        if total != BULK {
            eprintln!("bench: read {total} bytes, expected {BULK}");
            std::process::exit(1);
        }
    }
    std::hint::black_box(&buf);
}

/// N passes of writing 64 MiB in 64 KiB writes to a fresh file.
fn write_64m(n: u64) {
    let fd = open(
        "out.bin",
        OFLAGS_CREAT | OFLAGS_TRUNC,
        RIGHTS_FD_WRITE | RIGHTS_FD_SEEK,
    );
    let buf: Vec<u8> = (0..CHUNK).map(|i| i as u8).collect();
    for _ in 0..n {
        check(unsafe { fd_seek(fd, 0, WHENCE_SET) }, "fd_seek");
        let mut total = 0;
        while total < BULK {
            let iov = [Ciovec {
                buf: buf.as_ptr(),
                buf_len: buf.len(),
            }];
            total += check(unsafe { fd_write(fd, &iov) }, "fd_write");
        }
    }
}

/// N listings of a 1000-entry directory through a 4 KiB buffer (what
/// wasi-libc's readdir starts with), resuming from the last whole entry.
fn readdir_1000(n: u64) {
    let dir = open("dir1000", OFLAGS_DIRECTORY, RIGHTS_FD_READDIR);
    let mut buf = vec![0u8; 4096];
    const HEADER: usize = 24;
    for _ in 0..n {
        let (mut cookie, mut entries) = (0u64, 0usize);
        loop {
            let used = check(
                unsafe { fd_readdir(dir, buf.as_mut_ptr(), buf.len(), cookie) },
                "fd_readdir",
            );
            let mut at = 0;
            while at + HEADER <= used {
                let next = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
                let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap());
                if at + HEADER + namlen as usize > used {
                    break;
                }
                at += HEADER + namlen as usize;
                cookie = next;
                entries += 1;
            }
            if used < buf.len() {
                break;
            }
        }
        // 1000 files plus `.` and `..`.
        if entries != 1002 {
            eprintln!("bench: listed {entries} entries, expected 1002");
            std::process::exit(1);
        }
    }
}

/// poll_oneoff on one relative monotonic-clock subscription that is due at
/// once (timeout 0).
fn poll_clock(n: u64) {
    let sub = Subscription {
        userdata: 7,
        u: SubscriptionU {
            tag: EVENTTYPE_CLOCK.raw(),
            u: SubscriptionUU {
                clock: SubscriptionClock {
                    id: CLOCKID_MONOTONIC,
                    timeout: 0,
                    precision: 0,
                    flags: 0,
                },
            },
        },
    };
    let mut events = [Event {
        userdata: 0,
        error: ERRNO_SUCCESS,
        type_: EVENTTYPE_CLOCK,
        fd_readwrite: EventFdReadwrite {
            nbytes: 0,
            flags: 0,
        },
    }];
    for _ in 0..n {
        let got = check(
            unsafe { poll_oneoff(&sub, events.as_mut_ptr(), 1) },
            "poll_oneoff",
        );
        if got != 1 || events[0].userdata != 7 {
            eprintln!("bench: poll_oneoff returned {got} events");
            std::process::exit(1);
        }
    }
}
