//! The rows of the benchmark: each a workload of `tests/programs/rust`'s
//! `bench` binary and how many times one run repeats it, and how to read
//! the time the guest reports.

use anyhow::{Context, Result};

/// One row: the guest's workload name, the repetitions per run, and the
/// unit a repetition is reported in.
pub struct Workload {
    pub name: &'static str,
    /// What the row measures, for the table.
    pub what: &'static str,
    pub iterations: u64,
    /// Bytes one repetition moves (bulk rows), for a MiB/s figure.
    pub bytes: u64,
}

const MIB64: u64 = 64 * 1024 * 1024;

/// Sized so that one run takes tens of milliseconds on a 2-core machine:
/// long enough that the two clock reads around the loop don't matter.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "write16",
        what: "fd_write 16 B to a sink",
        iterations: 20_000,
        bytes: 0,
    },
    Workload {
        name: "clock",
        what: "clock_time_get",
        iterations: 50_000,
        bytes: 0,
    },
    Workload {
        name: "random32",
        what: "random_get 32 B",
        iterations: 20_000,
        bytes: 0,
    },
    Workload {
        name: "args-environ",
        what: "args + environ sizes and gets (4 calls)",
        iterations: 5_000,
        bytes: 0,
    },
    Workload {
        name: "open-close",
        what: "path_open + fd_close",
        iterations: 2_000,
        bytes: 0,
    },
    Workload {
        name: "filestat",
        what: "fd_filestat_get",
        iterations: 20_000,
        bytes: 0,
    },
    Workload {
        name: "read-64m",
        what: "fd_read 64 MiB in 64 KiB chunks",
        iterations: 1,
        bytes: MIB64,
    },
    Workload {
        name: "write-64m",
        what: "fd_write 64 MiB in 64 KiB chunks",
        iterations: 1,
        bytes: MIB64,
    },
    Workload {
        name: "readdir-1000",
        what: "fd_readdir over 1000 entries",
        iterations: 20,
        bytes: 0,
    },
    Workload {
        name: "poll-clock",
        what: "poll_oneoff, one clock due at once",
        iterations: 10_000,
        bytes: 0,
    },
];

/// Arguments and environment every run gets (the args-environ row reads
/// them): a few of each, of everyday length.
pub fn args(workload: &str, iterations: u64) -> Vec<String> {
    let mut a = vec![
        "bench".to_string(),
        workload.to_string(),
        iterations.to_string(),
    ];
    a.extend((0..5).map(|i| format!("--option-{i}=value-{i}")));
    a
}

pub fn env() -> Vec<(String, String)> {
    (0..16)
        .map(|i| {
            (
                format!("BENCH_VAR_{i}"),
                format!("some value for variable {i}"),
            )
        })
        .collect()
}

/// The time the guest measured around its loop (its `ns=` line on stderr).
pub fn parse_ns(stderr: &str) -> Result<f64> {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("ns="))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("the guest printed no ns= line; stderr:\n{stderr}"))
}
