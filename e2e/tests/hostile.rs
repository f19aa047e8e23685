//! Adapter hardening against a hostile main module
//! (`tests/programs/rust/src/bin/hostile.rs`): out-of-bounds and wrapping
//! pointers and lengths, overlapping buffers, iovec counts of 0 / 2^31 /
//! 2^32-1, invalid UTF-8 paths, descriptor exhaustion, `fd_renumber` with
//! preopens, huge `fd_readdir` cookies.
//!
//! Every case must behave exactly as on wasmtime's native preview1 (same
//! output, errno, memory contents where the guest prints them, files, and
//! trap-or-not) when run through mmadapt's adapter built with its
//! `integrity-check` feature, which checks the adapter's private memory on
//! entry to and exit from every preview1 call and traps with a message if
//! it was damaged (adapter-src/src/integrity.rs). The last test shows that
//! those checks do fire, through the adapter's test-only corruption hook.
//!
//! The tests hold one lock: the exhaustion case lowers the process's
//! descriptor limit while it runs.

use mmadapt_e2e::inputs::Run;
use mmadapt_e2e::outcome::{Exit, Outcome};
use mmadapt_e2e::{adapters, component, native, programs, standard_inputs};
use std::sync::{Mutex, MutexGuard, OnceLock};

fn lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn hostile() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| programs::rust_bin("hostile").unwrap_or_else(|e| panic!("{e:#}")))
}

/// The hostile guest as a component with the integrity-check adapter.
fn checked_component() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| adapters::mmadapt_integrity(hostile()).unwrap_or_else(|e| panic!("{e:#}")))
}

/// The hostile guest as a component with the shipped adapter.
fn shipped_component() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| adapters::mmadapt(hostile()).unwrap_or_else(|e| panic!("{e:#}")))
}

fn run(args: &[&str]) -> Run {
    let mut r = Run::new("hostile")
        .args(args.iter().copied())
        .stdin(standard_inputs::STDIN)
        .preopen(standard_inputs::sandbox())
        .preopen(standard_inputs::read_only());
    for (k, v) in standard_inputs::ENV {
        r = r.env(*k, *v);
    }
    r
}

