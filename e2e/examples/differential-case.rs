//! Runs one differential-fuzzer case natively and as the integrity-check
//! component and prints both outcomes: `cargo run -p mmadapt-e2e --example
//! differential-case -- SEED` or `-- FILE.case`; `--standard` uses the
//! standard adapter instead, `--plant` a native `sched_yield` that returns
//! `EAGAIN`. `-- --artifacts DIR` writes the interpreter and its
//! integrity-check component for the fuzz target; `-- --stats N` tallies
//! the native errnos of seeds 0..N.

use mmadapt_e2e::differential::{self, Componentized, Native};
use mmadapt_e2e::p1script::{self, Case};
use mmadapt_e2e::{adapters, programs};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let standard = args.iter().any(|a| a == "--standard");
    if let Some(n) = args.iter().position(|a| a == "--artifacts") {
        // The fuzz target's inputs: the interpreter and its component.
        let dir = std::path::Path::new(&args[n + 1]);
        std::fs::create_dir_all(dir)?;
        let guest = programs::rust_bin("p1fuzz")?;
        std::fs::write(dir.join("p1fuzz.wasm"), &guest)?;
        std::fs::write(
            dir.join("p1fuzz.integrity.wasm"),
            adapters::mmadapt_integrity(&guest)?,
        )?;
        return Ok(());
    }
    if let Some(n) = args.iter().position(|a| a == "--stats") {
        return stats(args[n + 1].parse()?);
    }
    let what = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .expect("usage: differential-case SEED|FILE [--standard]");
    let case = match what.parse::<u64>() {
        Ok(seed) => p1script::case_of_seed(seed),
        Err(_) => Case::from_text(&std::fs::read_to_string(what)?).map_err(anyhow::Error::msg)?,
    };
    let guest = programs::rust_bin("p1fuzz")?;
    let component = if standard {
        adapters::standard(&guest)?
    } else {
        adapters::mmadapt_integrity(&guest)?
    };
    let plant = args
        .iter()
        .any(|a| a == "--plant")
        .then_some(differential::Plant::SchedYieldErrno);
    let native = Native::new(&guest, plant)?;
    let component = Componentized::new(&component)?;
    let run = differential::run_of(&case);
    let a = native.run(&run)?;
    let b = component.run(&run)?;
    println!("=== case\n{}", case.to_text());
    println!("=== native\n{a}");
    println!("=== component\n{b}");
    match differential::compare(&case, &a, &b) {
        Some(d) => println!("=== divergence: {d}"),
        None => println!("=== same"),
    }
    Ok(())
}

/// How far the native runs of seeds 0..n get: calls completed, traps, and
/// the errno of every call by function.
fn stats(n: u64) -> anyhow::Result<()> {
    let guest = programs::rust_bin("p1fuzz")?;
    let native = Native::new(&guest, None)?;
    let (mut calls, mut done, mut traps) = (0, 0, 0);
    let mut by: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u32>> =
        Default::default();
    let mut trap_at: std::collections::BTreeMap<String, u32> = Default::default();
    for seed in 0..n {
        let case = p1script::case_of_seed(seed);
        let o = native.run(&differential::run_of(&case))?;
        calls += case.calls();
        let out = o.stdout_str();
        let mut k = 0;
        for l in out.lines() {
            let w: Vec<&str> = l.split(' ').collect();
            if w.len() >= 3 && w[0] == k.to_string() {
                *by.entry(w[1].into())
                    .or_default()
                    .entry(w[2].into())
                    .or_default() += 1;
                k += 1;
            }
        }
        done += k;
        if o.exit.is_trap() {
            traps += 1;
            let f = case
                .steps
                .get(k)
                .map_or("-", |s| p1script::FUNCTIONS[s.func as usize]);
            let why = match &o.exit {
                mmadapt_e2e::outcome::Exit::Trap(m) => m
                    .lines()
                    .find(|l| l.trim_start().starts_with("0: In func"))
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                _ => String::new(),
            };
            *trap_at.entry(format!("{f}: {why}")).or_default() += 1;
        }
    }
    println!("{n} cases, {calls} calls, {done} completed, {traps} trapped");
    for (at, n) in &trap_at {
        println!("trap {n}: {at}");
    }
    for (f, m) in by {
        println!("{f}: {m:?}");
    }
    Ok(())
}
