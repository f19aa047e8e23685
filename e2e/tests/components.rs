//! The end-to-end comparison: each guest program runs on wasmtime's native
//! preview1 (the oracle) and as a component made by mmadapt; stdout, stderr,
//! exit code and the files written must be identical. Each is also run
//! through the standard adapter, and that result is recorded (printed and
//! written to `target/e2e-programs/standard-adapter.txt`), not asserted:
//! it is the peer's behaviour, not ours.

use mmadapt_e2e::inputs::Run;
use mmadapt_e2e::outcome::Outcome;
use mmadapt_e2e::{adapters, component, native, programs, standard_inputs};
use std::fmt::Write;

fn build(f: fn() -> anyhow::Result<Vec<u8>>) -> Vec<u8> {
    f().unwrap_or_else(|e| panic!("{e:#}"))
}

/// Runs `main` natively and as mmadapt's component; returns the difference.
fn compare(main: &[u8], run: &Run) -> Option<String> {
    let expected = native::run(main, run).expect("native run");
    let component_bytes = adapters::mmadapt(main).expect("mmadapt component new");
    let actual = component::run(&component_bytes, run).expect("component run");
    expected.diff(&actual)
}

/// Runs `main` through the standard adapter and records how it compares.
fn record_standard(name: &str, main: &[u8], run: &Run) {
    let expected = native::run(main, run).expect("native run");
    let verdict = match adapters::standard(main) {
        Err(e) => format!("component new failed: {e:#}"),
        Ok(c) => match component::run(&c, run) {
            Err(e) => format!("did not run: {e:#}"),
            Ok(o) => describe(&expected, &o),
        },
    };
    let line = format!("{name}: standard adapter: {verdict}\n");
    print!("{line}");
    let path = programs::out_dir().join("standard-adapter.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut kept: String = text
        .lines()
        .filter(|l| !l.starts_with(&format!("{name}:")))
        .fold(String::new(), |mut acc, l| {
            let _ = writeln!(acc, "{l}");
            acc
        });
    kept.push_str(&line);
    let _ = std::fs::create_dir_all(programs::out_dir());
    let _ = std::fs::write(path, kept);
}

fn describe(expected: &Outcome, actual: &Outcome) -> String {
    match expected.diff(actual) {
        None => "same as native".into(),
        Some(d) => {
            let exit = format!("{:?}", actual.exit);
            let exit = exit
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(160)
                .collect::<String>();
            format!(
                "differs from native: {} (its exit: {exit})",
                d.lines().next().unwrap_or("").trim_end_matches(':')
            )
        }
    }
}

fn check(name: &str, main: &[u8], run: &Run) {
    record_standard(name, main, run);
    if let Some(diff) = compare(main, run) {
        panic!("{name}: mmadapt's component differs from native preview1:\n{diff}");
    }
}

#[test]
fn rust_p1suite_matches_native() {
    let main = build(programs::rust);
    check(
        "rust p1suite all",
        &main,
        &standard_inputs::p1suite(&["all"]),
    );
}

#[test]
fn c_program_matches_native() {
    let main = build(programs::c);
    check("c cprog", &main, &standard_inputs::cprog(None));
}

#[test]
fn go_program_matches_native() {
    let main = build(programs::go);
    check("go goprog", &main, &standard_inputs::goprog(None, None));
}

#[test]
fn assemblyscript_program_matches_native() {
    let main = build(programs::assemblyscript);
    check(
        "assemblyscript asprog",
        &main,
        &standard_inputs::asprog(None),
    );
}

/// Every bad-pointer case of p1suite (one run each: native traps), the fuel
/// limits and the exit codes: the component must do what native does.
#[test]
fn rust_p1suite_traps_fuel_and_exits_match_native() {
    let main = build(programs::rust);
    let component_bytes = adapters::mmadapt(&main).expect("mmadapt component new");
    let list =
        native::run(&main, &standard_inputs::p1suite(&["trap", "list"])).expect("native run");
    let cases: Vec<String> = list.stdout_str().lines().map(String::from).collect();
    assert!(cases.len() >= 30, "{list}");
    let mut runs_to_check: Vec<Vec<String>> = cases
        .iter()
        .map(|c| vec!["trap".to_string(), c.clone()])
        .collect();
    runs_to_check.push(vec!["fuel".into()]);
    runs_to_check.push(vec!["cat".into()]);
    for code in ["0", "1", "3", "125", "126", "255", "-1"] {
        runs_to_check.push(vec!["exit".into(), code.into()]);
    }
    let mut failures = Vec::new();
    for args in &runs_to_check {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = standard_inputs::p1suite(&args);
        let expected = native::run(&main, &run).expect("native run");
        let actual = component::run(&component_bytes, &run).expect("component run");
        if let Some(diff) = expected.diff(&actual) {
            failures.push(format!("p1suite {}:\n{diff}", args.join(" ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs differ:\n{}",
        failures.len(),
        runs_to_check.len(),
        failures.join("\n")
    );
}

/// File reads and writes of 4 KiB and more take the adapter's zero-copy
/// path (the result record borrowed from user memory next to the buffer);
/// the guest checks data, guard bytes and the bytes past a short read, and
/// every line must equal native's.
#[test]
fn bulk_file_io_matches_native() {
    let main = programs::rust_bin("bulk").unwrap_or_else(|e| panic!("{e:#}"));
    let run = Run::new("bulk").preopen(mmadapt_e2e::inputs::Preopen::new("/sandbox"));
    let native = native::run(&main, &run).expect("native run");
    assert!(
        native.stdout_str().lines().count() >= 17 && !native.stdout_str().contains("=false"),
        "the bulk guest itself fails natively:\n{}",
        native.stdout_str()
    );
    check("rust bulk", &main, &run);
}
