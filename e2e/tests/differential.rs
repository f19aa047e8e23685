//! Differential fuzzing of the adapter against native preview1
//! (docs/robustness.md, "Differential fuzzing"): generated scripts of
//! preview1 calls over all 46 functions (`mmadapt_e2e::p1script`), run by
//! the interpreter guest `p1fuzz` natively and as a component made with the
//! **integrity-check** adapter, compared per call (`mmadapt_e2e::differential`).
//!
//! - `property`: seeds `MMADAPT_PROPERTY_SEED` (0) .. + `MMADAPT_PROPERTY_CASES`
//!   (1000); `MMADAPT_PROPERTY_THREADS` (1) workers; `MMADAPT_PROPERTY_KEEP_GOING=1`
//!   goes on after a divergence and fails at the end (the long run);
//!   `MMADAPT_PROPERTY_REPORT=FILE` appends the tally there. A divergence is
//!   shrunk and its case written to `target/tmp/differential-seed-N.case`.
//! - `regressions`: every `e2e/tests/differential/*.case` (shrunk cases of
//!   divergences that were fixed in adapter-src) must now agree.
//! - `planted_divergence_is_found`: a native preview1 with a planted bug
//!   (an errno changed, a byte written past a buffer) must be caught.
//! - `standard_adapter_table` (ignored, information only): the standard
//!   adapter through the same scripts, divergences tallied by function and
//!   kind.

use mmadapt_e2e::differential::{self, Componentized, Divergence, Native, Plant};
use mmadapt_e2e::p1script::{self, Case};
use mmadapt_e2e::{adapters, programs};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

fn guest() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| programs::rust_bin("p1fuzz").unwrap_or_else(|e| panic!("{e:#}")))
}

fn native() -> &'static Native {
    static N: OnceLock<Native> = OnceLock::new();
    N.get_or_init(|| Native::new(guest(), None).unwrap_or_else(|e| panic!("{e:#}")))
}

fn integrity() -> &'static Componentized {
    static C: OnceLock<Componentized> = OnceLock::new();
    C.get_or_init(|| {
        let wasm = adapters::mmadapt_integrity(guest()).unwrap_or_else(|e| panic!("{e:#}"));
        Componentized::new(&wasm).unwrap_or_else(|e| panic!("{e:#}"))
    })
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}={v:?}")))
        .unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    cases: u64,
    calls: u64,
    /// Calls the native runs performed (a trap ends a case early).
    performed: u64,
    divergences: Vec<(u64, Divergence)>,
    by_function: BTreeMap<(String, &'static str), u64>,
    /// The slowest case: (seconds, seed).
    slowest: (f64, u64),
}

