//! `p1suite trap <case>`: exactly one call that traps natively (bad
//! pointers, misaligned out-pointers, invalid enum/flag arguments). Prints a
//! line before the call; if the call returns, prints its errno and exits 0,
//! so a runner that does not trap shows a different outcome.
//! `p1suite trap list` prints the case names, one a line.

use crate::util::*;

/// Well past the end of the guest's memory (a few MiB).
const OOB: i32 = 0x7FFF_0000u32 as i32;

pub const CASES: &[&str] = &[
    "args_sizes_get-oob",
    "args_sizes_get-misaligned",
    "args_get-oob",
    "environ_get-oob",
    "clock_time_get-misaligned",
    "clock_time_get-bad-id",
    "clock_res_get-bad-id",
    "fd_write-iovs-oob",
    "fd_write-buf-oob",
    "fd_write-iovs-misaligned",
    "fd_write-nwritten-oob",
    "fd_read-buf-oob",
    "fd_fdstat_get-misaligned",
    "fd_filestat_get-oob",
    "fd_prestat_get-misaligned",
    "fd_prestat_dir_name-oob",
    "fd_seek-bad-whence",
    "fd_advise-bad-advice",
    "fd_fdstat_set_flags-bad-flags",
    "fd_readdir-buf-oob",
    "path_open-path-oob",
    "path_open-fd-out-oob",
    "path_open-bad-oflags",
    "path_open-bad-lookupflags",
    "path_open-bad-rights",
    "poll_oneoff-in-oob",
    "poll_oneoff-out-misaligned",
    "random_get-oob",
    "proc_exit-126",
    "proc_raise-bad-signal",
    "sock_shutdown-bad-flags",
];

pub fn run(case: &str) {
    if case == "list" {
        for c in CASES {
            println!("{c}");
        }
        return;
    }
    if !CASES.contains(&case) {
        println!("unknown trap case {case:?}");
        unsafe { p1::proc_exit(2) };
    }
    println!("trap {case}: calling");
    let o = out();
    let b = Buf::new(256, 0);
    let (p, l) = sptr(b"trap-created.txt");
    let data = b"data\n";
    let sb = find_preopen(SANDBOX).unwrap_or(3) as i32;
    let r = unsafe {
        match case {
            "args_sizes_get-oob" => p1::args_sizes_get(OOB, o.ptr()),
            "args_sizes_get-misaligned" => p1::args_sizes_get(o.at(1), o.at(8)),
            "args_get-oob" => p1::args_get(OOB, b.ptr()),
            "environ_get-oob" => p1::environ_get(b.ptr(), OOB),
            "clock_time_get-misaligned" => p1::clock_time_get(1, 0, o.at(4)),
            "clock_time_get-bad-id" => p1::clock_time_get(7, 0, o.ptr()),
            "clock_res_get-bad-id" => p1::clock_res_get(4, o.ptr()),
            "fd_write-iovs-oob" => p1::fd_write(1, OOB, 1, o.ptr()),
            "fd_write-buf-oob" => {
                let iovs = Iovs::new(&[(OOB, 16)]);
                p1::fd_write(1, iovs.ptr(), 1, o.ptr())
            }
            "fd_write-iovs-misaligned" => {
                let mut raw = Buf::new(24, 0);
                raw.set_u32(2, data.as_ptr() as usize as u32);
                raw.set_u32(6, data.len() as u32);
                p1::fd_write(1, raw.at(2), 1, o.ptr())
            }
            "fd_write-nwritten-oob" => {
                let iovs = Iovs::new(&[(data.as_ptr() as usize as i32, data.len() as u32)]);
                p1::fd_write(1, iovs.ptr(), 1, OOB)
            }
            "fd_read-buf-oob" => {
                let iovs = Iovs::new(&[(OOB, 16)]);
                p1::fd_read(0, iovs.ptr(), 1, o.ptr())
            }
            "fd_fdstat_get-misaligned" => p1::fd_fdstat_get(1, b.at(4)),
            "fd_filestat_get-oob" => p1::fd_filestat_get(1, OOB),
            "fd_prestat_get-misaligned" => p1::fd_prestat_get(sb, b.at(2)),
            "fd_prestat_dir_name-oob" => p1::fd_prestat_dir_name(sb, OOB, 64),
            "fd_seek-bad-whence" => p1::fd_seek(0, 0, 3, o.ptr()),
            "fd_advise-bad-advice" => p1::fd_advise(0, 0, 0, 6),
            "fd_fdstat_set_flags-bad-flags" => p1::fd_fdstat_set_flags(0, 0x20),
            "fd_readdir-buf-oob" => p1::fd_readdir(sb, OOB, 128, 0, o.ptr()),
            "path_open-path-oob" => p1::path_open(sb, 0, OOB, 8, 0, R_READ, 0, 0, o.ptr()),
            // The file is created before the result is stored: the snapshot
            // shows it.
            "path_open-fd-out-oob" => p1::path_open(sb, 0, p, l, O_CREAT, RW, RW, 0, OOB),
            "path_open-bad-oflags" => p1::path_open(sb, 0, p, l, 0x10, R_READ, 0, 0, o.ptr()),
            "path_open-bad-lookupflags" => p1::path_open(sb, 2, p, l, 0, R_READ, 0, 0, o.ptr()),
            "path_open-bad-rights" => p1::path_open(sb, 0, p, l, 0, 1 << 30, 0, 0, o.ptr()),
            "poll_oneoff-in-oob" => p1::poll_oneoff(OOB, b.ptr(), 1, o.ptr()),
            "poll_oneoff-out-misaligned" => {
                // One stdout-write subscription: ready at once.
                let mut s = Buf::new(48, 0);
                s.set_u8(8, 2);
                s.set_u32(16, 1);
                p1::poll_oneoff(s.ptr(), b.at(4), 1, o.ptr())
            }
            "random_get-oob" => p1::random_get(OOB, 16),
            "proc_exit-126" => p1::proc_exit(126),
            "proc_raise-bad-signal" => p1::proc_raise(31),
            "sock_shutdown-bad-flags" => p1::sock_shutdown(0, 4),
            _ => unreachable!(),
        }
    };
    println!("trap {case}: returned {} (no trap)", en(r));
}
