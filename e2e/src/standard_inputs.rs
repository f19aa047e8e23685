//! The standard [`Run`] of each guest program, so that every runner (native
//! preview1, mmadapt's component, the standard adapter's component) gets
//! exactly the same inputs.

use crate::inputs::{Preopen, Run};

/// Environment of every standard run.
pub const ENV: &[(&str, &str)] = &[
    ("FOO", "bar"),
    ("EMPTY", ""),
    ("UNICODE", "h\u{e9}llo w\u{f6}rld"),
    ("WITH_EQUALS", "a=b=c"),
];

/// Stdin of every standard run.
pub const STDIN: &str = "hello stdin\nsecond line\n";

/// `/sandbox` (read-write) as the standard runs fill it.
pub fn sandbox() -> Preopen {
    Preopen::new("/sandbox")
        .file("hello.txt", "hello from the host\n")
        .file("input.txt", "input from the host\n")
        .file("sub/nested.txt", "nested\n")
        .symlink("hello-link", "hello.txt")
}

/// `/ro` (read-only): `ro.txt` and an empty `rodir/`.
pub fn read_only() -> Preopen {
    Preopen::new("/ro")
        .read_only()
        .file("ro.txt", "read only\n")
        .dir("rodir")
}

fn base(argv0: &str, args: &[&str]) -> Run {
    let mut run = Run::new(argv0)
        .args(args.iter().copied())
        .stdin(STDIN)
        .preopen(sandbox())
        .preopen(read_only());
    for (k, v) in ENV {
        run = run.env(*k, *v);
    }
    run
}

/// `p1suite ARGS...` (e.g. `&["all"]`, `&["files", "dirs"]`,
/// `&["trap", "fd_write-iovs-oob"]`, `&["exit", "3"]`). Needs `/sandbox`
/// and `/ro`, which this gives.
pub fn p1suite(args: &[&str]) -> Run {
    base("p1suite", args)
}

/// `cprog /sandbox [CODE]` (exit code 5 by default), with
/// `CPROG_GREETING` set.
pub fn cprog(code: Option<i32>) -> Run {
    let mut args = vec!["/sandbox".to_string()];
    args.extend(code.map(|c| c.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    base("cprog", &args).env("CPROG_GREETING", "hi from the host")
}

/// `goprog /sandbox CODE LIVE_MB` (exit code 9 and 300 MB live by
/// default).
pub fn goprog(code: Option<i32>, live_mb: Option<u32>) -> Run {
    let code = code.unwrap_or(9).to_string();
    let mb = live_mb.unwrap_or(300).to_string();
    base("goprog", &["/sandbox", &code, &mb]).env("GOPROG_MODE", "e2e")
}

/// `asprog [CODE]` (exit code 7 by default).
pub fn asprog(code: Option<i32>) -> Run {
    let code = code.map(|c| c.to_string());
    let args: Vec<&str> = code.iter().map(String::as_str).collect();
    base("asprog", &args)
}