/// Runs seeds `start..start+n` on `workers` threads against `native`.
fn run_seeds(
    native: &Native,
    component: &Componentized,
    start: u64,
    n: u64,
    workers: u64,
    keep_going: bool,
) -> Tally {
    let next = AtomicU64::new(start);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let tally = Mutex::new(Tally::default());
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= start + n {
                    return;
                }
                let case = p1script::case_of_seed(seed);
                let t0 = Instant::now();
                let (d, performed) = differential::check_counted(native, component, &case)
                    .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
                let secs = t0.elapsed().as_secs_f64();
                let mut t = tally.lock().unwrap();
                if secs > t.slowest.0 {
                    t.slowest = (secs, seed);
                }
                t.cases += 1;
                t.calls += case.calls() as u64;
                t.performed += performed as u64;
                if let Some(d) = d {
                    *t.by_function
                        .entry((d.function.clone(), d.kind))
                        .or_default() += 1;
                    t.divergences.push((seed, d));
                    if !keep_going {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    tally.into_inner().unwrap()
}

fn save(seed: u64, case: &Case, d: &Divergence) -> std::path::PathBuf {
    let dir = programs::out_dir().join("../tmp");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("differential-seed-{seed}.case"));
    let text = format!(
        "# seed {seed}\n{}{}",
        d.to_string()
            .lines()
            .map(|l| format!("# {l}\n"))
            .collect::<String>(),
        case.to_text()
    );
    let _ = std::fs::write(&path, text);
    path
}

#[test]
fn property() {
    let start = env_u64("MMADAPT_PROPERTY_SEED", 0);
    let n = env_u64("MMADAPT_PROPERTY_CASES", 1000);
    let workers = env_u64("MMADAPT_PROPERTY_THREADS", 1);
    let keep_going = std::env::var_os("MMADAPT_PROPERTY_KEEP_GOING").is_some();
    let (native, component) = (native(), integrity());
    let t0 = Instant::now();
    let t = run_seeds(native, component, start, n, workers, keep_going);
    let secs = t0.elapsed().as_secs_f64();
    let mut report = format!(
        "differential property: seeds {start}..{}: {} cases, {} calls ({} performed), {} divergences, {secs:.1} s ({:.0} cases/s)\n",
        start + n,
        t.cases,
        t.calls,
        t.performed,
        t.divergences.len(),
        t.cases as f64 / secs
    );
    report += &format!("  slowest: seed {} ({:.2} s)\n", t.slowest.1, t.slowest.0);
    for ((f, k), c) in &t.by_function {
        report += &format!("  {f} {k}: {c}\n");
    }
    // Shrink the first few.
    for (seed, d) in t.divergences.iter().take(10) {
        let case = p1script::case_of_seed(*seed);
        let small = differential::shrink(native, component, &case, d);
        let d2 = differential::check(native, component, &small)
            .ok()
            .flatten()
            .unwrap_or_else(|| d.clone());
        let path = save(*seed, &small, &d2);
        report += &format!(
            "seed {seed}: {d2}\nshrunk to {} steps: {}\n{}\n",
            small.steps.len(),
            path.display(),
            small.to_text()
        );
    }
    eprintln!("{report}");
    if let Ok(file) = std::env::var("MMADAPT_PROPERTY_REPORT") {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .unwrap();
        let _ = f.write_all(report.as_bytes());
    }
    assert!(t.divergences.is_empty(), "{report}");
    assert_eq!(t.cases, n);
}

#[test]
fn regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "case"));
    files.sort();
    let mut failures = String::new();
    for f in &files {
        let case = Case::from_text(&std::fs::read_to_string(f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if let Some(d) = differential::check(native(), integrity(), &case).unwrap() {
            failures += &format!("{}: {d}\n", f.display());
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// The comparison catches a planted divergence: a native preview1 whose
/// `sched_yield` returns `EAGAIN`, or whose `random_get` writes one byte
/// past its buffer, against the integrity-check component.
#[test]
fn planted_divergence_is_found() {
    for (plant, function, kind) in [
        (Plant::SchedYieldErrno, "sched_yield", "errno"),
        (Plant::RandomGetOverrun, "random_get", "memory"),
    ] {
        let planted = Native::new(guest(), Some(plant)).unwrap();
        let t = run_seeds(&planted, integrity(), 0, 400, 1, true);
        assert!(
            !t.divergences.is_empty(),
            "{plant:?}: no divergence in {} cases",
            t.cases
        );
        // Every divergence is the planted one, nothing else.
        for (seed, d) in &t.divergences {
            assert_eq!(
                (d.function.as_str(), d.kind),
                (function, kind),
                "{plant:?}, seed {seed}: {d}"
            );
        }
        // And it shrinks to a case that ends with the planted call.
        let (seed, d) = &t.divergences[0];
        let small = differential::shrink(&planted, integrity(), &p1script::case_of_seed(*seed), d);
        assert_eq!(
            p1script::FUNCTIONS[small.steps.last().unwrap().func as usize],
            function
        );
        assert!(small.steps.len() <= 3, "{}", small.to_text());
    }
}

/// Information, not a test: the standard adapter through the same scripts.
/// `MMADAPT_PROPERTY_CASES` (2000) cases; prints the divergences by first
/// diverging function and kind.
#[test]
#[ignore]
fn standard_adapter_table() {
    let n = env_u64("MMADAPT_PROPERTY_CASES", 2000);
    let wasm = adapters::standard(guest()).unwrap();
    let standard = Componentized::new(&wasm).unwrap();
    let t = run_seeds(native(), &standard, 0, n, 1, true);
    let mut out = format!(
        "standard adapter: {} cases, {} calls, {} diverge\n",
        t.cases,
        t.calls,
        t.divergences.len()
    );
    for ((f, k), c) in &t.by_function {
        let example = t
            .divergences
            .iter()
            .find(|(_, d)| &d.function == f && d.kind == *k)
            .map(|(s, d)| {
                format!(
                    "seed {s}: {}",
                    d.detail.lines().take(2).collect::<Vec<_>>().join(" | ")
                )
            })
            .unwrap_or_default();
        out += &format!("| {f} | {k} | {c} | {example} |\n");
    }
    eprintln!("{out}");
}