/// Runs `args` natively and with `component`; the difference, if any.
fn compare(component_bytes: &[u8], args: &[&str]) -> (Outcome, Option<String>) {
    let r = run(args);
    let expected = native::run(hostile(), &r).expect("native run");
    let actual = component::run(component_bytes, &r).expect("component run");
    // `HOSTILE_DUMP=1`: keep both outputs for a line-by-line look.
    if std::env::var_os("HOSTILE_DUMP").is_some() {
        let dir = programs::out_dir().join("hostile-dump");
        let _ = std::fs::create_dir_all(&dir);
        let name = args.join("-");
        let _ = std::fs::write(dir.join(format!("{name}.native.txt")), expected.to_string());
        let _ = std::fs::write(dir.join(format!("{name}.mmadapt.txt")), actual.to_string());
    }
    let diff = expected.diff(&actual).map(|d| {
        format!(
            "hostile {}:\n{d}(mmadapt's exit: {}; its stderr: {})",
            args.join(" "),
            first_line(&format!("{}", actual.exit)),
            actual.stderr_str().trim()
        )
    });
    (expected, diff)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

fn sections() -> Vec<String> {
    let list = native::run(hostile(), &run(&["list"])).expect("native run");
    list.stdout_str().lines().map(String::from).collect()
}

/// Every section that returns (one run each, the exhaustion case apart),
/// through the integrity-check adapter.
#[test]
fn hostile_sections_match_native_with_integrity_checks() {
    let _l = lock();
    let mut failures = Vec::new();
    let sections = sections();
    assert!(sections.len() >= 7, "{sections:?}");
    for s in sections.iter().filter(|s| *s != "exhaust") {
        let (expected, diff) = compare(checked_component(), &[s]);
        assert_eq!(
            expected.exit,
            Exit::Code(0),
            "native run of {s}:\n{expected}"
        );
        assert!(
            !expected.stdout_str().contains("setup:"),
            "native run of {s} failed its setup:\n{expected}"
        );
        failures.extend(diff);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every call that traps natively, one run each: the component traps too
/// (and not in an integrity check: the messages would differ in stderr).
#[test]
fn hostile_traps_match_native_with_integrity_checks() {
    let _l = lock();
    let list = native::run(hostile(), &run(&["trap", "list"])).expect("native run");
    let cases: Vec<String> = list.stdout_str().lines().map(String::from).collect();
    assert!(cases.len() >= 20, "{list}");
    let mut failures = Vec::new();
    for case in &cases {
        let (expected, diff) = compare(checked_component(), &["trap", case]);
        assert!(
            expected.exit.is_trap(),
            "hostile trap {case} does not trap natively:\n{expected}"
        );
        failures.extend(diff);
    }
    assert!(
        failures.is_empty(),
        "{} of {} trap cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Opens files until an error. The process's soft descriptor limit is
/// lowered to 2048 for the two runs (so the component run, with its
/// integrity checks walking the whole table on every call, stays quick, and
/// both runs meet the same limit), then restored.
#[test]
fn hostile_fd_exhaustion_matches_native() {
    let _l = lock();
    let pid = std::process::id().to_string();
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap_or("1024")
        .to_string();
    let set = |soft: &str| {
        std::process::Command::new("prlimit")
            .args(["--pid", &pid, &format!("--nofile={soft}:")])
            .status()
            .is_ok_and(|s| s.success())
    };
    let lowered = soft.parse::<u64>().is_ok_and(|s| s > 2048) && set("2048");
    let (expected, diff) = compare(checked_component(), &["exhaust"]);
    let (_, shipped_diff) = compare(shipped_component(), &["exhaust"]);
    if lowered {
        set(&soft);
    }
    assert_eq!(expected.exit, Exit::Code(0), "native:\n{expected}");
    assert!(
        expected.has_line("exhaust: numbers consecutive: true"),
        "native:\n{expected}"
    );
    let failures: Vec<String> = diff.into_iter().chain(shipped_diff).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The whole `all` run through the shipped adapter too.
#[test]
fn hostile_all_matches_native_with_shipped_adapter() {
    let _l = lock();
    let mut failures = Vec::new();
    for s in sections().iter().filter(|s| *s != "exhaust") {
        failures.extend(compare(shipped_component(), &[s]).1);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The integrity checks can fail: a main module calls the integrity
/// adapter's test hook `mmadapt_integrity_corrupt(kind)` (which damages one
/// checked part of the private memory), then an ordinary preview1 call,
/// which must trap with the check's message on stderr. Kind 0 damages
/// nothing: the program runs to its end.
#[test]
fn integrity_check_detects_corruption() {
    let _l = lock();
    let kinds: &[(u32, &str)] = &[
        (0, ""),
        (1, "checksum of the read-only data segment changed"),
        (2, "stack canary"),
        (3, "red zone after a block overwritten"),
        (4, "preopen name corrupted"),
        (5, "block header corrupted"),
        (6, "args/env table"),
    ];
    let mut failures = Vec::new();
    for &(kind, expect) in kinds {
        let wat = format!(
            r#"(module
                (import "wasi_snapshot_preview1" "mmadapt_integrity_corrupt" (func $corrupt (param i32) (result i32)))
                (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
                (memory (export "memory") 1)
                (func (export "_start")
                    (if (call $args_sizes_get (i32.const 0) (i32.const 4)) (then unreachable))
                    (if (call $fdstat (i32.const 1) (i32.const 64)) (then unreachable))
                    (if (call $corrupt (i32.const {kind})) (then unreachable))
                    (if (call $fdstat (i32.const 1) (i32.const 64)) (then unreachable))))"#
        );
        let main = wat::parse_str(&wat).unwrap();
        let bytes = adapters::mmadapt_integrity(&main).unwrap_or_else(|e| panic!("{e:#}"));
        let outcome = component::run(&bytes, &run(&[])).expect("component run");
        let stderr = outcome.stderr_str();
        let ok = if kind == 0 {
            outcome.exit == Exit::Code(0) && stderr.is_empty()
        } else {
            outcome.exit.is_trap()
                && stderr.starts_with(
                    "mmadapt integrity check failed on entry to the preview1 function at ",
                )
                && stderr.contains(expect)
        };
        println!(
            "corruption kind {kind}: {} / {}",
            first_line(&outcome.exit.to_string()),
            stderr.trim()
        );
        if !ok {
            failures.push(format!("kind {kind} (expected {expect:?}):\n{outcome}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
